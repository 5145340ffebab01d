import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey, createTestOrg, startTestGraph, type TestGraph, type TestOrg, type TestUser } from '../../helpers/graph.ts';
import { DEFAULT_PROTECTION } from '../../../gateway/operation-policy.ts';
import { DEFAULT_SHAPE_LIMITS } from '../../../gateway/cost/shape-limits.ts';

let graph: TestGraph;
let org: TestOrg;
let manager: TestUser;
let member: TestUser;
let leaveTypeId: string;
/** The manager's key without approve:leave. */
let limitedKey: string;

const CREATE = 'mutation($t: ID!, $s: Date!, $e: Date!) { createLeaveRequest(input: { leaveTypeId: $t, startDate: $s, endDate: $e }) { id status } }';

async function pendingRequest(start: string): Promise<string> {
  const res = await graph.gql<{ createLeaveRequest: { id: string } }>(member.key, CREATE, { t: leaveTypeId, s: start, e: start });
  expect(res.body.errors).toBeUndefined();
  return res.body.data!.createLeaveRequest.id;
}

beforeAll(async () => {
  graph = await startTestGraph({ now: () => new Date('2026-03-02T09:00:00Z') });
  org = await createTestOrg(graph.peopleDb);
  manager = await org.addUser({ role: 'MANAGER' });
  member = await org.addUser({ managerId: manager.id });
  await graph.leave.catchUpDirectory();
  const type = await graph.gql<{ createLeaveType: { id: string } }>(
    org.admin.key,
    'mutation { createLeaveType(input: { name: "Annual leave", code: "AL", defaultEntitlement: 25 }) { id } }',
  );
  leaveTypeId = type.body.data!.createLeaveType.id;
  limitedKey = (await createKey(graph.peopleDb, org.id, manager.id, ['read:leave', 'write:leave'])).secret;
});
afterAll(() => graph.stop());

describe('scopes at the gateway', () => {
  it('should refuse approveLeaveRequest without approve:leave with FORBIDDEN while a sibling field returns data', async () => {
    const id = await pendingRequest('2026-04-13');
    const res = await graph.gql<{ approve: null; own: { id: string; status: string } }>(
      limitedKey,
      `mutation($id: ID!, $t: ID!) {
        approve: approveLeaveRequest(id: $id) { status }
        own: createLeaveRequest(input: { leaveTypeId: $t, startDate: "2026-04-20", endDate: "2026-04-20" }) { id status }
      }`,
      { id, t: leaveTypeId },
    );
    expect(res.status).toBe(200);
    expect(res.body.errors).toEqual([
      {
        message: 'Forbidden: Mutation.approveLeaveRequest requires the scope approve:leave, which this key or token lacks',
        path: ['approve'],
        extensions: { code: 'FORBIDDEN', field: 'Mutation.approveLeaveRequest', requiredScopes: [['approve:leave']] },
      },
    ]);
    expect(res.body.data?.approve).toBeNull();
    expect(res.body.data?.own.status).toBe('PENDING');
    // The refused mutation never ran.
    const after = await graph.gql<{ leaveRequest: { status: string } }>(org.admin.key, 'query($id: ID!) { leaveRequest(id: $id) { status } }', { id });
    expect(after.body.data?.leaveRequest.status).toBe('PENDING');
  });

  it('should refuse a nested field of another domain and keep the rest of the query', async () => {
    const res = await graph.gql<{ leaveRequests: { totalCount: number }; users: null }>(limitedKey, '{ leaveRequests { totalCount } users { totalCount } }');
    expect(res.body.data?.leaveRequests.totalCount).toBeGreaterThan(0);
    expect(res.body.data?.users).toBeNull();
    expect(res.body.errors?.map((e) => [e.path, e.extensions?.['field']])).toEqual([[['users'], 'Query.users']]);
  });

  it('should answer 403 when nothing of the operation may run, without calling a subgraph', async () => {
    const before = graph.gateway.subgraphRequests();
    const res = await graph.gql(limitedKey, 'mutation { deactivateUser(id: "00000000-0000-4000-8000-000000000000") { id } }');
    expect(res.status).toBe(403);
    expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', field: 'Mutation.deactivateUser', requiredScopes: [['write:people']] });
    expect(graph.gateway.subgraphRequests()).toBe(before);
  });

  it('should let the admin scope reach every field', async () => {
    const res = await graph.gql(org.admin.key, '{ leaveRequests { totalCount } users { totalCount } apiKeys { totalCount } }');
    expect(res.body.errors).toBeUndefined();
  });
});

