import { createClient as createSseClient } from 'graphql-sse';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { encodeEventCursor } from '../../../gateway/subscriptions/subscription-schema.ts';
import { leaveRequestEvent } from '../../../subgraphs/leave/events.ts';
import { appendEvents, lastEventId } from '../../../subgraphs/shared/outbox.ts';
import { dataOf } from '../../helpers/assertions.ts';
import { createTestOrg, startTestGraph, type TestGraph, type TestOrg, type TestUser } from '../../helpers/graph.ts';

// An unresolvable event is retried for 4 s, then the subscription ends with its cursor.
const HOLD_MS = 4_000;

let graph: TestGraph;
let org: TestOrg;
let employee: TestUser;
let leaveTypeId: string;
const clients: Client[] = [];

type Result = { data?: { leaveRequestEvents: { cursor: string; type: string; leaveRequest: { id: string; user?: { name: string } } } } | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };

function connect(key: string): Client {
  const client = createClient({ url: `${graph.gateway.url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { 'X-Api-Key': key }, retryAttempts: 0 });
  clients.push(client);
  return client;
}

/** Subscribes over WebSocket and collects every result, the end, and a transport failure. */
function collect(client: Client, query: string, variables: Record<string, unknown> = {}) {
  const state = { results: [] as Result[], ended: false, failure: null as unknown };
  client.subscribe({ query, variables }, { next: (r) => void state.results.push(r as Result), error: (e) => (state.failure = e), complete: () => (state.ended = true) });
  return state;
}

async function until(check: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

let day = 0;
/** Makes a leave request through the graph (leave and people up); returns its id. */
async function request(): Promise<string> {
  let date: Date;
  do date = new Date(Date.UTC(2026, 5, 1) + 86_400_000 * day++);
  while ([0, 6].includes(date.getUTCDay()));
  const d = date.toISOString().slice(0, 10);
  const res = await graph.gql<{ createLeaveRequest: { id: string } }>(
    employee.key,
    'mutation($t: ID!, $d: Date!) { createLeaveRequest(input: { leaveTypeId: $t, startDate: $d, endDate: $d }) { id } }',
    { t: leaveTypeId, d },
  );
  return dataOf(res).createLeaveRequest.id;
}

/** Publishes `leave_request.updated` for a request as leave does (committed in its own transaction), whatever service is down. */
async function publishUpdate(id: string): Promise<number> {
  const row = await graph.leaveDb.selectFrom('leave_requests').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const ids = await graph.database.handle.root.transaction().execute((trx) => appendEvents(trx, [leaveRequestEvent(row, 'updated', null)]));
  return ids[0]!;
}

const newestCursor = async () => encodeEventCursor(await lastEventId(graph.database.handle.root));
const QUERY = 'subscription($after: String) { leaveRequestEvents(after: $after) { cursor type leaveRequest { id user { name } } } }';
const idsOf = (results: Result[]) => results.map((r) => r.data?.leaveRequestEvents.leaveRequest.id);

beforeAll(async () => {
  graph = await startTestGraph({ now: () => new Date('2026-03-02T09:00:00Z'), subscriptionEventHoldMs: HOLD_MS });
  org = await createTestOrg(graph.peopleDb);
  employee = await org.addUser({ firstName: 'Dee', lastName: 'Livery', managerId: org.admin.id });
  await graph.leave.catchUpDirectory();
  const type = await graph.gql<{ createLeaveType: { id: string } }>(org.admin.key, 'mutation { createLeaveType(input: { name: "Annual leave", code: "AL", defaultEntitlement: 25 }) { id } }');
  leaveTypeId = dataOf(type).createLeaveType.id;
});
afterAll(async () => {
  for (const client of clients) await client.dispose();
  await graph.stop();
});

describe('no lost event when a subgraph is down', () => {
  it('should hold a replay while leave is stopped and deliver every missed event, in order, once it is back, then live ones', async () => {
    const after = await newestCursor();
    const missed = [await request(), await request(), await request()];
    const start = await graph.stopService('leave');
    const sub = collect(connect(org.admin.key), QUERY, { after });
    await pause(1_200);
    // Nothing was skipped: nothing delivered, no error, the stream open.
    expect(sub.results).toEqual([]);
    expect(sub.ended).toBe(false);
    await start();
    await until(() => sub.results.length >= 3);
    expect(idsOf(sub.results)).toEqual(missed);
    expect(sub.results.every((r) => r.data?.leaveRequestEvents.type === 'CREATED' && r.data.leaveRequestEvents.leaveRequest.user?.name === 'Dee Livery')).toBe(true);
    const live = await request();
    await until(() => sub.results.length >= 4);
    expect(idsOf(sub.results)).toEqual([...missed, live]);
    expect(sub.failure).toBeNull();
  });

  it('should hold live events while people is stopped (no failure cached as invisibility) and deliver them in order once it is back', async () => {
    const sub = collect(connect(org.admin.key), QUERY);
    await pause(300);
    const id = await request();
    await until(() => sub.results.length >= 1);
    const start = await graph.stopService('people');
    const cursors = [await publishUpdate(id), await publishUpdate(id)].map(encodeEventCursor);
    await pause(1_200);
    expect(sub.results).toHaveLength(1);
    expect(sub.ended).toBe(false);
    await start();
    await until(() => sub.results.length >= 3);
    expect(sub.results.slice(1).map((r) => r.data?.leaveRequestEvents.cursor)).toEqual(cursors);
    expect(sub.results[2]?.data?.leaveRequestEvents.leaveRequest.user?.name).toBe('Dee Livery');
    const later = encodeEventCursor(await publishUpdate(id));
    await until(() => sub.results.length >= 4);
    expect(sub.results[3]?.data?.leaveRequestEvents.cursor).toBe(later);
  });

  it('should end the subscription after the hold time with the code, the service and the cursor that re-delivers the event', async () => {
    const id = await request();
    const sub = collect(connect(org.admin.key), QUERY);
    await pause(300);
    const start = await graph.stopService('leave');
    const failed = encodeEventCursor(await publishUpdate(id));
    const behind = encodeEventCursor(await publishUpdate(id));
    await until(() => sub.ended, HOLD_MS + 10_000);
    expect(sub.results).toHaveLength(1);
    const error = sub.results[0]?.errors?.[0];
    expect(error?.extensions).toMatchObject({ service: 'leave', code: expect.stringMatching(/^(SERVICE_UNAVAILABLE|SUBREQUEST_HTTP_ERROR)$/) });
    expect(error?.message).not.toMatch(/127\.0\.0\.1|ECONNREFUSED/);
    await start();
    const resumed = collect(connect(org.admin.key), QUERY, { after: error?.extensions?.['cursor'] });
    await until(() => resumed.results.length >= 2);
    expect(resumed.results.map((r) => r.data?.leaveRequestEvents.cursor)).toEqual([failed, behind]);
  });

  it('should do the same over SSE: a replay held while leave is stopped, delivered in order once it is back', async () => {
    const after = await newestCursor();
    const missed = [await request(), await request()];
    const start = await graph.stopService('leave');
    const client = createSseClient({ url: `${graph.gateway.url}/graphql/stream`, headers: { 'X-Api-Key': org.admin.key }, retryAttempts: 0 });
    const results: Result[] = [];
    let ended = false;
    // Its own selection: the open WebSocket subscribers above resolved these events while leave was up, and their results are shared.
    const query = QUERY.replace('user { name }', 'user { name } startDate');
    const dispose = client.subscribe({ query, variables: { after } }, { next: (r) => void results.push(r as Result), error: () => (ended = true), complete: () => (ended = true) });
    try {
      await pause(1_200);
      expect(results, JSON.stringify(results)).toEqual([]);
      expect(ended).toBe(false);
      await start();
      await until(() => results.length >= 2);
      expect(idsOf(results)).toEqual(missed);
    } finally {
      dispose();
      client.dispose();
    }
  });
});
