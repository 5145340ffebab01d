import fs from 'node:fs';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startGatewayServer, type RunningGateway } from '../../../gateway/server.ts';
import { SHUTDOWN_CLOSE } from '../../../gateway/subscriptions/websocket-server.ts';
import { SUPERGRAPH_PATH } from '../../../schema/compose.ts';
import { createTestOrg, startTestGraph, type TestGraph, type TestOrg, type TestUser } from '../../helpers/graph.ts';
import { dataOf } from '../../helpers/assertions.ts';

let graph: TestGraph;
let second: RunningGateway;
let org: TestOrg;
let employee: TestUser;
let leaveTypeId: string;

function connect(gateway: RunningGateway, key: string): Client {
  return createClient({ url: `${gateway.url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { 'X-Api-Key': key }, retryAttempts: 0 });
}

async function startSecondGateway(): Promise<RunningGateway> {
  return startGatewayServer({
    supergraphSdl: fs.readFileSync(SUPERGRAPH_PATH, 'utf8'),
    subgraphUrls: graph.subgraphUrls(),
    identitySecret: graph.identitySecret,
    database: graph.database.handle,
  });
}

beforeAll(async () => {
  graph = await startTestGraph({ now: () => new Date('2026-03-02T09:00:00Z') });
  second = await startSecondGateway();
  org = await createTestOrg(graph.peopleDb);
  employee = await org.addUser({ managerId: org.admin.id });
  await graph.leave.catchUpDirectory();
  leaveTypeId = dataOf(await graph.gql<{ createLeaveType: { id: string } }>(org.admin.key, 'mutation { createLeaveType(input: { name: "Annual", code: "AL", defaultEntitlement: 25 }) { id } }')).createLeaveType.id;
});
afterAll(async () => {
  await second.stop();
  await graph.stop();
});

describe('several gateway instances on one database', () => {
  it('should deliver to a subscriber of one instance a request made through another', async () => {
    const client = connect(second, org.admin.key);
    const received: unknown[] = [];
    const dispose = client.subscribe({ query: 'subscription { leaveRequestEvents { type leaveRequest { id } } }' }, { next: (r) => void received.push(r.data), error: () => undefined, complete: () => undefined });
    await new Promise((r) => setTimeout(r, 600));
    const created = await graph.gql<{ createLeaveRequest: { id: string } }>(
      employee.key,
      'mutation($t: ID!) { createLeaveRequest(input: { leaveTypeId: $t, startDate: "2026-04-14", endDate: "2026-04-14" }) { id } }',
      { t: leaveTypeId },
    );
    const id = dataOf(created).createLeaveRequest.id;
    for (let i = 0; i < 100 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(received).toEqual([{ leaveRequestEvents: { type: 'CREATED', leaveRequest: { id } } }]);
    dispose();
    await client.dispose();
  });

  it('should close subscriptions on shutdown with a code and reason clients understand', async () => {
    const third = await startSecondGateway();
    const client = connect(third, org.admin.key);
    const closed = new Promise<{ code: number; reason: string }>((resolve) => client.on('closed', (event) => resolve(event as { code: number; reason: string })));
    client.subscribe({ query: 'subscription { leaveRequestEvents { cursor } }' }, { next: () => undefined, error: () => undefined, complete: () => undefined });
    await new Promise((r) => setTimeout(r, 600));
    await third.stop();
    const event = await closed;
    expect(event.code).toBe(SHUTDOWN_CLOSE.code);
    expect(event.reason).toContain('resume');
    await client.dispose();
  });
});

describe('revoked keys', () => {
  it("should close a revoked key's subscriptions with 4401", async () => {
    const fast = await startTestGraph({ subscriptionRecheckMs: 200, apiKeyCacheTtlMs: 60_000 });
    try {
      const owner = await createTestOrg(fast.peopleDb);
      const created = await fast.gql<{ createApiKey: { apiKey: { id: string }; secret: string } }>(
        owner.admin.key,
        'mutation { createApiKey(input: { name: "Dashboard", scopes: ["read:leave"] }) { apiKey { id } secret } }',
      );
      const { apiKey, secret } = dataOf(created).createApiKey;
      const client = createClient({ url: `${fast.gateway.url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { 'X-Api-Key': secret }, retryAttempts: 0 });
      const closed = new Promise<{ code: number }>((resolve) => client.on('closed', (event) => resolve(event as { code: number })));
      client.subscribe({ query: 'subscription { leaveRequestEvents { cursor } }' }, { next: () => undefined, error: () => undefined, complete: () => undefined });
      await new Promise((r) => setTimeout(r, 400));
      dataOf(await fast.gql(owner.admin.key, 'mutation($id: ID!) { revokeApiKey(id: $id) { id } }', { id: apiKey.id }));
      const started = Date.now();
      expect((await closed).code).toBe(4401);
      // Closed by the next re-check, not by the 60 s verdict cache.
      expect(Date.now() - started).toBeLessThan(5_000);
      await client.dispose();
    } finally {
      await fast.stop();
    }
  });
});

describe('subscription limits', () => {
  it('should refuse subscriptions over the limits per connection and per key with RATE_LIMITED', async () => {
    const limited = await startTestGraph({ maxSubscriptionsPerConnection: 2, maxSubscriptionsPerKey: 3 });
    try {
      const owner = await createTestOrg(limited.peopleDb);
      const open = (key: string) =>
        createClient({ url: `${limited.gateway.url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { 'X-Api-Key': key }, retryAttempts: 0 });
      const errors: unknown[] = [];
      const start = (client: Client) =>
        client.subscribe({ query: 'subscription { leaveRequestEvents { cursor } }' }, { next: () => undefined, error: (e) => void errors.push(e), complete: () => undefined });
      const first = open(owner.admin.key);
      start(first);
      start(first);
      start(first);
      await new Promise((r) => setTimeout(r, 600));
      expect(JSON.stringify(errors)).toContain('This connection already has 2 active subscriptions (the limit is 2)');
      const second = open(owner.admin.key);
      start(second);
      start(second);
      await new Promise((r) => setTimeout(r, 600));
      expect(errors).toHaveLength(2);
      expect(JSON.stringify(errors[1])).toContain('This API key already has 3 active subscriptions (the limit is 3)');
      expect(JSON.stringify(errors)).toContain('RATE_LIMITED');
      await first.dispose();
      await second.dispose();
    } finally {
      await limited.stop();
    }
  });
});
