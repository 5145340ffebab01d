import crypto from 'node:crypto';
import http from 'node:http';
import zlib from 'node:zlib';
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { createPersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { getMainDefinition } from '@apollo/client/utilities';
import { createClient } from 'graphql-ws';
import { sql } from 'kysely';
import WebSocket from 'ws';
import { encodeEventCursor } from '../../../gateway/subscriptions/subscription-schema.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey, createTestOrg, startTestGraph, type TestGraph, type TestOrg } from '../../helpers/graph.ts';

let graph: TestGraph;

/** One HTTP exchange as Apollo Client made it. */
interface Exchange {
  readonly method: string;
  readonly sentQuery: boolean;
  readonly status: number;
  readonly remaining: number;
}

const sha256 = (text: string): string => crypto.createHash('sha256').update(text, 'utf8').digest('hex');

/** Apollo Client with the persisted query link over an HttpLink whose fetch records every exchange. */
function apolloClient(key: string, options: { useGETForHashedQueries?: boolean } = {}) {
  const exchanges: Exchange[] = [];
  const recordingFetch: typeof fetch = async (input, init) => {
    const url = new URL(String(input));
    const method = init?.method ?? 'GET';
    const sentQuery = method === 'GET' ? url.searchParams.has('query') : typeof (JSON.parse(String(init?.body)) as { query?: unknown }).query === 'string';
    const response = await fetch(input, init);
    exchanges.push({ method, sentQuery, status: response.status, remaining: Number(response.headers.get('x-ratelimit-remaining')) });
    return response;
  };
  const http = new HttpLink({ uri: `${graph.gateway.url}/graphql`, headers: { 'x-api-key': key, 'apollo-require-preflight': 'true' }, fetch: recordingFetch });
  const link = createPersistedQueryLink({ sha256: (text) => sha256(text), useGETForHashedQueries: options.useGETForHashedQueries ?? false }).concat(http);
  return { client: new ApolloClient({ link, cache: new InMemoryCache() }), exchanges };
}

async function post(key: string, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const res = await fetch(`${graph.gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key, ...headers },
    body: JSON.stringify(body),
  });
  return {
    status: res.status,
    headers: res.headers,
    remaining: Number(res.headers.get('x-ratelimit-remaining')),
    body: (await res.json()) as { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] },
  };
}

/** A raw request, so compression is seen as sent (fetch would decode it). */
function raw(init: { method?: string; headers?: Record<string, string>; body?: string }) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    const req = http.request(`${graph.gateway.url}/graphql`, { method: init.method ?? 'POST', headers: init.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

beforeAll(async () => {
  // A visible hourly limit: X-RateLimit-Remaining shows what each request was counted.
  graph = await startTestGraph({ protection: { rateLimits: { requestsPerHour: 1_000 } } });
});
afterAll(() => graph.stop());

describe('automatic persisted queries with Apollo Client', () => {
  let org: TestOrg;
  beforeAll(async () => {
    org = await createTestOrg(graph.peopleDb);
  });

  it('should register on the first use and send one request per operation after it, the pair counted once', async () => {
    const { client, exchanges } = apolloClient(org.admin.key);
    const query = gql`
      query Me {
        me {
          id
        }
      }
    `;
    const first = await client.query({ query, fetchPolicy: 'network-only' });
    expect(first.data).toEqual({ me: { __typename: 'User', id: org.admin.id } });
    // The hash alone missed (HTTP 200, as the link expects), then the query registered it.
    expect(exchanges.map((e) => [e.method, e.sentQuery, e.status])).toEqual([
      ['POST', false, 200],
      ['POST', true, 200],
    ]);
    const [miss, register] = exchanges;
    // One request counted for the pair.
    expect(register?.remaining).toBe(miss?.remaining);
    for (let i = 0; i < 3; i++) {
      const again = await client.query({ query, fetchPolicy: 'network-only' });
      expect(again.data).toEqual(first.data);
    }
    expect(exchanges.slice(2).map((e) => [e.method, e.sentQuery, e.status])).toEqual([
      ['POST', false, 200],
      ['POST', false, 200],
      ['POST', false, 200],
    ]);
    expect(exchanges.map((e) => e.remaining).slice(1)).toEqual([0, 1, 2, 3].map((n) => (register?.remaining ?? 0) - n));
  });

  it('should serve hashed queries over GET once registered', async () => {
    const { client, exchanges } = apolloClient(org.admin.key, { useGETForHashedQueries: true });
    const query = gql`
      query Organization {
        organization {
          id
        }
      }
    `;
    const first = await client.query({ query, fetchPolicy: 'network-only' });
    expect(first.data).toEqual({ organization: { __typename: 'Organization', id: org.id } });
    expect(exchanges.map((e) => [e.method, e.sentQuery, e.status])).toEqual([
      ['GET', false, 200],
      ['POST', true, 200],
    ]);
    await client.query({ query, fetchPolicy: 'network-only' });
    expect(exchanges[2]).toMatchObject({ method: 'GET', sentQuery: false, status: 200 });
    expect(exchanges).toHaveLength(3);
  });
});

describe('subscriptions with Apollo Client over GraphQLWsLink', () => {
  it("should deliver the organization's own events through a split link (HTTP with APQ for operations, WebSocket for subscriptions) and normalise them into the cache", async () => {
    const a = await createTestOrg(graph.peopleDb);
    const b = await createTestOrg(graph.peopleDb);
    const { rows } = await sql<{ id: string | null }>`select max(id) as id from events.outbox`.execute(graph.database.handle.root);
    const after = encodeEventCursor(Number(rows[0]?.id ?? 0));
    const ws = createClient({ url: `${graph.gateway.url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { 'X-Api-Key': a.admin.key }, retryAttempts: 0 });
    const http = new HttpLink({ uri: `${graph.gateway.url}/graphql`, headers: { 'x-api-key': a.admin.key } });
    const link = ApolloLink.split(
      ({ query }) => {
        const definition = getMainDefinition(query);
        return definition.kind === 'OperationDefinition' && definition.operation === 'subscription';
      },
      new GraphQLWsLink(ws),
      createPersistedQueryLink({ sha256: (text) => sha256(text) }).concat(http),
    );
    const client = new ApolloClient({ link, cache: new InMemoryCache() });
    const received: { type: string; user: { __typename: string; id: string; name: string } | null }[] = [];
    const failures: unknown[] = [];
    const subscription = client
      .subscribe<{ userEvents: (typeof received)[number] }>({
        query: gql`
          subscription UserEvents($after: String) {
            userEvents(after: $after) {
              type
              user {
                id
                name
              }
            }
          }
        `,
        variables: { after },
      })
      .subscribe({ next: (r) => (r.data ? received.push(r.data.userEvents) : failures.push(r.error)), error: (e: unknown) => failures.push(e) });
    try {
      // Another organization's event first: it must never arrive.
      await b.addUser({ firstName: 'Other', lastName: 'Org' });
      const ann = await a.addUser({ firstName: 'Ann', lastName: 'Apollo' });
      const end = Date.now() + 10_000;
      while (received.length < 1 && failures.length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      expect(failures).toEqual([]);
      expect(received).toEqual([{ __typename: 'UserEvent', type: 'CREATED', user: { __typename: 'User', id: ann.id, name: 'Ann Apollo' } }]);
      // The event's user is in the normalised cache, where a query of the same user finds it.
      expect((client.cache.extract() as Record<string, unknown>)[`User:${ann.id}`]).toMatchObject({ id: ann.id, name: 'Ann Apollo' });
      const me = await client.query({ query: gql`query Me { me { id } }`, fetchPolicy: 'network-only' });
      expect(me.data).toEqual({ me: { __typename: 'User', id: a.admin.id } });
    } finally {
      subscription.unsubscribe();
      await ws.dispose();
    }
  });
});