describe('shape limits, before any subgraph is called', () => {
  async function refusedBeforeSubgraphs(query: string, code: string) {
    const before = graph.gateway.subgraphRequests();
    const res = await graph.gql(org.admin.key, query);
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions?.['code']).toBe(code);
    expect(graph.gateway.subgraphRequests()).toBe(before);
    return res;
  }

  it('should refuse a document deeper than the limit with MAX_DEPTH_LIMIT', async () => {
    let selection = 'id';
    for (let i = 0; i < 14; i += 1) selection = `manager { ${selection} }`;
    const res = await refusedBeforeSubgraphs(`{ users { nodes { manager { ${selection} } } } }`, 'MAX_DEPTH_LIMIT');
    expect(res.body.errors?.[0]?.extensions).toMatchObject({ limit: DEFAULT_SHAPE_LIMITS.maxDepth, actual: 3 + 14 + 1 });
  });

  it('should refuse an alias bomb with MAX_ALIASES_LIMIT', async () => {
    const aliases = Array.from({ length: 500 }, (_, i) => `u${i}: users { totalCount }`).join(' ');
    await refusedBeforeSubgraphs(`{ ${aliases} }`, 'MAX_ALIASES_LIMIT');
  });

  it('should refuse too many root fields, too many directives and too many tokens', async () => {
    await refusedBeforeSubgraphs(`{ ${Array.from({ length: 25 }, () => 'me { id }').join(' ')} }`, 'MAX_ROOT_FIELDS_LIMIT');
    await refusedBeforeSubgraphs(`{ me { ${Array.from({ length: 60 }, () => 'id @include(if: true)').join(' ')} } }`, 'MAX_DIRECTIVES_LIMIT');
    await refusedBeforeSubgraphs(`{ me { ${Array.from({ length: 6000 }, () => 'id').join(' ')} } }`, 'MAX_TOKENS_LIMIT');
  });

  it('should refuse a body over the size limit with 413', async () => {
    const res = await fetch(`${graph.gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': org.admin.key },
      body: JSON.stringify({ query: `{ me { id } } # ${'x'.repeat(1_100_000)}` }),
    });
    expect(res.status).toBe(413);
  });
});

describe('query cost', () => {
  it('should refuse an operation over the maximum with its estimate and the maximum, before any subgraph is called', async () => {
    const before = graph.gateway.subgraphRequests();
    const res = await graph.gql(
      org.admin.key,
      '{ users(first: 100) { nodes { leaveRequests(first: 100) { nodes { id leaveType { name } } } } } }',
    );
    expect(res.status).toBe(400);
    const error = res.body.errors?.[0];
    expect(error?.extensions?.['code']).toBe('COST_ESTIMATED_TOO_EXPENSIVE');
    const cost = error?.extensions?.['cost'] as { estimated: number; maximum: number };
    expect(cost.maximum).toBe(DEFAULT_PROTECTION.maxCost);
    expect(cost.estimated).toBeGreaterThan(DEFAULT_PROTECTION.maxCost);
    expect(error?.message).toContain(String(cost.estimated));
    // The response's own cost report: nothing ran, nothing was charged.
    expect((res.body as { extensions?: unknown }).extensions).toEqual({
      cost: { estimated: cost.estimated, actual: 0, maximum: DEFAULT_PROTECTION.maxCost, budget: expect.objectContaining({ remaining: expect.any(Number) }) },
    });
    expect(graph.gateway.subgraphRequests()).toBe(before);
  });

  it('should report the estimate, the actual cost and the budget in every response', async () => {
    const res = await graph.gql<unknown>(org.admin.key, '{ users(first: 50) { nodes { id name } } }');
    expect(res.body.errors).toBeUndefined();
    const cost = (res.body as { extensions?: { cost?: Record<string, unknown> } }).extensions?.cost as {
      estimated: number;
      actual: number;
      maximum: number;
      budget: { maximum: number; remaining: number; restoreRate: number };
    };
    // The estimate assumes 50 users; the organization has 3, so the actual cost is lower.
    expect(cost.estimated).toBeGreaterThan(cost.actual);
    expect(cost.actual).toBeGreaterThan(0);
    expect(cost.maximum).toBe(DEFAULT_PROTECTION.maxCost);
    expect(cost.budget).toMatchObject({ maximum: expect.any(Number), remaining: expect.any(Number), restoreRate: expect.any(Number) });
    expect(res.headers.get('x-ratelimit-limit')).not.toBeNull();
    expect(res.headers.get('x-ratelimit-remaining')).not.toBeNull();
  });
});

