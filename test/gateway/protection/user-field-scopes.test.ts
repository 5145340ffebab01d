import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayServer, type RunningGateway } from '../../../gateway/server.ts';
import { SUPERGRAPH_PATH } from '../../../schema/compose.ts';
import { createKey, createTestOrg, startTestGraph, TEST_RATE_LIMITS, type GraphQLBody, type TestGraph, type TestOrg, type TestUser } from '../../helpers/graph.ts';

// Personal fields of User need read:people however the User is reached: through a leave
// request (another subgraph's entity reference), a department's members, or `me`.
let graph: TestGraph;
let org: TestOrg;
let member: TestUser;
let leaveOnlyKey: string;
let peopleAndLeaveKey: string;
/** A second gateway over the same subgraphs, in reject mode. */
let rejecting: RunningGateway;

const VIA_LEAVE = '{ leaveRequests { nodes { user { name email } } } }';

interface LeaveView {
  leaveRequests: { nodes: { user: { name: string; email?: string | null } | null }[] };
}

async function post<T>(url: string, key: string, query: string): Promise<{ status: number; body: GraphQLBody<T> }> {
  const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': key }, body: JSON.stringify({ query }) });
  return { status: res.status, body: (await res.json()) as GraphQLBody<T> };
}

beforeAll(async () => {
  graph = await startTestGraph();
  org = await createTestOrg(graph.peopleDb);
  const department = await org.addDepartment('Engineering');
  member = await org.addUser({ firstName: 'Ada', lastName: 'Lovelace', departmentId: department, employmentStartDate: '2020-01-06' });
  await graph.leave.catchUpDirectory();
  const type = await graph.gql<{ createLeaveType: { id: string } }>(org.admin.key, 'mutation { createLeaveType(input: { name: "Annual", code: "AL", defaultEntitlement: 25 }) { id } }');
  const created = await graph.gql(member.key, 'mutation($t: ID!) { createLeaveRequest(input: { leaveTypeId: $t, startDate: "2026-12-14", endDate: "2026-12-14" }) { id } }', {
    t: type.body.data?.createLeaveType.id,
  });
  expect(created.body.errors).toBeUndefined();
  leaveOnlyKey = (await createKey(graph.peopleDb, org.id, org.admin.id, ['read:leave'])).secret;
  peopleAndLeaveKey = (await createKey(graph.peopleDb, org.id, org.admin.id, ['read:leave', 'read:people'])).secret;
  rejecting = await startGatewayServer({
    supergraphSdl: fs.readFileSync(SUPERGRAPH_PATH, 'utf8'),
    subgraphUrls: graph.subgraphUrls(),
    identitySecret: graph.identitySecret,
    scopeMode: 'reject',
    rateLimits: TEST_RATE_LIMITS,
  });
});
afterAll(async () => {
  await rejecting.stop();
  await graph.stop();
});

describe('personal User fields reached through another subgraph', () => {
  it('should give a read:leave key the name and a FORBIDDEN for the email naming the field and scopes (filter mode)', async () => {
    const res = await post<LeaveView>(graph.gateway.url, leaveOnlyKey, VIA_LEAVE);
    expect(res.status).toBe(200);
    const users = res.body.data?.leaveRequests.nodes.map((n) => n.user) ?? [];
    // As Apollo Router does: the refused field is null, with an error at its path.
    expect(users).toEqual([{ name: 'Ada Lovelace', email: null }]);
    expect(JSON.stringify(res.body.data)).not.toContain(member.email);
    expect(res.body.errors).toEqual([
      {
        message: 'Forbidden: User.email requires the scope read:people, which this key or token lacks',
        path: ['leaveRequests', 'nodes', 'user', 'email'],
        extensions: { code: 'FORBIDDEN', field: 'User.email', requiredScopes: [['read:people']] },
      },
    ]);
  });

  it('should answer 403 in reject mode, naming the field', async () => {
    const res = await post(rejecting.url, leaveOnlyKey, VIA_LEAVE);
    expect(res.status).toBe(403);
    expect(res.body.data ?? null).toBeNull();
    expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', field: 'User.email', requiredScopes: [['read:people']] });
  });

  it('should give the email to a key with read:people (the control)', async () => {
    const res = await post<LeaveView>(graph.gateway.url, peopleAndLeaveKey, VIA_LEAVE);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data?.leaveRequests.nodes.map((n) => n.user)).toEqual([{ name: 'Ada Lovelace', email: member.email }]);
  });

  it("should refuse external id, start date and email of a department's members reached from a leave request", async () => {
    const res = await post<LeaveView>(
      graph.gateway.url,
      leaveOnlyKey,
      '{ leaveRequests { nodes { user { department { name members { nodes { id name externalId employmentStartDate email } } } } } } }',
    );
    expect(res.status).toBe(200);
    expect(JSON.stringify(res.body.data)).toContain('Ada Lovelace');
    expect(JSON.stringify(res.body.data)).not.toContain('2020-01-06');
    expect(res.body.errors?.map((e) => e.extensions?.['field']).sort()).toEqual(['User.email', 'User.employmentStartDate', 'User.externalId']);
    for (const error of res.body.errors ?? []) expect(error.path?.slice(0, 6)).toEqual(['leaveRequests', 'nodes', 'user', 'department', 'members', 'nodes']);
  });

  it('should refuse the personal fields of `me` too, and keep every open field', async () => {
    const res = await post<{ me: Record<string, unknown> }>(
      graph.gateway.url,
      leaveOnlyKey,
      '{ me { id name firstName lastName role active manager { id } department { id } workingPattern { monday } country employmentType tags { id } createdAt } }',
    );
    expect(res.body.data?.me).toMatchObject({ id: org.admin.id, role: 'ADMIN', active: true });
    expect(res.body.errors?.map((e) => e.extensions?.['field']).sort()).toEqual(['User.country', 'User.createdAt', 'User.employmentType', 'User.tags', 'User.workingPattern']);
  });

  it('should refuse a personal field asked for inside a fragment on User', async () => {
    const res = await post<LeaveView>(graph.gateway.url, leaveOnlyKey, '{ leaveRequests { nodes { user { ...Who } } } } fragment Who on User { name externalId }');
    expect(res.body.data?.leaveRequests.nodes.map((n) => n.user)).toEqual([{ name: 'Ada Lovelace', externalId: null }]);
    expect(res.body.errors?.map((e) => e.extensions?.['field'])).toEqual(['User.externalId']);
  });
});