describe('automatic persisted queries: rules', () => {
  const QUERY = '{ me { id } }';
  const HASH = sha256(QUERY);
  const apq = (hash: string) => ({ persistedQuery: { version: 1, sha256Hash: hash } });

  it('should answer a miss without reaching a subgraph, count it, and count a registration without a miss', async () => {
    const org = await createTestOrg(graph.peopleDb);
    const before = graph.gateway.subgraphRequests();
    const miss = await post(org.admin.key, { extensions: apq(HASH) });
    expect(miss.status).toBe(200);
    expect(miss.headers.get('cache-control')).toBe('private, no-cache, must-revalidate');
    expect(miss.body.errors?.[0]).toMatchObject({ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } });
    expect(graph.gateway.subgraphRequests()).toBe(before);
    // The miss's credit covers one registration; a second registration is counted.
    const registered = await post(org.admin.key, { query: QUERY, extensions: apq(HASH) });
    expect(registered.body.data).toEqual({ me: { id: org.admin.id } });
    expect(registered.remaining).toBe(miss.remaining);
    const again = await post(org.admin.key, { query: QUERY, extensions: apq(HASH) });
    expect(again.remaining).toBe(miss.remaining - 1);
    // Misses alone are each counted: they buy nothing.
    const other = sha256('{ organization { id } }');
    const misses = [await post(org.admin.key, { extensions: apq(other) }), await post(org.admin.key, { extensions: apq(other) })];
    expect(misses.map((m) => m.remaining)).toEqual([miss.remaining - 2, miss.remaining - 3]);
  });

  it('should never run a document another organization registered', async () => {
    const [a, b] = [await createTestOrg(graph.peopleDb), await createTestOrg(graph.peopleDb)];
    const query = '{ organization { id isSandbox } }';
    expect((await post(a.admin.key, { query, extensions: apq(sha256(query)) })).body.data).toEqual({ organization: { id: a.id, isSandbox: false } });
    expect((await post(a.admin.key, { extensions: apq(sha256(query)) })).body.data).toEqual({ organization: { id: a.id, isSandbox: false } });
    const other = await post(b.admin.key, { extensions: apq(sha256(query)) });
    expect(other.body.errors?.[0]?.extensions?.['code']).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(other.body.data).toBeUndefined();
  });

  it('should refuse a hash that does not match the query, an unsupported version and a malformed hash, naming the field', async () => {
    const org = await createTestOrg(graph.peopleDb);
    const before = graph.gateway.subgraphRequests();
    const mismatch = await post(org.admin.key, { query: '{ organization { id } }', extensions: apq(HASH) });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'extensions.persistedQuery.sha256Hash', reason: 'PERSISTED_QUERY_HASH_MISMATCH' });
    // Not registered under the wrong hash.
    expect((await post(org.admin.key, { extensions: apq(HASH) })).body.errors?.[0]?.extensions?.['code']).toBe('PERSISTED_QUERY_NOT_FOUND');
    const version = await post(org.admin.key, { query: QUERY, extensions: { persistedQuery: { version: 2, sha256Hash: HASH } } });
    expect(version.status).toBe(400);
    expect(version.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'extensions.persistedQuery.version' });
    const malformed = await post(org.admin.key, { query: QUERY, extensions: apq(HASH.toUpperCase()) });
    expect(malformed.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'extensions.persistedQuery.sha256Hash' });
    expect(graph.gateway.subgraphRequests()).toBe(before);
  });

  it('should not register an invalid document', async () => {
    const org = await createTestOrg(graph.peopleDb);
    const invalid = '{ me { noSuchField } }';
    expect((await post(org.admin.key, { query: invalid, extensions: apq(sha256(invalid)) })).body.errors?.[0]?.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
    expect((await post(org.admin.key, { extensions: apq(sha256(invalid)) })).body.errors?.[0]?.extensions?.['code']).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('should refuse APQ registration to a trusted-documents-only key, and never run APQ documents for it', async () => {
    const org = await createTestOrg(graph.peopleDb);
    const frontend = (await createKey(graph.peopleDb, org.id, org.admin.id, ['read:people'], { trustedDocumentsOnly: true })).secret;
    const before = graph.gateway.subgraphRequests();
    const register = await post(frontend, { query: QUERY, extensions: apq(HASH) });
    expect(register.status).toBe(400);
    expect(register.body.errors?.[0]?.extensions?.['code']).toBe('PERSISTED_QUERY_NOT_IN_LIST');
    expect(register.body.errors?.[0]?.message).toContain('automatic persisted query registration is refused');
    // Registered by another key of the organization: still not a trusted document.
    expect((await post(org.admin.key, { query: QUERY, extensions: apq(HASH) })).body.data).toEqual({ me: { id: org.admin.id } });
    const hashOnly = await post(frontend, { extensions: apq(HASH) });
    expect(hashOnly.status).toBe(400);
    expect(hashOnly.body.errors?.[0]?.extensions?.['code']).toBe('PERSISTED_QUERY_NOT_IN_LIST');
    expect(graph.gateway.subgraphRequests()).toBe(before + 1);
  });
});

describe('HTTP conventions', () => {
  let org: TestOrg;
  beforeAll(async () => {
    org = await createTestOrg(graph.peopleDb);
  });
  const json = { 'content-type': 'application/json' };

  it('should allow the tracing, request-id and idempotency headers in CORS preflights by default', async () => {
    const res = await raw({
      method: 'OPTIONS',
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-api-key, traceparent, baggage' },
    });
    expect(res.status).toBe(204);
    const allowed = String(res.headers['access-control-allow-headers']).split(', ');
    expect(allowed).toEqual(expect.arrayContaining(['content-type', 'x-api-key', 'authorization', 'traceparent', 'tracestate', 'baggage', 'idempotency-key', 'x-request-id']));
  });

  it('should answer application/graphql-response+json with 4xx for errors before execution when the client asks for it', async () => {
    const official = 'application/graphql-response+json; charset=utf-8';
    const accept = { accept: 'application/graphql-response+json, application/json;q=0.9' };
    const invalid = await post(org.admin.key, { query: '{ me { noSuchField } }' }, accept);
    expect(invalid.status).toBe(400);
    expect(invalid.headers.get('content-type')).toBe(official);
    expect(invalid.body.errors?.[0]?.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
    const syntax = await post(org.admin.key, { query: '{ me { id ' }, accept);
    expect([syntax.status, syntax.headers.get('content-type')]).toEqual([400, official]);
    const anonymous = await fetch(`${graph.gateway.url}/graphql`, { method: 'POST', headers: { ...json, ...accept }, body: JSON.stringify({ query: '{ me { id } }' }) });
    expect([anonymous.status, anonymous.headers.get('content-type')]).toEqual([401, official]);
    const ok = await post(org.admin.key, { query: '{ me { id } }' }, accept);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/^application\/graphql-response\+json/);
    expect(ok.body.data).toEqual({ me: { id: org.admin.id } });
    expect(ok.headers.get('vary')).toBe('Accept, Accept-Encoding');
    expect(invalid.headers.get('vary')).toBe('Accept, Accept-Encoding');
    // With application/json (or no Accept), as before.
    for (const headers of [{ accept: 'application/json' }, {}] as Record<string, string>[]) {
      const legacy = await post(org.admin.key, { query: '{ me { noSuchField } }' }, headers);
      expect([legacy.status, legacy.headers.get('content-type')]).toEqual([400, 'application/json; charset=utf-8']);
    }
  });

  it('should compress large answers with brotli or gzip by the Accept-Encoding q-values, and not when refused', async () => {
    const body = JSON.stringify({ query: '{ __schema { types { name description } } }' });
    const request = (encoding: string | null) => raw({ headers: { ...json, 'x-api-key': org.admin.key, ...(encoding === null ? {} : { 'accept-encoding': encoding }) }, body });
    const br = await request('gzip, deflate, br');
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['vary']).toContain('Accept-Encoding');
    const types = (JSON.parse(zlib.brotliDecompressSync(br.body).toString()) as { data: { __schema: { types: unknown[] } } }).data.__schema.types;
    expect(types.length).toBeGreaterThan(50);
    const gzip = await request('br;q=0.2, gzip;q=0.8');
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(zlib.gunzipSync(gzip.body).toString())).toEqual(JSON.parse(zlib.brotliDecompressSync(br.body).toString()));
    for (const refused of ['br;q=0, gzip;q=0', 'identity', null]) {
      const plain = await request(refused);
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(Number(plain.headers['content-length'])).toBe(plain.body.length);
      expect((JSON.parse(plain.body.toString()) as { data: unknown }).data).toBeTruthy();
    }
    // Below the threshold nothing is compressed.
    const small = await raw({ headers: { ...json, 'x-api-key': org.admin.key, 'accept-encoding': 'br' }, body: JSON.stringify({ query: '{ me { id } }' }) });
    expect(small.headers['content-encoding']).toBeUndefined();
  });
});
