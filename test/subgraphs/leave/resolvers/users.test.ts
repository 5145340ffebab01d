import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Identity } from '../../../../subgraphs/shared/identity.ts';
import { postSigned } from '../../../helpers/signed-request.ts';
import { createTestOrg, startTestGraph, type TestGraph, type TestOrg, type TestUser } from '../../../helpers/graph.ts';

// Statements of one request to the leave subgraph: only leave's own tables count, without the
// background outbox consumers' (they share the database with time's and boarding's pollers).
let counting = false;
let statements: string[] = [];
const onQuery = (sql: string) => {
  if (counting && /"leave"\./.test(sql) && !/"events"|consumer_cursors|pg_advisory/.test(sql)) statements.push(sql);
};

let graph: TestGraph;
let org: TestOrg;
let users: TestUser[] = [];
let admin: Identity;
let leaveTypeId: string;

const ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id
  leaveRequests(first: 5) { totalCount pageInfo { hasNextPage } nodes { id amount status leaveType { name } days { date amount } history { action } } }
  allowances { entitlement used pending remaining leaveType { name } }
  currentLeave { id } } } }`;

async function entities(ids: string[]): Promise<{ data?: { _entities: ({ id: string; leaveRequests: { totalCount: number } } | null)[] }; errors?: unknown[] }> {
  const res = await postSigned(graph.leave.url, 'leave', admin, graph.identitySecret, { query: ENTITIES, variables: { r: ids.map((id) => ({ __typename: 'User', id })) } });
  return (await res.json()) as never;
}

async function countStatements(ids: string[]): Promise<number> {
  statements = [];
  counting = true;
  const body = await entities(ids);
  counting = false;
  expect(body.errors).toBeUndefined();
  expect(body.data?._entities).toHaveLength(ids.length);
  return statements.length;
}

beforeAll(async () => {
  graph = await startTestGraph({ onQuery, now: () => new Date('2026-03-02T09:00:00Z') });
  org = await createTestOrg(graph.peopleDb);
  admin = { orgId: org.id, userId: org.admin.id, role: 'ADMIN', scopes: ['admin'], keyId: null, authMethod: 'api-key' };
  users = [];
  for (let i = 0; i < 100; i++) users.push(await org.addUser({ managerId: org.admin.id }));
  await graph.leave.catchUpDirectory();
  await graph.time.catchUpDirectory();
  const type = await graph.gql<{ createLeaveType: { id: string } }>(
    org.admin.key,
    'mutation { createLeaveType(input: { name: "Annual leave", code: "AL", defaultEntitlement: 25 }) { id } }',
  );
  leaveTypeId = type.body.data!.createLeaveType.id;
  // A few users with requests in several states; the others have none.
  const workingDays = ['2026-04-13', '2026-04-14', '2026-04-15', '2026-04-16', '2026-04-17', '2026-04-20'];
  for (const [i, user] of users.slice(0, 6).entries()) {
    const created = await graph.gql<{ createLeaveRequest: { id: string } }>(
      user.key,
      'mutation($t: ID!, $s: Date!, $e: Date!) { createLeaveRequest(input: { leaveTypeId: $t, startDate: $s, endDate: $e }) { id } }',
      { t: leaveTypeId, s: workingDays[i], e: workingDays[i] },
    );
    expect(created.body.errors).toBeUndefined();
    if (i % 2 === 0) {
      await graph.gql(org.admin.key, 'mutation($id: ID!) { approveLeaveRequest(id: $id) { id } }', { id: created.body.data!.createLeaveRequest.id });
    }
  }
  // The first read materializes default allowances; measure steady reads after it.
  await entities(users.map((u) => u.id));
});
afterAll(() => graph.stop());

describe('User fields of the leave subgraph', () => {
  it('should resolve 100 User representations with leave requests and allowances in as many statements as 2', async () => {
    const two = await countStatements(users.slice(0, 2).map((u) => u.id));
    const hundred = await countStatements(users.map((u) => u.id));
    console.log(`leave _entities: 2 users -> ${two} statements, 100 users -> ${hundred} statements`);
    if (hundred !== two) console.log(statements.join("\n"));
    expect(hundred).toBe(two);
    expect(hundred).toBeLessThanOrEqual(15);
  });

  it('should return each user their own page and counts', async () => {
    const body = await entities(users.slice(0, 7).map((u) => u.id));
    expect(body.data?._entities.map((u) => u?.leaveRequests.totalCount)).toEqual([1, 1, 1, 1, 1, 1, 0]);
  });

  it('should refuse a colleague the leave of another person but show a person their own', async () => {
    const [a, b] = users;
    const query = 'query($id: ID!) { user(id: $id) { name leaveRequests { totalCount } } }';
    const own = await graph.gql<{ user: { leaveRequests: { totalCount: number } } }>(a!.key, query, { id: a!.id });
    expect(own.body.data?.user.leaveRequests.totalCount).toBe(1);
    const other = await graph.gql(a!.key, query, { id: b!.id });
    expect(other.body.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    expect(other.body.errors?.[0]?.path).toEqual(['user', 'leaveRequests']);
  });

  it('should read first pages with their counts, and allowances with their balances, in one statement each', async () => {
    const person = users[7]!;
    for (const day of ['2026-05-12', '2026-05-13', '2026-05-14']) {
      const created = await graph.gql(person.key, 'mutation($t: ID!, $d: Date!) { createLeaveRequest(input: { leaveTypeId: $t, startDate: $d, endDate: $d }) { id } }', { t: leaveTypeId, d: day });
      expect(created.body.errors).toBeUndefined();
    }
    type Page = { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: { startDate: string }[] };
    type Entity = { leaveRequests: Page; allowances: { remaining: number; leaveType: { name: string } }[] };
    const query = `query($r: [_Any!]!, $after: String) { _entities(representations: $r) { ... on User {
      leaveRequests(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { startDate } }
      allowances { remaining leaveType { name } } } } }`;
    const read = async (ids: string[], after: string | null) => {
      statements = [];
      counting = true;
      const res = await postSigned(graph.leave.url, 'leave', admin, graph.identitySecret, { query, variables: { r: ids.map((id) => ({ __typename: 'User', id })), after } });
      counting = false;
      const body = (await res.json()) as { data?: { _entities: Entity[] }; errors?: unknown[] };
      expect(body.errors).toBeUndefined();
      return body.data!._entities;
    };
    const of = (pattern: RegExp) => statements.filter((s) => pattern.test(s)).length;

    const first = await read(users.map((u) => u.id), null);
    // The people, the organization, the deducting leave types, the allowances with their sums, their types by id, the pages with their counts.
    expect(statements).toHaveLength(6);
    expect(of(/row_number\(\) over \(partition by leave_requests\.user_id/)).toBe(1);
    expect(of(/count\(\*\)::int as "n"/)).toBe(0);
    expect(of(/from "leave"\."allowances"/)).toBe(1);
    expect(of(/from "leave"\."leave_types"/)).toBe(2);
    const mine = first[7]!;
    expect(mine.leaveRequests).toMatchObject({ totalCount: 3, pageInfo: { hasNextPage: true }, nodes: [{ startDate: '2026-05-14' }, { startDate: '2026-05-13' }] });
    expect(mine.allowances).toEqual([{ remaining: 22, leaveType: { name: 'Annual leave' } }]);
    expect(first.slice(0, 8).map((u) => u.leaveRequests.totalCount)).toEqual([1, 1, 1, 1, 1, 1, 0, 3]);

    // After a cursor the page's rows cannot count the person's requests: one count statement more.
    const next = await read([person.id], mine.leaveRequests.pageInfo.endCursor);
    expect(of(/row_number\(\) over \(partition by leave_requests\.user_id/)).toBe(1);
    expect(of(/count\(\*\)::int as "n"/)).toBe(1);
    expect(next[0]!.leaveRequests).toMatchObject({ totalCount: 3, pageInfo: { hasNextPage: false }, nodes: [{ startDate: '2026-05-12' }] });
  });
});
