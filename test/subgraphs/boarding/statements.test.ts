import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Identity } from '../../../subgraphs/shared/identity.ts';
import { postSigned } from '../../helpers/signed-request.ts';
import { createTestOrg, startTestGraph, type TestGraph } from '../../helpers/graph.ts';
import { DASHBOARD, seedHouse, seedSchool } from './boarding-fixtures.ts';

// Statements of one request to the boarding subgraph's tables, without the background
// directory consumer's and the activation scheduler's (which run on their own timers).
let counting = false;
let statements: string[] = [];
const onQuery = (sql: string) => {
  if (counting && /"boarding"\./.test(sql) && !/"events"|consumer_cursors|pg_advisory|activation_published_at|directory_/.test(sql)) statements.push(sql);
};

let graph: TestGraph;
let identity: Identity;
let small: string;
let large: string;

async function dashboard(houseId: string): Promise<{ data?: { house: { students: { nodes: { activeLeave: unknown; latestRollMark: unknown; contacts: { totalCount: number } }[] } } }; errors?: unknown[] }> {
  const res = await postSigned(graph.boarding.url, 'boarding', identity, graph.identitySecret, { query: DASHBOARD, variables: { id: houseId } });
  return (await res.json()) as never;
}

async function countStatements(houseId: string, expected: number): Promise<number> {
  statements = [];
  counting = true;
  const body = await dashboard(houseId);
  counting = false;
  expect(body.errors).toBeUndefined();
  expect(body.data?.house.students.nodes).toHaveLength(expected);
  return statements.length;
}

beforeAll(async () => {
  graph = await startTestGraph({ onQuery, now: () => new Date('2026-03-02T09:00:00Z'), activationIntervalMs: 60_000 });
  const org = await createTestOrg(graph.peopleDb);
  await graph.boarding.catchUpDirectory();
  identity = { orgId: org.id, userId: org.admin.id, role: 'ADMIN', scopes: ['admin'], keyId: null, authMethod: 'api-key' };
  const school = await seedSchool(graph, org.admin.key);
  small = await seedHouse(graph, org.admin.key, 'Small', 2, school);
  large = await seedHouse(graph, org.admin.key, 'Large', 60, school);
}, 300_000);
afterAll(() => graph.stop());

describe('boarding fetches', () => {
  it('should answer the house dashboard for 60 students in as many statements as for 2', async () => {
    const two = await countStatements(small, 2);
    const sixty = await countStatements(large, 60);
    console.log(`boarding house dashboard: 2 students -> ${two} statements, 60 students -> ${sixty} statements`);
    if (sixty !== two) console.log(statements.join('\n'));
    expect(sixty).toBe(two);
    expect(sixty).toBeLessThanOrEqual(12);
  });

  it('should give each student their own leave, mark and contacts', async () => {
    const body = await dashboard(large);
    const nodes = body.data?.house.students.nodes ?? [];
    expect(nodes.filter((n) => n.activeLeave !== null)).toHaveLength(20);
    expect(nodes.every((n) => n.latestRollMark !== null && n.contacts.totalCount === 1)).toBe(true);
  });
});
