import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { dataOf } from '../../helpers/assertions.ts';
import { createKey, createTestOrg, startTestGraph, type TestGraph, type TestOrg, type TestUser } from '../../helpers/graph.ts';

// A stopped clock: the budget does not refill during the test.
const clock = Date.parse('2026-03-02T09:00:00.000Z');
const SUBSCRIBERS = 300;
const EVENTS = 5;

let graph: TestGraph;
let org: TestOrg;
let member: TestUser;
let leaveTypeId: string;
const clients: Client[] = [];

beforeAll(async () => {
  graph = await startTestGraph({
    now: () => new Date('2026-03-02T09:00:00Z'),
    maxSubscriptionsPerConnection: 100,
    protection: { now: () => clock, rateLimits: { budgetMaximum: 1_000, restorePerSecond: 1 } },
  });
  org = await createTestOrg(graph.peopleDb);
  member = await org.addUser();
  await graph.leave.catchUpDirectory();
  const type = await graph.gql<{ createLeaveType: { id: string } }>(org.admin.key, 'mutation { createLeaveType(input: { name: "Annual", code: "AL", defaultEntitlement: 25 }) { id } }');
  leaveTypeId = dataOf(type).createLeaveType.id;
});
afterAll(async () => {
  for (const client of clients) await client.dispose();
  await graph.stop();
});

describe('charging subscription events', () => {
  it(`should charge an event once per key and selection group, so ${SUBSCRIBERS} subscribers of one key keep receiving events the budget pays for once`, async () => {
    // 1,000 points: subscribing costs each subscription its estimate (2), 600 in all; each event's
    // group costs 1. Charged per subscriber, the second event (300 points) would end them all.
    const key = (await createKey(graph.peopleDb, org.id, org.admin.id)).secret;
    const received = Array.from({ length: SUBSCRIBERS }, () => [] as { data?: unknown; errors?: { extensions?: Record<string, unknown> }[] }[]);
    for (let c = 0; c < SUBSCRIBERS / 100; c++) {
      const client = createClient({ url: `${graph.gateway.url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { 'X-Api-Key': key }, retryAttempts: 0 });
      clients.push(client);
      for (let i = 0; i < 100; i++) {
        const sink = received[c * 100 + i]!;
        client.subscribe({ query: 'subscription { leaveRequestEvents { cursor leaveRequest { startDate } } }' }, { next: (r) => void sink.push(r as never), error: () => undefined, complete: () => undefined });
      }
    }
    await new Promise((r) => setTimeout(r, 1_500));
    const days = ['2026-06-01', '2026-06-02', '2026-06-03', '2026-06-04', '2026-06-05'].slice(0, EVENTS);
    for (const day of days) {
      const res = await graph.gql(member.key, 'mutation($t: ID!, $d: Date!) { createLeaveRequest(input: { leaveTypeId: $t, startDate: $d, endDate: $d }) { id } }', { t: leaveTypeId, d: day });
      dataOf(res);
    }
    const end = Date.now() + 20_000;
    while (received.some((r) => r.length < EVENTS) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    const refused = received.flat().filter((r) => r.errors);
    expect(refused.map((r) => r.errors?.[0]?.extensions?.['code'])).toEqual([]);
    for (const results of received) {
      expect(results.map((r) => (r.data as { leaveRequestEvents: { leaveRequest: { startDate: string } } }).leaveRequestEvents.leaveRequest.startDate)).toEqual(days);
    }
  });
});
