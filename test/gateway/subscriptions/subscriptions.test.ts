import { createClient, type Client } from 'graphql-ws';
import { sql } from 'kysely';
import { QueryPlanner } from '@apollo/query-planner';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { createTestOrg, startTestGraph, type TestGraph, type TestOrg, type TestUser } from '../../helpers/graph.ts';
import { dataOf } from '../../helpers/assertions.ts';
import { graphqlErrors } from '../../../subgraphs/shared/metrics.ts';

let graph: TestGraph;
let org: TestOrg;
let other: TestOrg;
let manager: TestUser;
let employee: TestUser;
let colleague: TestUser;
let departmentId: string;
let leaveTypeId: string;
const clients: Client[] = [];

function connect(key: string): Client {
  const client = createClient({ url: `${graph.gateway.url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { 'X-Api-Key': key }, retryAttempts: 0 });
  clients.push(client);
  return client;
}

/** Subscribes and collects results; `next(n)` waits for the n-th one. */
function collect(client: Client, query: string, variables: Record<string, unknown> = {}) {
  const results: { data?: Record<string, unknown> | null; errors?: unknown }[] = [];
  let failure: unknown = null;
  const dispose = client.subscribe({ query, variables }, { next: (r) => void results.push(r as never), error: (e) => (failure = e), complete: () => undefined });
  return {
    results,
    dispose,
    async next(n: number, ms = 10_000) {
      const end = Date.now() + ms;
      while (results.length < n) {
        if (failure) throw new Error(`subscription failed: ${JSON.stringify(failure)}`);
        if (Date.now() > end) throw new Error(`only ${results.length} of ${n} results after ${ms} ms`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return results[n - 1]!;
    },
  };
}

/** Waits (up to 5 s) until the gateway has prepared a follow-up beyond the `prepared` it had. */
async function preparationAfter(prepared: number): Promise<void> {
  const until = Date.now() + 5_000;
  while (graph.gateway.preparedFollowUps() === prepared && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
}

async function request(user: TestUser, date: string): Promise<string> {
  const res = await graph.gql<{ createLeaveRequest: { id: string } }>(
    user.key,
    'mutation($t: ID!, $d: Date!) { createLeaveRequest(input: { leaveTypeId: $t, startDate: $d, endDate: $d }) { id } }',
    { t: leaveTypeId, d: date },
  );
  return dataOf(res).createLeaveRequest.id;
}

beforeAll(async () => {
  graph = await startTestGraph({ now: () => new Date('2026-03-02T09:00:00Z') });
  org = await createTestOrg(graph.peopleDb);
  other = await createTestOrg(graph.peopleDb);
  manager = await org.addUser({ role: 'MANAGER', firstName: 'Maya', lastName: 'Manager' });
  departmentId = await org.addDepartment('Engineering', manager.id);
  employee = await org.addUser({ firstName: 'Ann', lastName: 'Engineer', departmentId, managerId: manager.id });
  colleague = await org.addUser({ firstName: 'Ben', lastName: 'Builder', departmentId, managerId: manager.id });
  await graph.leave.catchUpDirectory();
  const type = await graph.gql<{ createLeaveType: { id: string } }>(org.admin.key, 'mutation { createLeaveType(input: { name: "Annual leave", code: "AL", defaultEntitlement: 25 }) { id } }');
  leaveTypeId = dataOf(type).createLeaveType.id;
});
afterAll(async () => {
  for (const client of clients) await client.dispose();
  await graph.stop();
});

const NESTED = `
  subscription Approvals($withManager: Boolean!, $types: [LeaveRequestEventType!]) {
    leaveRequestEvents(filter: { types: $types }) {
      cursor
      kind: type
      actor { name }
      request: leaveRequest {
        ...RequestFields
        who: user { name department { name } manager @include(if: $withManager) { name } }
      }
    }
  }
  fragment RequestFields on LeaveRequest { id state: status startDate leaveType { name } decidedBy { name } }`;

describe('subscriptions over graphql-ws', () => {
  it('should deliver an approval with a nested selection across people and leave, keeping aliases, fragments and @include', async () => {
    const sub = collect(connect(manager.key), NESTED, { withManager: true, types: ['APPROVED'] });
    await new Promise((r) => setTimeout(r, 600));
    const id = await request(employee, '2026-04-14');
    dataOf(await graph.gql(manager.key, 'mutation($id: ID!) { approveLeaveRequest(id: $id) { id } }', { id }));
    const result = await sub.next(1);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      leaveRequestEvents: {
        cursor: expect.any(String),
        kind: 'APPROVED',
        actor: { name: 'Maya Manager' },
        request: {
          id,
          state: 'APPROVED',
          startDate: '2026-04-14',
          leaveType: { name: 'Annual leave' },
          decidedBy: { name: 'Maya Manager' },
          who: { name: 'Ann Engineer', department: { name: 'Engineering' }, manager: { name: 'Maya Manager' } },
        },
      },
    });
    sub.dispose();
  });

  it('should leave out what @include excludes', async () => {
    const sub = collect(connect(org.admin.key), NESTED, { withManager: false, types: ['CREATED'] });
    await new Promise((r) => setTimeout(r, 600));
    await request(colleague, '2026-04-15');
    const result = await sub.next(1);
    const request_ = (result.data?.['leaveRequestEvents'] as { request: { who: Record<string, unknown> } }).request;
    expect(request_.who).toEqual({ name: 'Ben Builder', department: { name: 'Engineering' } });
    sub.dispose();
  });

  it('should deliver nothing to another organization, nor to an employee who may not see the request', async () => {
    const outsider = collect(connect(other.admin.key), 'subscription { leaveRequestEvents { leaveRequest { id } } }');
    const peer = collect(connect(colleague.key), 'subscription { leaveRequestEvents { leaveRequest { id } } }');
    const watcher = collect(connect(manager.key), 'subscription { leaveRequestEvents { leaveRequest { id } } }');
    await new Promise((r) => setTimeout(r, 600));
    const id = await request(employee, '2026-04-16');
    expect((await watcher.next(1)).data).toEqual({ leaveRequestEvents: { leaveRequest: { id } } });
    await new Promise((r) => setTimeout(r, 500));
    expect(outsider.results).toEqual([]);
    expect(peer.results).toEqual([]);
    for (const sub of [outsider, peer, watcher]) sub.dispose();
  });

  it('should refuse a connection without a valid key', async () => {
    const client = createClient({ url: `${graph.gateway.url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { 'X-Api-Key': 'nope' }, retryAttempts: 0 });
    clients.push(client);
    const closed = await new Promise<number>((resolve) => {
      client.on('closed', (event) => resolve((event as { code: number }).code));
      client.subscribe({ query: 'subscription { leaveRequestEvents { cursor } }' }, { next: () => undefined, error: () => undefined, complete: () => undefined });
    });
    expect(closed).toBe(4403);
  });

  it('should show the subscriptions in introspection and refuse one over HTTP', async () => {
    const res = await graph.gql<{ __schema: { subscriptionType: { fields: { name: string }[] } } }>(org.admin.key, '{ __schema { subscriptionType { fields { name } } } }');
    expect(dataOf(res).__schema.subscriptionType.fields.map((f) => f.name)).toEqual(['leaveRequestEvents', 'allowanceEvents', 'overtimeEvents', 'toilEvents', 'studentLeaveEvents', 'studentLocationEvents', 'rollEvents', 'pastoralEvents', 'userEvents', 'departmentEvents', 'organizationEvents']);
    const http = await graph.gql(org.admin.key, 'subscription { leaveRequestEvents { cursor } }');
    expect(http.body.errors?.[0]?.message).toContain('WebSocket');
  });

  it('should resume after a cursor with exactly the missed events, in order, then continue live', async () => {
    const query = 'subscription($after: String) { leaveRequestEvents(after: $after) { cursor type leaveRequest { id startDate } } }';
    const first = collect(connect(manager.key), query, {});
    await new Promise((r) => setTimeout(r, 600));
    const a = await request(employee, '2026-05-12');
    const seen = await first.next(1);
    const cursor = (seen.data?.['leaveRequestEvents'] as { cursor: string }).cursor;
    first.dispose();
    // Three transitions while disconnected.
    const b = await request(employee, '2026-05-13');
    dataOf(await graph.gql(manager.key, 'mutation($id: ID!) { approveLeaveRequest(id: $id) { id } }', { id: a }));
    dataOf(await graph.gql(manager.key, 'mutation($id: ID!) { rejectLeaveRequest(id: $id) { id } }', { id: b }));
    const resumed = collect(connect(manager.key), query, { after: cursor });
    await resumed.next(3);
    const c = await request(employee, '2026-05-14');
    await resumed.next(4);
    await new Promise((r) => setTimeout(r, 600));
    const events = resumed.results.map((r) => r.data?.['leaveRequestEvents'] as { type: string; leaveRequest: { id: string } });
    expect(events.map((e) => [e.type, e.leaveRequest.id])).toEqual([
      ['CREATED', b],
      ['APPROVED', a],
      ['REJECTED', b],
      ['CREATED', c],
    ]);
    resumed.dispose();
  });

  it('should resolve identical selections of one event once, whatever the number of subscribers', async () => {
    const query = 'subscription { leaveRequestEvents(filter: { types: [CREATED] }) { leaveRequest { dedupeProbe: id user { name } } } }';
    const count = () => graph.gateway.followUpQueries('dedupeProbe');
    const one = collect(connect(org.admin.key), query);
    await new Promise((r) => setTimeout(r, 600));
    await request(employee, '2026-05-18');
    await one.next(1);
    expect(count()).toBe(1);
    const more = Array.from({ length: 5 }, () => collect(connect(org.admin.key), query));
    await new Promise((r) => setTimeout(r, 600));
    await request(employee, '2026-05-19');
    for (const sub of [one, ...more]) await sub.next(sub === one ? 2 : 1);
    expect(count()).toBe(2);
    for (const sub of [one, ...more]) sub.dispose();
  });

  it("should plan a new selection's follow-up once when it is first subscribed, calling no subgraph, so that its first event plans nothing", async () => {
    const query = 'subscription { leaveRequestEvents(filter: { types: [CREATED] }) { leaveRequest { preparedProbe: id leaveType { name } user { name } } } }';
    const planning = vi.spyOn(QueryPlanner.prototype, 'buildQueryPlan');
    const followUpPlans = () => planning.mock.calls.filter(([operation]) => operation.name === 'SubscriptionFollowUp').length;
    try {
      const prepared = graph.gateway.preparedFollowUps();
      const sent = graph.gateway.subgraphRequests();
      const subs = [collect(connect(org.admin.key), query), collect(connect(org.admin.key), query)];
      await preparationAfter(prepared);
      await new Promise((r) => setTimeout(r, 600));
      // Two subscribers of one selection: one preparation, one plan, no subgraph called.
      expect(graph.gateway.preparedFollowUps()).toBe(prepared + 1);
      expect(followUpPlans()).toBe(1);
      expect(graph.gateway.subgraphRequests()).toBe(sent);
      const id = await request(employee, '2026-05-20');
      for (const sub of subs) {
        expect((await sub.next(1)).data).toEqual({ leaveRequestEvents: { leaveRequest: { preparedProbe: id, leaveType: { name: 'Annual leave' }, user: { name: 'Ann Engineer' } } } });
      }
      // The first event found the plan built.
      expect(followUpPlans()).toBe(1);
      for (const sub of subs) sub.dispose();
    } finally {
      planning.mockRestore();
    }
  });

  it('should count no gateway error when preparing a follow-up whose entity field is non-null', async () => {
    const gatewayErrors = async () => (await graphqlErrors.get()).values.filter((v) => v.labels['service'] === 'gateway').reduce((sum, v) => sum + v.value, 0);
    const before = await gatewayErrors();
    const prepared = graph.gateway.preparedFollowUps();
    // Subscription.studentLocationEvents' follow-up reads Query.student, which is `Student!`: planned with no data, it answers an error.
    const sub = collect(connect(org.admin.key), 'subscription { studentLocationEvents { student { id preparedErrorsProbe: firstName } } }');
    await preparationAfter(prepared);
    expect(graph.gateway.preparedFollowUps()).toBe(prepared + 1);
    expect(await gatewayErrors()).toBe(before);
    sub.dispose();
  });

  it('should refuse a cursor that is not ours', async () => {
    const sub = collect(connect(manager.key), 'subscription { leaveRequestEvents(after: "bogus") { cursor } }');
    const result = await sub.next(1);
    expect((result.errors as { extensions: { code: string } }[] | undefined)?.[0]?.extensions.code).toBe('BAD_USER_INPUT');
  });

  it('should refuse a cursor older than the retained events with CURSOR_EXPIRED', async () => {
    const db = graph.database.handle.root;
    const { rows } = await sql<{ id: string | number }>`select min(id) as id from events.outbox`.execute(db);
    const oldest = Number(rows[0]?.id);
    // A cursor well below the oldest kept event, as if retention had removed what followed it.
    await sql`delete from events.outbox where id < ${oldest + 5}`.execute(db);
    const cursor = Buffer.from(`event:${oldest}`).toString('base64url');
    const sub = collect(connect(manager.key), 'subscription($c: String) { leaveRequestEvents(after: $c) { cursor } }', { c: cursor });
    const result = await sub.next(1);
    expect((result.errors as { extensions: Record<string, unknown> }[] | undefined)?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', rule: 'CURSOR_EXPIRED' });
  });
});
