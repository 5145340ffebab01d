import crypto from 'node:crypto';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { dataOf } from '../../helpers/assertions.ts';
import { createKey, createTestOrg, startTestGraph, type TestGraph, type TestOrg } from '../../helpers/graph.ts';

let graph: TestGraph;
let org: TestOrg;

async function post(key: string, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const res = await fetch(`${graph.gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key, ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] } };
}

beforeAll(async () => {
  // One trusted proxy: the client address is the last X-Forwarded-For entry.
  graph = await startTestGraph({ protection: { trustedProxyHops: 1 } });
  org = await createTestOrg(graph.peopleDb);
  await graph.leave.catchUpDirectory();
});
afterAll(() => graph.stop());

describe('IP allowlists', () => {
  it("should refuse a request from outside the key's CIDR ranges with 401 and accept one from inside", async () => {
    const key = (await createKey(graph.peopleDb, org.id, org.admin.id, ['admin'], { ipAllowlist: ['10.20.0.0/16', '2001:db8::/32'] })).secret;
    const outside = await post(key, { query: '{ me { id } }' }, { 'x-forwarded-for': '192.0.2.7' });
    expect(outside.status).toBe(401);
    expect(outside.body.errors?.[0]).toMatchObject({
      message: 'this API key may not be used from 192.0.2.7: the address is not in its IP allowlist',
      extensions: { code: 'UNAUTHENTICATED' },
    });
    const inside = await post(key, { query: '{ me { id } }' }, { 'x-forwarded-for': '192.0.2.7, 10.20.3.4' });
    expect(inside.status).toBe(200);
    expect(inside.body.data).toEqual({ me: { id: org.admin.id } });
    expect((await post(key, { query: '{ me { id } }' }, { 'x-forwarded-for': '2001:db8::1' })).status).toBe(200);
  });

  it('should only trust the configured number of proxies: a client-written X-Forwarded-For entry is ignored', async () => {
    const key = (await createKey(graph.peopleDb, org.id, org.admin.id, ['admin'], { ipAllowlist: ['10.20.0.0/16'] })).secret;
    // The client claims 10.20.3.4; the proxy appended the real address.
    const spoofed = await post(key, { query: '{ me { id } }' }, { 'x-forwarded-for': '10.20.3.4, 198.51.100.9' });
    expect(spoofed.status).toBe(401);
  });

  it('should refuse a WebSocket connection from outside the ranges (close 4403)', async () => {
    const key = (await createKey(graph.peopleDb, org.id, org.admin.id, ['admin'], { ipAllowlist: ['10.0.0.0/8'] })).secret;
    const client = createClient({ url: `${graph.gateway.url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { 'X-Api-Key': key }, retryAttempts: 0 });
    const closed = new Promise<number>((resolve) => client.on('closed', (event) => resolve((event as { code: number }).code)));
    client.subscribe({ query: 'subscription { leaveRequestEvents { cursor } }' }, { next: () => undefined, error: () => undefined, complete: () => undefined });
    expect(await closed).toBe(4403);
    await client.dispose();
  });
});

describe('test-mode keys', () => {
  it('should reach only the sandbox organization, never live data', async () => {
    const type = dataOf(
      await graph.gql<{ createLeaveType: { id: string } }>(org.admin.key, 'mutation { createLeaveType(input: { name: "Annual", code: "AL", defaultEntitlement: 25 }) { id } }'),
    );
    const created = dataOf(
      await graph.gql<{ createApiKey: { secret: string; apiKey: { mode: string } } }>(
        org.admin.key,
        'mutation { createApiKey(input: { name: "Staging", scopes: ["admin"], mode: TEST }) { secret apiKey { mode } } }',
      ),
    );
    expect(created.createApiKey.secret).toMatch(/^lv_test_/);
    expect(created.createApiKey.apiKey.mode).toBe('TEST');
    await graph.leave.catchUpDirectory();
    const testKey = created.createApiKey.secret;
    const seen = dataOf(
      await graph.gql<{ organization: { id: string; isSandbox: boolean }; users: { totalCount: number }; leaveTypes: { totalCount: number } }>(
        testKey,
        '{ organization { id isSandbox } users { totalCount } leaveTypes { totalCount } }',
      ),
    );
    expect(seen.organization.id).not.toBe(org.id);
    expect(seen.organization.isSandbox).toBe(true);
    expect(seen.users.totalCount).toBe(0);
    expect(seen.leaveTypes.totalCount).toBe(0);
    // Live ids are unknown to it.
    const live = await graph.gql(testKey, 'query($id: ID!) { leaveType(id: $id) { name } }', { id: type.createLeaveType.id });
    expect(live.body.errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
    const liveUser = await graph.gql<{ user: unknown }>(testKey, 'query($id: ID!) { user(id: $id) { name } }', { id: org.admin.id });
    expect(liveUser.body.data?.user ?? null).toBeNull();
  });
});

describe('request limit of a key', () => {
  it("should apply a key's own hourly limit, leaving the organization's other keys alone", async () => {
    const limited = (await createKey(graph.peopleDb, org.id, org.admin.id, ['admin'], { requestsPerHour: 3 })).secret;
    const remaining: (string | null)[] = [];
    for (let i = 0; i < 3; i += 1) {
      const res = await post(limited, { query: '{ __typename }' });
      expect(res.status).toBe(200);
      remaining.push(res.headers.get('x-ratelimit-remaining'));
    }
    expect(remaining).toEqual(['2', '1', '0']);
    const refused = await post(limited, { query: '{ __typename }' });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('x-ratelimit-limit')).toBe('3');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await post(org.admin.key, { query: '{ __typename }' })).status).toBe(200);
  });
});

