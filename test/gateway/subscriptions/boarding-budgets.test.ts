import fs from 'node:fs';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startGatewayServer, type RunningGateway } from '../../../gateway/server.ts';
import { SUPERGRAPH_PATH } from '../../../schema/compose.ts';
import { dataOf } from '../../helpers/assertions.ts';
import { createKey, createTestOrg, startTestGraph, TEST_RATE_LIMITS, type TestGraph, type TestOrg } from '../../helpers/graph.ts';

// Boarding's subscriptions obey the gateway's budgets as the leave subscriptions do
// (protection/subscription-policy.test.ts, event-charges.test.ts): each event's actual cost is
// charged to the key, once per selection group, and a subscription whose key runs out ends
// with RATE_LIMITED and a cursor to resume from. A stopped clock: budgets refill only when moved.
let clock = Date.parse('2026-03-02T09:00:00.000Z');
let graph: TestGraph;
/** A second instance with the usual test limits, for the writes that produce events. */
let writer: RunningGateway;
let org: TestOrg;
const clients: Client[] = [];

async function write<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await fetch(`${writer.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': org.admin.key }, body: JSON.stringify({ query, variables }) });
  return dataOf({ body: (await res.json()) as { data?: T; errors?: never } });
}

function connect(key: string): Client {
  const client = createClient({ url: `${graph.gateway.url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { 'X-Api-Key': key }, retryAttempts: 0 });
  clients.push(client);
  return client;
}

type Result = { data?: Record<string, Record<string, unknown>> | null; errors?: { extensions?: Record<string, unknown> }[] };

function subscribe(client: Client, query: string, variables: Record<string, unknown> = {}) {
  const results: Result[] = [];
  let ended = false;
  client.subscribe(
    { query, variables },
    {
      next: (r) => void results.push(r as Result),
      // A refusal at subscribe time arrives as the error's GraphQL errors.
      error: (e) => {
        if (Array.isArray(e)) results.push({ errors: e as Result['errors'] });
        ended = true;
      },
      complete: () => (ended = true),
    },
  );
  return {
    results,
    get ended() {
      return ended;
    },
  };
}

