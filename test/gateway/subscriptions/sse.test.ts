import { createClient } from 'graphql-sse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestOrg, startTestGraph, type TestGraph, type TestOrg, type TestUser } from '../../helpers/graph.ts';
import { dataOf } from '../../helpers/assertions.ts';

let graph: TestGraph;
let org: TestOrg;
let employee: TestUser;
let leaveTypeId: string;

beforeAll(async () => {
  graph = await startTestGraph({ now: () => new Date('2026-03-02T09:00:00Z') });
  org = await createTestOrg(graph.peopleDb);
  employee = await org.addUser({ firstName: 'Sam', lastName: 'Streamer', managerId: org.admin.id });
  await graph.leave.catchUpDirectory();
  leaveTypeId = dataOf(await graph.gql<{ createLeaveType: { id: string } }>(org.admin.key, 'mutation { createLeaveType(input: { name: "Annual", code: "AL", defaultEntitlement: 25 }) { id } }')).createLeaveType.id;
});
afterAll(() => graph.stop());

describe('subscriptions over SSE (graphql-sse)', () => {
  it('should stream an event with its nested selection to an SSE client authenticated by headers', async () => {
    const client = createClient({ url: `${graph.gateway.url}/graphql/stream`, headers: { 'X-Api-Key': org.admin.key }, retryAttempts: 0 });
    const received: unknown[] = [];
    const dispose = client.subscribe(
      { query: 'subscription { leaveRequestEvents { type leaveRequest { id user { name } } } }' },
      { next: (r) => void received.push(r), error: (e) => void received.push({ error: String(e) }), complete: () => undefined },
    );
    await new Promise((r) => setTimeout(r, 400));
    const created = await graph.gql<{ createLeaveRequest: { id: string } }>(
      employee.key,
      'mutation($t: ID!) { createLeaveRequest(input: { leaveTypeId: $t, startDate: "2026-04-14", endDate: "2026-04-14" }) { id } }',
      { t: leaveTypeId },
    );
    const id = dataOf(created).createLeaveRequest.id;
    for (let i = 0; i < 150 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(received).toEqual([{ data: { leaveRequestEvents: { type: 'CREATED', leaveRequest: { id, user: { name: 'Sam Streamer' } } } } }]);
    dispose();
    client.dispose();
  });

  it('should refuse an SSE request without a key with 401', async () => {
    const res = await fetch(`${graph.gateway.url}/graphql/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: 'subscription { leaveRequestEvents { cursor } }' }),
    });
    expect(res.status).toBe(401);
  });

  it('should refuse an unknown APQ hash over SSE with 400 PERSISTED_QUERY_NOT_FOUND (a refused stream is never a 200)', async () => {
    const res = await fetch(`${graph.gateway.url}/graphql/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'x-api-key': org.admin.key },
      body: JSON.stringify({ query: '', extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } } }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });
});

describe('SSE limits and revocation', () => {
  it('should end the streams of a revoked key and count SSE and WebSocket subscriptions in one per-key limit', async () => {
    const small = await startTestGraph({ subscriptionRecheckMs: 200, maxSubscriptionsPerKey: 1 });
    try {
      const owner = await createTestOrg(small.peopleDb);
      const created = await small.gql<{ createApiKey: { apiKey: { id: string }; secret: string } }>(
        owner.admin.key,
        'mutation { createApiKey(input: { name: "Wallboard", scopes: ["read:leave"] }) { apiKey { id } secret } }',
      );
      const { apiKey, secret } = dataOf(created).createApiKey;
      const stream = await fetch(`${small.gateway.url}/graphql/stream`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'x-api-key': secret },
        body: JSON.stringify({ query: 'subscription { leaveRequestEvents { cursor } }' }),
      });
      expect(stream.status).toBe(200);
      // The key's one allowed subscription is taken: a second, over SSE, is refused.
      const second = await fetch(`${small.gateway.url}/graphql/stream`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'x-api-key': secret },
        body: JSON.stringify({ query: 'subscription { leaveRequestEvents { cursor } }' }),
      });
      expect(second.status).toBe(429);
      expect(await second.text()).toContain('RATE_LIMITED');
      dataOf(await small.gql(owner.admin.key, 'mutation($id: ID!) { revokeApiKey(id: $id) { id } }', { id: apiKey.id }));
      // The open stream ends at the next re-check.
      const reader = stream.body!.getReader();
      const ended = await Promise.race([
        (async () => {
          for (;;) if ((await reader.read()).done) return true;
        })(),
        new Promise<boolean>((r) => setTimeout(() => r(false), 5000)),
      ]);
      expect(ended).toBe(true);
    } finally {
      await small.stop();
    }
  });
});