describe('trusted documents', () => {
  const BODY = 'query Me { me { id } }';
  const ID = `sha256:${crypto.createHash('sha256').update(BODY).digest('hex')}`;
  let frontend: string;

  beforeAll(async () => {
    const registered = dataOf(
      await graph.gql<{ registerTrustedDocuments: { id: string }[] }>(
        org.admin.key,
        'mutation($body: String!) { registerTrustedDocuments(input: { documents: [{ name: "Me", body: $body }] }) { id } }',
        { body: BODY },
      ),
    );
    expect(registered.registerTrustedDocuments).toEqual([{ id: ID }]);
    frontend = (await createKey(graph.peopleDb, org.id, org.admin.id, ['read:people'], { trustedDocumentsOnly: true })).secret;
  });

  it('should run a registered document by id for a trusted-documents-only key', async () => {
    expect((await post(frontend, { documentId: ID })).body.data).toEqual({ me: { id: org.admin.id } });
    const apq = await post(frontend, { extensions: { persistedQuery: { version: 1, sha256Hash: ID.slice('sha256:'.length) } } });
    expect(apq.body.data).toEqual({ me: { id: org.admin.id } });
  });

  it('should refuse arbitrary documents and unregistered ids from such a key', async () => {
    const before = graph.gateway.subgraphRequests();
    const freeform = await post(frontend, { query: BODY });
    expect(freeform.status).toBe(400);
    expect(freeform.body.errors?.[0]?.extensions?.['code']).toBe('PERSISTED_QUERY_ID_REQUIRED');
    const unknown = await post(frontend, { documentId: `sha256:${'0'.repeat(64)}` });
    expect(unknown.body.errors?.[0]?.extensions?.['code']).toBe('PERSISTED_QUERY_NOT_IN_LIST');
    const mismatch = await post(frontend, { documentId: ID, query: '{ users { totalCount } }' });
    expect(mismatch.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'documentId' });
    expect(graph.gateway.subgraphRequests()).toBe(before);
  });

  it('should subscribe over WebSocket by document id, and refuse a freeform subscription, for such a key', async () => {
    const body = 'subscription Events { leaveRequestEvents { cursor } }';
    const id = `sha256:${crypto.createHash('sha256').update(body).digest('hex')}`;
    dataOf(
      await graph.gql(org.admin.key, 'mutation($body: String!) { registerTrustedDocuments(input: { documents: [{ name: "Events", body: $body }] }) { id } }', { body }),
    );
    const dashboard = (await createKey(graph.peopleDb, org.id, null, ['read:leave'], { trustedDocumentsOnly: true })).secret;
    const client = createClient({ url: `${graph.gateway.url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { 'X-Api-Key': dashboard }, retryAttempts: 0 });
    const outcome = (query: string, extensions?: Record<string, unknown>) =>
      new Promise<string>((resolve) => {
        client.subscribe({ query, ...(extensions ? { extensions } : {}) }, {
          next: () => resolve('event'),
          error: (e) => resolve(String((e as { extensions?: { code?: string } }[])[0]?.extensions?.code)),
          complete: () => resolve('complete'),
        });
      });
    expect(await outcome(body)).toBe('PERSISTED_QUERY_ID_REQUIRED');
    const delivered = outcome('', { persistedQuery: { version: 1, sha256Hash: id.slice('sha256:'.length) } });
    await new Promise((r) => setTimeout(r, 300));
    // An event proves the subscription by id is live.
    const member = await org.addUser();
    await graph.leave.catchUpDirectory();
    const type = dataOf(
      await graph.gql<{ createLeaveType: { id: string } }>(org.admin.key, 'mutation { createLeaveType(input: { name: "Training", code: "TR", defaultEntitlement: 5 }) { id } }'),
    );
    dataOf(
      await graph.gql(member.key, 'mutation($t: ID!) { createLeaveRequest(input: { leaveTypeId: $t, startDate: "2026-12-15", endDate: "2026-12-15" }) { id } }', {
        t: type.createLeaveType.id,
      }),
    );
    expect(await delivered).toBe('event');
    await client.dispose();
  });

  it("should not serve another organization's documents", async () => {
    const other = await createTestOrg(graph.peopleDb);
    const res = await post(other.admin.key, { documentId: ID });
    expect(res.body.errors?.[0]?.extensions?.['code']).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('should let any key run registered documents by id, and send a freeform query', async () => {
    expect((await post(org.admin.key, { documentId: ID })).body.data).toEqual({ me: { id: org.admin.id } });
    expect((await post(org.admin.key, { query: BODY })).body.data).toEqual({ me: { id: org.admin.id } });
  });
});