async function until(done: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error(`not done after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
const settle = () => new Promise((r) => setTimeout(r, 300));

let students: string[] = [];
let campus: string;
let leaveType: string;
let rollType: string;

/**
 * Each stream: its subscription (an `after` argument, the cursor, and one field of the entity:
 * estimated 2 at subscribe time, each event's follow-up actually costing 1), a write producing
 * its i-th event, and the label that event's selection shows.
 */
const STREAMS = [
  {
    field: 'studentLocationEvents',
    query: 'subscription($after: String) { studentLocationEvents(after: $after) { cursor student { lastName } } }',
    produce: (i: number) => write('mutation($s: ID!, $l: ID!) { moveStudents(input: { students: { ids: [$s] }, locationId: $l }) { id } }', { s: students[i], l: campus }),
    label: (r: Result) => (r.data?.['studentLocationEvents']?.['student'] as { lastName: string } | undefined)?.lastName,
    expected: (i: number) => `Pupil${i}`,
  },
  {
    field: 'studentLeaveEvents',
    query: 'subscription($after: String) { studentLeaveEvents(after: $after) { cursor studentLeave { note } } }',
    produce: (i: number) =>
      write('mutation($s: ID!, $t: ID!, $n: String) { createStudentLeave(input: { students: { ids: [$s] }, leaveTypeId: $t, startsAt: "2026-04-01T09:00:00Z", endsAt: "2026-04-02T09:00:00Z", note: $n }) { id } }', {
        s: students[i],
        t: leaveType,
        n: `Leave${i}`,
      }),
    label: (r: Result) => (r.data?.['studentLeaveEvents']?.['studentLeave'] as { note: string } | undefined)?.note,
    expected: (i: number) => `Leave${i}`,
  },
  {
    field: 'rollEvents',
    query: 'subscription($after: String) { rollEvents(after: $after) { cursor roll { referenceLabel } } }',
    produce: (i: number) => write('mutation($t: ID!, $r: String) { takeAutomaticRoll(input: { rollTypeId: $t, referenceLabel: $r }) { id } }', { t: rollType, r: `Roll${i}` }),
    label: (r: Result) => (r.data?.['rollEvents']?.['roll'] as { referenceLabel: string } | undefined)?.referenceLabel,
    expected: (i: number) => `Roll${i}`,
  },
] as const;

beforeAll(async () => {
  graph = await startTestGraph({
    now: () => new Date('2026-03-02T09:00:00Z'),
    activationIntervalMs: 60_000,
    protection: { now: () => clock, rateLimits: { budgetMaximum: 12, restorePerSecond: 1 } },
  });
  writer = await startGatewayServer({
    supergraphSdl: fs.readFileSync(SUPERGRAPH_PATH, 'utf8'),
    subgraphUrls: graph.subgraphUrls(),
    identitySecret: graph.identitySecret,
    database: graph.database.handle,
    rateLimits: TEST_RATE_LIMITS,
  });
  org = await createTestOrg(graph.peopleDb, 'Budget school');
  await graph.boarding.catchUpDirectory();
  students = [];
  for (let i = 0; i < 12; i++) students.push((await write<{ createStudent: { id: string } }>('mutation($l: String!) { createStudent(input: { firstName: "Pupil", lastName: $l }) { id } }', { l: `Pupil${i}` })).createStudent.id);
  campus = (await write<{ createLocation: { id: string } }>('mutation { createLocation(input: { name: "Campus", type: ZONE, state: ON_GROUNDS }) { id } }')).createLocation.id;
  leaveType = (await write<{ createStudentLeaveType: { id: string } }>('mutation { createStudentLeaveType(input: { name: "Weekend", shortCode: "WL" }) { id } }')).createStudentLeaveType.id;
  rollType = (await write<{ createRollType: { id: string } }>('mutation { createRollType(input: { name: "House" }) { id } }')).createRollType.id;
});
afterAll(async () => {
  for (const client of clients) await client.dispose();
  await writer.stop();
  await graph.stop();
});

describe.each(STREAMS)('the budgets of $field', (stream) => {
  it("should charge each event's actual cost to the key and end with RATE_LIMITED and a resumable cursor when it runs out", async () => {
    const key = (await createKey(graph.peopleDb, org.id, org.admin.id, ['read:boarding'])).secret;
    // 12 points: 2 to subscribe, then 1 per event: 10 events, the 11th refused.
    const sub = subscribe(connect(key), stream.query);
    await settle();
    for (let i = 0; i < 12; i++) await stream.produce(i);
    await until(() => sub.ended);
    const delivered = sub.results.filter((r) => r.data?.[stream.field]);
    expect(delivered.map(stream.label)).toEqual(Array.from({ length: 10 }, (_, i) => stream.expected(i)));
    const refusal = sub.results.at(-1)?.errors?.[0];
    expect(refusal?.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 1, cursor: expect.any(String) });
    // Another key's budget is its own: it subscribes while this one is spent.
    const otherKey = (await createKey(graph.peopleDb, org.id, org.admin.id, ['read:boarding'])).secret;
    const other = subscribe(connect(otherKey), stream.query);
    const spent = subscribe(connect(key), stream.query);
    await until(() => spent.ended);
    expect(spent.results.at(-1)?.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED' });
    expect(other.ended).toBe(false);
    // Resuming from the refusal's cursor, once the budget has refilled, delivers the refused event first.
    clock += 60_000;
    const resumed = subscribe(connect(key), stream.query, { after: refusal?.extensions?.['cursor'] });
    await until(() => resumed.results.length >= 2);
    expect(resumed.results.slice(0, 2).map(stream.label)).toEqual([stream.expected(10), stream.expected(11)]);
  });

  it('should charge an event once per key and selection group, so five subscribers of one key cost what one does', async () => {
    clock += 60_000;
    const key = (await createKey(graph.peopleDb, org.id, org.admin.id, ['read:boarding'])).secret;
    // 12 points: 5 subscriptions cost 2 each (10); each event's group costs 1, so two events
    // reach all five and the third ends them. Charged per subscriber, the first would end them.
    const client = connect(key);
    const subs = Array.from({ length: 5 }, () => subscribe(client, stream.query));
    await settle();
    for (let i = 0; i < 3; i++) await stream.produce(i);
    await until(() => subs.every((s) => s.ended));
    for (const s of subs) {
      expect(s.results.filter((r) => r.data?.[stream.field]).map(stream.label)).toEqual([stream.expected(0), stream.expected(1)]);
      expect(s.results.at(-1)?.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED' });
    }
  });
});