describe('a repeated document', () => {
  // The policy reuses its checks of a document it has seen: each must still follow what differs.
  const PAGE = 'query Page($n: Int!, $u: Int!) { users(first: $u) { nodes { leaveRequests(first: $n) { nodes { id } } } } }';

  it('should price it by the variables of each request', async () => {
    const cheap = await graph.gql(org.admin.key, PAGE, { u: 2, n: 2 });
    expect(cheap.body.errors).toBeUndefined();
    const dear = await graph.gql(org.admin.key, PAGE, { u: 100, n: 100 });
    expect(dear.status).toBe(400);
    expect(dear.body.errors?.[0]?.extensions?.['code']).toBe('COST_ESTIMATED_TOO_EXPENSIVE');
    const cheapAgain = await graph.gql(org.admin.key, PAGE, { u: 2, n: 2 });
    expect(cheapAgain.body.errors).toBeUndefined();
    const estimate = (res: typeof cheap) => (res.body as { extensions?: { cost?: { estimated: number } } }).extensions?.cost?.estimated;
    expect(estimate(cheapAgain)).toBe(estimate(cheap));
  });

  it('should check the values of each request', async () => {
    const query = 'query Roles($roles: [Role!]) { users(filter: { roles: $roles }) { nodes { id } } }';
    const fine = await graph.gql(org.admin.key, query, { roles: ['MANAGER'] });
    expect(fine.status).toBe(200);
    const tooMany = await graph.gql(org.admin.key, query, { roles: Array.from({ length: 1001 }, () => 'MANAGER') });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', rule: 'TOO_LONG' });
    const again = await graph.gql(org.admin.key, query, { roles: ['MANAGER'] });
    expect(again.status).toBe(200);
    expect(again.body.errors).toBeUndefined();
  });

  it('should authorize it by the scopes of each caller', async () => {
    const id = await pendingRequest('2026-04-27');
    const query = 'mutation Approve($id: ID!) { approveLeaveRequest(id: $id) { status } }';
    const refused = await graph.gql(limitedKey, query, { id });
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', field: 'Mutation.approveLeaveRequest' });
    const approved = await graph.gql<{ approveLeaveRequest: { status: string } }>(manager.key, query, { id });
    expect(approved.body.errors).toBeUndefined();
    expect(approved.body.data?.approveLeaveRequest.status).toBe('APPROVED');
    const again = await graph.gql(limitedKey, query, { id });
    expect(again.body.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', field: 'Mutation.approveLeaveRequest' });
  });
});

describe('GET requests', () => {
  it('should run a query sent by GET through the same policy, and still refuse a mutation over GET', async () => {
    const query = new URLSearchParams({ query: '{ leaveRequests { totalCount } users { totalCount } }' });
    const res = await fetch(`${graph.gateway.url}/graphql?${query.toString()}`, { headers: { 'x-api-key': limitedKey, 'apollo-require-preflight': 'true' } });
    const body = (await res.json()) as { data?: { users: unknown; leaveRequests: { totalCount: number } }; errors?: { extensions?: Record<string, unknown> }[]; extensions?: { cost?: unknown } };
    expect(res.status).toBe(200);
    expect(body.data?.users).toBeNull();
    expect(body.errors?.map((e) => e.extensions?.['field'])).toEqual(['Query.users']);
    expect(body.extensions?.cost).toBeDefined();
    expect(res.headers.get('x-ratelimit-remaining')).not.toBeNull();
    const mutation = new URLSearchParams({ query: 'mutation { createLeaveType(input: { name: "X", code: "X", defaultEntitlement: 1 }) { id } }' });
    const refused = await fetch(`${graph.gateway.url}/graphql?${mutation.toString()}`, { headers: { 'x-api-key': org.admin.key, 'apollo-require-preflight': 'true' } });
    expect(refused.status).toBe(405);
  });
});

describe('request bodies', () => {
  it('should refuse a batch or a body that is not an operation object with 400', async () => {
    for (const body of ['[{"query":"{ me { id } }"}]', '"{ me { id } }"']) {
      const res = await fetch(`${graph.gateway.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': org.admin.key }, body });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code).toBe('BAD_REQUEST');
    }
  });
});
