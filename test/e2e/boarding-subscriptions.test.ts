import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { dataOf } from '../helpers/assertions.ts';
import { createKey, createTestOrg, startTestGraph, type TestGraph, type TestOrg } from '../helpers/graph.ts';

// Boarding's event streams end to end: a write through the gateway reaches a subscriber of
// the same organization, with the selection resolved for that subscriber, and nobody else.
let graph: TestGraph;
let org: TestOrg;
let other: TestOrg;
let reader: string;
let sensitiveReader: string;
const clients: Client[] = [];

function connect(key: string): Client {
  const client = createClient({ url: `${graph.gateway.url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { 'X-Api-Key': key }, retryAttempts: 0 });
  clients.push(client);
  return client;
}

function collect(client: Client, query: string, variables: Record<string, unknown> = {}) {
  const results: { data?: Record<string, unknown> | null; errors?: unknown }[] = [];
  let failure: unknown = null;
  client.subscribe({ query, variables }, { next: (r) => void results.push(r as never), error: (e) => (failure = e), complete: () => undefined });
  return {
    results,
    async next(n: number, ms = 15_000) {
      const end = Date.now() + ms;
      while (results.length < n) {
        if (failure) throw new Error(`subscription failed: ${JSON.stringify(failure)}`);
        if (Date.now() > end) throw new Error(`only ${results.length} of ${n} results after ${ms} ms`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return results[n - 1] as { data: Record<string, Record<string, unknown>> };
    },
  };
}

const ok = async <T = Record<string, unknown>>(key: string, query: string, variables: Record<string, unknown> = {}) => dataOf(await graph.gql<T>(key, query, variables));
const settle = () => new Promise((r) => setTimeout(r, 300));

let student: string;
let library: string;
let leaveType: string;
let category: string;

beforeAll(async () => {
  graph = await startTestGraph({ activationIntervalMs: 100 });
  org = await createTestOrg(graph.peopleDb, 'Subscribing school');
  other = await createTestOrg(graph.peopleDb, 'Other school');
  reader = (await createKey(graph.peopleDb, org.id, org.admin.id, ['read:boarding', 'write:boarding'])).secret;
  sensitiveReader = (await createKey(graph.peopleDb, org.id, org.admin.id, ['read:boarding', 'write:boarding', 'read:pastoral-sensitive'])).secret;
  await graph.boarding.catchUpDirectory();
  const key = org.admin.key;
  student = (await ok<{ createStudent: { id: string } }>(key, 'mutation { createStudent(input: { firstName: "Mia", lastName: "Moves", sisId: "SUB1" }) { id } }')).createStudent.id;
  const zone = (await ok<{ createLocation: { id: string } }>(key, 'mutation { createLocation(input: { name: "Campus", type: ZONE, state: ON_GROUNDS }) { id } }')).createLocation.id;
  library = (await ok<{ createLocation: { id: string } }>(key, 'mutation($p: ID) { createLocation(input: { name: "Library", type: ROOM, parentId: $p }) { id } }', { p: zone })).createLocation.id;
  leaveType = (await ok<{ createStudentLeaveType: { id: string } }>(key, 'mutation { createStudentLeaveType(input: { name: "Weekend", shortCode: "WL" }) { id } }')).createStudentLeaveType.id;
  category = (await ok<{ createPastoralCategory: { id: string } }>(key, 'mutation { createPastoralCategory(input: { name: "Wellbeing" }) { id } }')).createPastoralCategory.id;
});
afterAll(async () => {
  for (const c of clients) await c.dispose();
  await graph.stop();
});

describe('boarding subscriptions', () => {
  it('should show a subscriber a student move with their selection, and nothing to another organization', async () => {
    const mine = collect(connect(org.admin.key), 'subscription { studentLocationEvents { type student { id name currentLocation { location { name state } } } } }');
    const theirs = collect(connect(other.admin.key), 'subscription { studentLocationEvents { type student { id } } }');
    await settle();
    await ok(org.admin.key, 'mutation($l: ID!) { moveStudents(input: { students: { sisIds: ["SUB1"] }, locationId: $l }) { id } }', { l: library });
    const event = await mine.next(1);
    expect(event.data['studentLocationEvents']).toEqual({ type: 'CHECK_IN', student: { id: student, name: 'Mia Moves', currentLocation: { location: { name: 'Library', state: 'ON_GROUNDS' } } } });
    await settle();
    expect(theirs.results).toEqual([]);
  });

  it('should replay the moves a subscriber missed after its cursor, then continue live', async () => {
    const move = () => ok(org.admin.key, 'mutation($l: ID!) { moveStudents(input: { students: { sisIds: ["SUB1"] }, locationId: $l }) { id } }', { l: library });
    const live = collect(connect(reader), 'subscription { studentLocationEvents(filter: { studentId: "' + student + '" }) { cursor } }');
    await settle();
    await move();
    const cursor = (await live.next(1)).data['studentLocationEvents']?.['cursor'];
    await move();
    await move();
    await live.next(3);
    const resumed = collect(connect(reader), 'subscription($after: String) { studentLocationEvents(after: $after) { cursor student { id } } }', { after: cursor });
    await resumed.next(2);
    expect(resumed.results.map((r) => (r.data?.['studentLocationEvents'] as { cursor: string }).cursor)).toEqual(live.results.slice(1).map((r) => (r.data?.['studentLocationEvents'] as { cursor: string }).cursor));
    await move();
    await resumed.next(3);
    await live.next(4);
    expect((resumed.results[2]?.data?.['studentLocationEvents'] as { cursor: string }).cursor).toBe((live.results[3]?.data?.['studentLocationEvents'] as { cursor: string }).cursor);
  });

  it('should show a subscriber a leave becoming active when its start passes', async () => {
    const sub = collect(connect(reader), 'subscription { studentLeaveEvents(filter: { types: [ACTIVATED] }) { type studentLeave { status student { id } } } }');
    await settle();
    const startsAt = new Date(Date.now() + 1500);
    await ok(org.admin.key, 'mutation($t: ID!, $s: DateTime!, $e: DateTime!) { createStudentLeave(input: { students: { sisIds: ["SUB1"] }, leaveTypeId: $t, startsAt: $s, endsAt: $e }) { status } }', {
      t: leaveType,
      s: startsAt.toISOString(),
      e: new Date(startsAt.getTime() + 3_600_000).toISOString(),
    });
    const event = await sub.next(1);
    expect(Date.now()).toBeGreaterThanOrEqual(startsAt.getTime());
    expect(event.data['studentLeaveEvents']).toEqual({ type: 'ACTIVATED', studentLeave: { status: 'ACTIVE', student: { id: student } } });
    await new Promise((r) => setTimeout(r, 500));
    expect(sub.results).toHaveLength(1); // published once
  });

  it('should deliver a sensitive pastoral record only to subscribers who may see it', async () => {
    const plain = collect(connect(reader), 'subscription { pastoralEvents { pastoralRecord { description sensitive } } }');
    const privileged = collect(connect(sensitiveReader), 'subscription { pastoralEvents { pastoralRecord { description sensitive } } }');
    await settle();
    const create = 'mutation($c: ID!, $d: String!, $s: Boolean) { createPastoralRecord(input: { student: { sisId: "SUB1" }, categoryId: $c, description: $d, sensitive: $s }) { id } }';
    await ok(org.admin.key, create, { c: category, d: 'Counselling', s: true });
    await ok(org.admin.key, create, { c: category, d: 'Merit', s: false });
    expect((await privileged.next(2)).data['pastoralEvents']).toEqual({ pastoralRecord: { description: 'Merit', sensitive: false } });
    expect(privileged.results[0]?.data?.['pastoralEvents']).toEqual({ pastoralRecord: { description: 'Counselling', sensitive: true } });
    expect((await plain.next(1)).data['pastoralEvents']).toEqual({ pastoralRecord: { description: 'Merit', sensitive: false } });
    await settle();
    expect(plain.results).toHaveLength(1);
  });

  it('should stream roll transitions', async () => {
    const sub = collect(connect(org.admin.key), 'subscription { rollEvents { type roll { status mode } } }');
    await settle();
    const type = (await ok<{ createRollType: { id: string } }>(org.admin.key, 'mutation { createRollType(input: { name: "Night" }) { id } }')).createRollType.id;
    const roll = (await ok<{ startRoll: { id: string } }>(org.admin.key, 'mutation($t: ID!) { startRoll(input: { rollTypeId: $t }) { id } }', { t: type })).startRoll.id;
    await ok(org.admin.key, 'mutation($r: ID!) { markRoll(input: { rollId: $r, marks: [{ student: { sisId: "SUB1" }, code: "Present" }] }) { id } }', { r: roll });
    await ok(org.admin.key, 'mutation($r: ID!) { completeRoll(id: $r) { id } }', { r: roll });
    await sub.next(3);
    expect(sub.results.map((r) => (r.data?.['rollEvents'] as { type: string }).type)).toEqual(['STARTED', 'MARKED', 'COMPLETED']);
    expect(sub.results[2]?.data?.['rollEvents']).toEqual({ type: 'COMPLETED', roll: { status: 'COMPLETE', mode: 'MANUAL' } });
  });
});
