import fs from 'node:fs';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startGatewayServer, type RunningGateway } from '../../../gateway/server.ts';
import { SUPERGRAPH_PATH } from '../../../schema/compose.ts';
import { dataOf } from '../../helpers/assertions.ts';
import { createKey, createTestOrg, startTestGraph, TEST_RATE_LIMITS, type TestGraph, type TestOrg, type TestUser } from '../../helpers/graph.ts';

// A stopped clock: budgets do not refill unless a test moves it.
let clock = Date.parse('2026-03-02T09:00:00.000Z');
let graph: TestGraph;
/** A second instance with the usual test limits, for the writes that produce events. */
let writer: RunningGateway;
let org: TestOrg;
let member: TestUser;
let leaveTypeId: string;

beforeAll(async () => {
  graph = await startTestGraph({
    now: () => new Date('2026-03-02T09:00:00Z'),
    protection: { now: () => clock, scopeMode: 'reject', rateLimits: { budgetMaximum: 12, restorePerSecond: 1 } },
  });
  writer = await startGatewayServer({
    supergraphSdl: fs.readFileSync(SUPERGRAPH_PATH, 'utf8'),
    subgraphUrls: graph.subgraphUrls(),
    identitySecret: graph.identitySecret,
    database: graph.database.handle,
    rateLimits: TEST_RATE_LIMITS,
  });
  org = await createTestOrg(graph.peopleDb);
  member = await org.addUser();
  await graph.leave.catchUpDirectory();
  const write = async <T>(key: string, query: string, variables?: Record<string, unknown>) => {
    const res = await fetch(`${writer.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': key }, body: JSON.stringify({ query, variables }) });
    return dataOf({ body: (await res.json()) as { data?: T; errors?: never } });
  };
  leaveTypeId = (await write<{ createLeaveType: { id: string } }>(org.admin.key, 'mutation { createLeaveType(input: { name: "Annual", code: "AL", defaultEntitlement: 25 }) { id } }')).createLeaveType.id;
  requestLeave = (day) =>
    write(member.key, 'mutation($t: ID!, $d: Date!) { createLeaveRequest(input: { leaveTypeId: $t, startDate: $d, endDate: $d }) { id } }', { t: leaveTypeId, d: day });
});
afterAll(async () => {
  await writer.stop();
  await graph.stop();
});

let requestLeave: (day: string) => Promise<unknown>;

function connect(key: string): Client {
  return createClient({ url: `${graph.gateway.url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { 'X-Api-Key': key }, retryAttempts: 0 });
}

describe('the operation policy on subscriptions and in reject mode', () => {
  it('should refuse a whole HTTP operation with 403 when one field is out of scope (SCOPE_MODE=reject)', async () => {
    const key = (await createKey(graph.peopleDb, org.id, org.admin.id, ['read:leave'])).secret;
    const res = await graph.gql(key, '{ leaveTypes { totalCount } users { totalCount } }');
    expect(res.status).toBe(403);
    expect(res.body.data).toBeUndefined();
    expect(res.body.errors?.map((e) => e.extensions?.['field'])).toEqual(['Query.users']);
  });

  it('should refuse a subscription selecting a field out of scope, naming it', async () => {
    const key = (await createKey(graph.peopleDb, org.id, org.admin.id, ['read:leave'])).secret;
    const client = connect(key);
    const errors = await new Promise<readonly { message: string; extensions?: Record<string, unknown> }[]>((resolve) => {
      client.subscribe({ query: 'subscription { leaveRequestEvents { leaveRequest { user { notes { totalCount } } } } }' }, {
        next: () => undefined,
        error: (e) => resolve(e as never),
        complete: () => resolve([]),
      });
    });
    expect(errors[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', field: 'User.notes', requiredScopes: [['read:people']] });
    await client.dispose();
  });

  it('should refuse a subscription whose shape is over the limits', async () => {
    const key = (await createKey(graph.peopleDb, org.id, org.admin.id)).secret;
    const client = connect(key);
    let selection = 'id';
    for (let i = 0; i < 16; i += 1) selection = `manager { ${selection} }`;
    const errors = await new Promise<readonly { extensions?: Record<string, unknown> }[]>((resolve) => {
      client.subscribe({ query: `subscription { leaveRequestEvents { leaveRequest { user { ${selection} } } } }` }, {
        next: () => undefined,
        error: (e) => resolve(e as never),
        complete: () => resolve([]),
      });
    });
    expect(errors[0]?.extensions?.['code']).toBe('MAX_DEPTH_LIMIT');
    await client.dispose();
  });

  it("should charge each event's actual cost and end the subscription with RATE_LIMITED and a resumable cursor when the budget runs out", async () => {
    const key = (await createKey(graph.peopleDb, org.id, org.admin.id)).secret;
    // Estimate: the event (1) + leaveRequest (1) = 2 at subscribe time; each event's follow-up
    // actually costs leaveRequest (1) = 1. A 12-point bucket: 2 + 10 events, then refused.
    const query = 'subscription($after: String) { leaveRequestEvents(after: $after) { cursor type leaveRequest { startDate } } }';
    const client = connect(key);
    const received: { data?: { leaveRequestEvents: { cursor: string; leaveRequest: { startDate: string } } } | null; errors?: { extensions?: Record<string, unknown> }[] }[] = [];
    const finished = new Promise<void>((resolve) => {
      client.subscribe({ query }, { next: (value) => void received.push(value as never), error: () => resolve(), complete: () => resolve() });
    });
    await new Promise((r) => setTimeout(r, 300));
    const days = Array.from({ length: 16 }, (_, i) => `2026-06-${String(i + 1).padStart(2, '0')}`).filter((d) => ![0, 6].includes(new Date(d).getUTCDay()));
    for (const day of days) await requestLeave(day);
    await finished;
    const delivered = received.filter((r) => r.data?.leaveRequestEvents);
    const refusal = received.at(-1)?.errors?.[0];
    expect(delivered).toHaveLength(10);
    expect(refusal?.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 1 });
    // Resuming from the cursor given, once the budget has refilled, delivers the refused event first.
    clock += 60_000;
    const resumed = connect(key);
    const next = await new Promise<{ data?: { leaveRequestEvents: { leaveRequest: { startDate: string } } } }>((resolve) => {
      resumed.subscribe({ query, variables: { after: refusal?.extensions?.['cursor'] } }, { next: (value) => resolve(value as never), error: () => undefined, complete: () => undefined });
    });
    expect(next.data?.leaveRequestEvents.leaveRequest.startDate).toBe(days[10]);
    await client.dispose();
    await resumed.dispose();
  });
});
