import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayServer, type RunningGateway } from '../../../gateway/server.ts';
import { createDatabaseIdempotencyStore, createMemoryIdempotencyStore, IDEMPOTENCY_TTL_MS, type IdempotencyStore } from '../../../gateway/http/idempotency.ts';
import { SUPERGRAPH_PATH } from '../../../schema/compose.ts';
import { startPeopleServer } from '../../../subgraphs/people/server.ts';
import { startLeaveServer } from '../../../subgraphs/leave/server.ts';
import type { RunningServer } from '../../../subgraphs/shared/subgraph-server.ts';
import { createTestOrg, startTestGraph, TEST_RATE_LIMITS, type TestGraph, type TestOrg, type TestUser } from '../../helpers/graph.ts';

let graph: TestGraph;
let org: TestOrg;
let employee: TestUser;
let colleague: TestUser;
let leaveTypeId: string;
let second: RunningGateway;
let people: RunningServer | null = null;
let leaveServer: RunningServer | null = null;

const CREATE = 'mutation($t: ID!, $s: Date!, $e: Date!) { createLeaveRequest(input: { leaveTypeId: $t, startDate: $s, endDate: $e }) { id startDate user { name } } }';

interface Answer {
  status: number;
  text: string;
  body: { data?: { createLeaveRequest: { id: string; startDate: string; user: { name: string } | null } | null } | null; errors?: { message: string; path?: unknown[]; extensions?: Record<string, unknown> }[] };
  replayed: string | null;
}

