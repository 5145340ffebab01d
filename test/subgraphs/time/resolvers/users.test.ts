import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIdentity, type Identity } from '../../../../subgraphs/shared/identity.ts';
import { createTestOrg, startTestGraph, type TestGraph, type TestOrg, type TestUser } from '../../../helpers/graph.ts';
import { dataOf, NOW } from '../time-fixtures.ts';

// Statements of one request to the time subgraph, without the background outbox consumers'
// (time's, leave's and the gateway's, all on the same database).
let counting = false;
let statements: string[] = [];
const onQuery = (sql: string) => {
  if (counting && /"time"\./.test(sql) && !/consumer_cursors|pg_advisory|^insert into "time"\."directory_/.test(sql)) statements.push(sql);
};

let graph: TestGraph;
let org: TestOrg;
let users: TestUser[] = [];
let admin: Identity;

const ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id
  overtimeSubmissions(first: 5) { totalCount nodes { id status hoursWorked overtimeType { name } history { action } } }
  toilBalance { available nextExpiry { date } lots(first: 3) { totalCount nodes { hours } } }
  hoursWorked(from: "2026-06-01", to: "2026-06-30") { totalCount totalHours nodes { date hoursWorked } } } } }`;

async function countStatements(ids: string[]): Promise<number> {
  statements = [];
  counting = true;
  const payload = JSON.stringify({ query: ENTITIES, variables: { r: ids.map((id) => ({ __typename: 'User', id })) } });
  const res = await fetch(`${graph.time.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signIdentity(admin, graph.identitySecret, { audience: 'time', body: payload }) },
    body: payload,
  });
  const body = (await res.json()) as { data?: { _entities: unknown[] }; errors?: unknown[] };
  counting = false;
  expect(body.errors).toBeUndefined();
  expect(body.data?._entities).toHaveLength(ids.length);
  return statements.length;
}

beforeAll(async () => {
  graph = await startTestGraph({ onQuery, now: () => NOW });
  org = await createTestOrg(graph.peopleDb);
  admin = { orgId: org.id, userId: org.admin.id, role: 'ADMIN', scopes: ['admin'], keyId: null, authMethod: 'api-key' };
  for (let i = 0; i < 100; i++) users.push(await org.addUser({ managerId: org.admin.id }));
  await graph.time.catchUpDirectory();
  const type = dataOf(await graph.gql<{ createOvertimeType: { id: string } }>(org.admin.key, 'mutation { createOvertimeType(input: { name: "W", code: "W", compensation: TOIL, toilMultiplier: 1 }) { id } }')).createOvertimeType.id;
  for (const user of users.slice(0, 4)) {
    const s = dataOf(await graph.gql<{ createOvertimeSubmission: { id: string } }>(user.key, 'mutation($t: ID!) { createOvertimeSubmission(input: { overtimeTypeId: $t, date: "2026-06-06", hoursWorked: 2 }) { id } }', { t: type })).createOvertimeSubmission.id;
    dataOf(await graph.gql(org.admin.key, 'mutation($id: ID!) { approveOvertimeSubmission(id: $id) { id } }', { id: s }));
  }
  dataOf(await graph.gql(org.admin.key, 'mutation($items: [HoursWorkedInput!]!) { recordHoursWorkedBulk(input: { items: $items }) { failedCount } }', { items: users.slice(0, 10).map((u) => ({ userId: u.id, date: '2026-06-10', hoursWorked: 6 })) }));
  users = [...users];
});
afterAll(() => graph.stop());

describe('User fields of the time subgraph', () => {
  it('should resolve 100 User representations with overtime, TOIL and hours in as many statements as 2', async () => {
    const two = await countStatements(users.slice(0, 2).map((u) => u.id));
    const hundred = await countStatements(users.map((u) => u.id));
    console.log(`time _entities: 2 users -> ${two} statements, 100 users -> ${hundred} statements`);
    if (hundred !== two) console.log(statements.join('\n'));
    expect(hundred).toBe(two);
    expect(hundred).toBeLessThanOrEqual(14);
  });
});
