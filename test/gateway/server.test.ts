import http from 'node:http';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestOrg, startTestGraph, type TestGraph, type TestOrg } from '../helpers/graph.ts';

let graph: TestGraph;
let org: TestOrg;
beforeAll(async () => {
  graph = await startTestGraph();
  org = await createTestOrg(graph.peopleDb);
  for (let i = 0; i < 30; i++) await org.addUser();
});
afterAll(() => graph.stop());

/** A raw request, so compression is seen as sent (fetch would decode it). */
function raw(path: string, init: { method?: string; headers?: Record<string, string>; body?: string }) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    const req = http.request(`${graph.gateway.url}${path}`, { method: init.method ?? 'GET', headers: init.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

describe('gateway HTTP', () => {
  it('should answer 401 UNAUTHENTICATED without a key', async () => {
    const res = await graph.gql(undefined, '{ me { id } }');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect(res.body.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    expect(res.body.errors?.[0]?.message).toContain('X-Api-Key');
  });

  it('should answer 401 for an unknown or malformed key', async () => {
    for (const key of [`lv_live_${'A'.repeat(32)}`, 'not-a-key']) {
      const res = await graph.gql(key, '{ me { id } }');
      expect(res.status).toBe(401);
      expect(res.body.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    }
  });

  it('should accept the key as Authorization: Bearer', async () => {
    const res = await fetch(`${graph.gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${org.admin.key}` },
      body: JSON.stringify({ query: '{ me { id } }' }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ data: { me: { id: org.admin.id } } });
  });

  it('should answer introspection for an authenticated caller', async () => {
    const res = await graph.gql<{ __schema: { queryType: { name: string }; types: { name: string }[] } }>(
      org.admin.key,
      '{ __schema { queryType { name } types { name } } }',
    );
    expect(res.body.data?.__schema.queryType.name).toBe('Query');
    expect(res.body.data?.__schema.types.map((t) => t.name)).toContain('User');
  });

  it('should gzip a large response when the client accepts gzip, and not otherwise', async () => {
    const body = JSON.stringify({ query: '{ users(first: 30) { nodes { id email name workingPattern { monday } } } }' });
    const headers = { 'content-type': 'application/json', 'x-api-key': org.admin.key };
    const zipped = await raw('/graphql', { method: 'POST', headers: { ...headers, 'accept-encoding': 'gzip' }, body });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    const decoded = JSON.parse(zlib.gunzipSync(zipped.body).toString()) as { data: { users: { nodes: unknown[] } } };
    expect(decoded.data.users.nodes).toHaveLength(30);
    expect(zipped.body.length).toBeLessThan(JSON.stringify(decoded).length / 2);
    const plain = await raw('/graphql', { method: 'POST', headers, body });
    expect(plain.headers['content-encoding']).toBeUndefined();
  });

  it('should answer CORS preflights for allowed origins with the key headers allowed', async () => {
    const res = await raw('/graphql', {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-api-key' },
    });
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['access-control-allow-headers']).toContain('x-api-key');
  });

  it('should keep Apollo CSRF prevention on for GET requests without a preflight header', async () => {
    const res = await fetch(`${graph.gateway.url}/graphql?query=${encodeURIComponent('{ me { id } }')}`, {
      headers: { 'x-api-key': org.admin.key },
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('CSRF');
  });

  it('should refuse a body over the limit with 413', async () => {
    const res = await raw('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': org.admin.key },
      body: JSON.stringify({ query: `{ me { id } } # ${'x'.repeat(1_100_000)}` }),
    });
    expect(res.status).toBe(413);
  });

  it('should report /health and /ready', async () => {
    expect((await fetch(`${graph.gateway.url}/health`)).status).toBe(200);
    const ready = await fetch(`${graph.gateway.url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', subgraphs: { people: 'ready' } });
  });

  it('should serve Apollo Sandbox on a browser GET of /graphql and GraphiQL on /graphiql', async () => {
    const sandbox = await fetch(`${graph.gateway.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(await sandbox.text()).toContain('EmbeddedSandbox');
    const graphiql = await fetch(`${graph.gateway.url}/graphiql`);
    expect(graphiql.status).toBe(200);
    expect(await graphiql.text()).toContain('X-Api-Key');
  });

  it('should refuse a request straight to a subgraph without the gateway signature', async () => {
    const res = await fetch(`${graph.people.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ me { id } }' }),
    });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code).toBe('UNAUTHENTICATED');
  });

  it('should answer 503 on /ready when a subgraph is down', async () => {
    await graph.people.stop();
    const ready = await fetch(`${graph.gateway.url}/ready`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { subgraphs: { people: string } }).subgraphs.people).toContain('unreachable');
  });
});