async function post(gatewayUrl: string, key: string, body: unknown, idempotencyKey?: string): Promise<Answer> {
  const response = await fetch(`${gatewayUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key, ...(idempotencyKey !== undefined ? { 'idempotency-key': idempotencyKey } : {}) },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, text, body: JSON.parse(text) as Answer['body'], replayed: response.headers.get('idempotent-replayed') };
}

function create(user: TestUser, start: string, idempotencyKey?: string, gatewayUrl = graph.gateway.url): Promise<Answer> {
  return post(gatewayUrl, user.key, { query: CREATE, variables: { t: leaveTypeId, s: start, e: start } }, idempotencyKey);
}

async function requestCount(): Promise<number> {
  const row = await graph.leaveDb.selectFrom('leave_requests').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

beforeAll(async () => {
  graph = await startTestGraph({ now: () => new Date('2026-03-02T09:00:00Z') });
  org = await createTestOrg(graph.peopleDb);
  employee = await org.addUser({ firstName: 'Erin', lastName: 'Employee' });
  colleague = await org.addUser({ firstName: 'Cole', lastName: 'Colleague' });
  await graph.leave.catchUpDirectory();
  const type = await graph.gql<{ createLeaveType: { id: string } }>(
    org.admin.key,
    'mutation { createLeaveType(input: { name: "Annual leave", code: "AL", defaultEntitlement: 25 }) { id } }',
  );
  leaveTypeId = type.body.data!.createLeaveType.id;
  // A second gateway instance on the same database shares the keys.
  second = await startGatewayServer({
    supergraphSdl: fs.readFileSync(SUPERGRAPH_PATH, 'utf8'),
    subgraphUrls: graph.subgraphUrls(),
    identitySecret: graph.identitySecret,
    database: graph.database.handle,
    rateLimits: TEST_RATE_LIMITS,
  });
  // Every key verified once by both instances, so they pass authentication while people is down.
  for (const user of [employee, colleague]) {
    for (const url of [graph.gateway.url, second.url]) expect((await post(url, user.key, { query: '{ me { id } }' })).status).toBe(200);
  }
});
afterAll(async () => {
  await second.stop();
  await people?.stop();
  await leaveServer?.stop();
  await graph.stop();
});

describe('Idempotency-Key on mutations', () => {
  it('should return a write committed while people was down, then replay it for the same key and body without writing again, on either instance', async () => {
    const before = await requestCount();
    const port = Number(new URL(graph.people.url).port);
    await graph.people.stop();
    let first: Answer;
    let retry: Answer;
    let other: Answer;
    try {
      first = await create(employee, '2026-05-05', 'create-may-5');
      retry = await create(employee, '2026-05-05', 'create-may-5');
      other = await create(employee, '2026-05-05', 'create-may-5', second.url);
    } finally {
      people = await startPeopleServer({ database: graph.database.handle, identitySecret: graph.identitySecret, port });
    }
    expect(first.status, first.text).toBe(200);
    expect(first.body.errors?.[0]?.extensions?.['code'], first.text).toBe('SUBREQUEST_HTTP_ERROR');
    expect(first.body.data?.createLeaveRequest).toMatchObject({ startDate: '2026-05-05', user: null });
    expect(first.body.errors).toEqual([
      expect.objectContaining({ path: ['createLeaveRequest', 'user', 'name'], extensions: expect.objectContaining({ code: 'SUBREQUEST_HTTP_ERROR', service: 'people' }) }),
    ]);
    expect(first.replayed).toBeNull();
    for (const replay of [retry, other]) {
      expect(replay.status).toBe(200);
      expect(replay.text).toBe(first.text);
      expect(replay.replayed).toBe('true');
    }
    // People is back: still a replay of the first answer (null user), and still one request.
    const later = await create(employee, '2026-05-05', 'create-may-5');
    expect(later.text).toBe(first.text);
    expect(await requestCount()).toBe(before + 1);
  });

  it('should answer the same key with another body CONFLICT, writing nothing', async () => {
    expect((await create(employee, '2026-05-12', 'create-may-12')).status).toBe(200);
    const before = await requestCount();
    const res = await create(employee, '2026-05-13', 'create-may-12');
    expect(res.status).toBe(409);
    expect(res.body.errors).toEqual([expect.objectContaining({ extensions: { code: 'CONFLICT', field: 'Idempotency-Key', rule: 'IDEMPOTENCY_KEY_REUSED' } })]);
    expect(res.body.data).toBeUndefined();
    expect(await requestCount()).toBe(before);
  });

  it('should run concurrent requests with one key once: the others get CONFLICT (still running) or the replay', async () => {
    const before = await requestCount();
    const answers = await Promise.all([create(employee, '2026-05-19', 'concurrent'), create(employee, '2026-05-19', 'concurrent', second.url), create(employee, '2026-05-19', 'concurrent')]);
    expect(await requestCount()).toBe(before + 1);
    const ran = answers.filter((a) => a.status === 200 && a.replayed === null);
    expect(ran).toHaveLength(1);
    for (const a of answers) {
      if (a === ran[0]) continue;
      if (a.status === 409) expect(a.body.errors![0]!.extensions).toMatchObject({ code: 'CONFLICT', rule: 'IDEMPOTENCY_KEY_IN_FLIGHT' });
      else expect(a).toMatchObject({ status: 200, replayed: 'true', text: ran[0]!.text });
    }
  });

  it('should scope keys per caller: another person may use the same key', async () => {
    const before = await requestCount();
    const mine = await create(employee, '2026-05-27', 'shared-name');
    const theirs = await create(colleague, '2026-05-27', 'shared-name');
    expect(mine.status).toBe(200);
    expect(theirs.status).toBe(200);
    expect(theirs.replayed).toBeNull();
    expect(theirs.body.data!.createLeaveRequest!.user).toEqual({ name: 'Cole Colleague' });
    expect(await requestCount()).toBe(before + 2);
  });

  it.each([
    ['longer than 255 characters', 'k'.repeat(256), 'must have at most 255 characters', 'TOO_LONG'],
    ['with a space', 'two words', 'must be printable ASCII characters without spaces (a UUID is a good key)', 'INVALID_FORMAT'],
    ['with a non-ASCII character', 'clé', 'must be printable ASCII characters without spaces (a UUID is a good key)', 'INVALID_FORMAT'],
    ['empty', '', 'must not be empty', 'TOO_SHORT'],
  ])('should refuse a key %s with 400 BAD_USER_INPUT naming the header, writing nothing', async (_, value, detail, rule) => {
    const before = await requestCount();
    const res = await create(employee, '2026-06-02', value);
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ message: `Idempotency-Key: ${detail}`, extensions: { code: 'BAD_USER_INPUT', field: 'Idempotency-Key', rule } }]);
    expect(await requestCount()).toBe(before);
  });

  it('should ignore the key on queries', async () => {
    const a = await post(graph.gateway.url, employee.key, { query: '{ me { name } }' }, 'query-key');
    const b = await post(graph.gateway.url, employee.key, { query: '{ me { id } }' }, 'query-key');
    expect([a.status, b.status, a.replayed, b.replayed]).toEqual([200, 200, null, null]);
    expect(b.body.data).toEqual({ me: { id: employee.id } });
  });

  it('should run a mutation again when the first attempt found its subgraph down (nothing was written)', async () => {
    const port = Number(new URL(graph.leave.url).port);
    const before = await requestCount();
    await graph.leave.stop();
    let failed: Answer;
    try {
      failed = await create(employee, '2026-06-09', 'leave-was-down');
    } finally {
      leaveServer = await startLeaveServer({
        database: graph.database.handle,
        identitySecret: graph.identitySecret,
        port,
        now: () => new Date('2026-03-02T09:00:00Z'),
        documents: { directory: graph.documentsDir, maxBytes: 1_000_000, publicUrl: graph.gateway.url, signingSecret: graph.identitySecret },
      });
    }
    expect(failed.body.data).toBeNull();
    expect(failed.body.errors).toEqual([expect.objectContaining({ path: ['createLeaveRequest'], extensions: expect.objectContaining({ code: 'SUBREQUEST_HTTP_ERROR', service: 'leave' }) })]);
    const retried = await create(employee, '2026-06-09', 'leave-was-down');
    expect(retried.replayed).toBeNull();
    expect(retried.body.data!.createLeaveRequest).toMatchObject({ startDate: '2026-06-09', user: { name: 'Erin Employee' } });
    expect(await requestCount()).toBe(before + 1);
  });
});


describe.each([
  ['memory', () => createMemoryIdempotencyStore()],
  ['database', () => createDatabaseIdempotencyStore(graph.database.handle)],
] as [string, () => IdempotencyStore][])('the %s idempotency store', (_, makeStore) => {
  it('should forget a key after 24 hours, by pruning or when it is claimed again', async () => {
    const store = makeStore();
    const t0 = Date.parse('2026-03-02T09:00:00Z');
    const scope = { orgId: org.id, caller: `key:${randomUUID()}`, key: 'k' };
    const other = { ...scope, key: 'other' };
    expect(await store.claim(scope, 'f1', t0)).toEqual({ kind: 'claimed' });
    expect(await store.claim(scope, 'f1', t0 + 1)).toEqual({ kind: 'running' });
    await store.complete(scope, { status: 200, body: '{"data":{}}' });
    expect(await store.claim(scope, 'f1', t0 + IDEMPOTENCY_TTL_MS - 1)).toEqual({ kind: 'replay', answer: { status: 200, body: '{"data":{}}' } });
    expect(await store.claim(scope, 'f2', t0 + IDEMPOTENCY_TTL_MS - 1)).toEqual({ kind: 'mismatch' });
    // Past 24 hours the key is new again, even with another body.
    expect(await store.claim(scope, 'f2', t0 + IDEMPOTENCY_TTL_MS + 1)).toEqual({ kind: 'claimed' });
    expect(await store.claim(other, 'f1', t0)).toEqual({ kind: 'claimed' });
    expect(await store.prune(t0 + IDEMPOTENCY_TTL_MS + 2)).toBeGreaterThanOrEqual(1);
    // Pruned: within what would still be its 24 hours, the key is free for another body.
    expect(await store.claim(other, 'f9', t0 + 1)).toEqual({ kind: 'claimed' });
  });

  it('should release a running claim so that a retry runs, but never a completed one', async () => {
    const store = makeStore();
    const t0 = Date.parse('2026-03-02T09:00:00Z');
    const scope = { orgId: org.id, caller: `user:${randomUUID()}`, key: 'k' };
    await store.claim(scope, 'f', t0);
    await store.release(scope);
    expect(await store.claim(scope, 'f', t0 + 1)).toEqual({ kind: 'claimed' });
    await store.complete(scope, { status: 200, body: 'b' });
    await store.release(scope);
    expect(await store.claim(scope, 'f', t0 + 2)).toEqual({ kind: 'replay', answer: { status: 200, body: 'b' } });
  });
});
