import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSubgraphClient } from '../../../gateway/http/subgraph-client.ts';

// The undici client against a local server that counts requests and the connections they came on.
let server: http.Server;
let url: string;
let requests = 0;
const sockets = new Set<unknown>();
let stall = false;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    requests += 1;
    sockets.add(req.socket);
    if (stall) return;
    req.resume();
    req.on('end', () => {
      if (req.url === '/broken') return void req.socket.destroy();
      res.writeHead(req.url === '/missing' ? 404 : 200, { 'content-type': 'application/json', 'x-seen': String(requests) });
      res.end(JSON.stringify({ data: { method: req.method, identity: req.headers['x-identity'] ?? null } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const init = { method: 'POST', headers: { 'content-type': 'application/json', 'x-identity': 'a' }, body: '{"query":"{ a }"}' };

describe('createSubgraphClient', () => {
  it('should answer like a fetch response (status, headers, JSON body read once) and keep its connection alive', async () => {
    const client = createSubgraphClient();
    sockets.clear();
    for (let i = 0; i < 8; i++) {
      const response = await client.fetch(`${url}/graphql`, init, null);
      expect(response.ok).toBe(true);
      expect(response.headers.get('Content-Type')).toBe('application/json');
      expect(await response.json()).toEqual({ data: { method: 'POST', identity: 'a' } });
      await expect(response.text()).rejects.toThrow(/already read/);
    }
    // Kept alive: eight sequential requests on at most two connections (undici may open a second while the first is released).
    expect(sockets.size).toBeLessThanOrEqual(2);
    await client.close();
  });

  it('should share one request among concurrent callers with the same key, each with a body of its own', async () => {
    const client = createSubgraphClient();
    const before = requests;
    const answers = await Promise.all([client.fetch(`${url}/graphql`, init, 'k'), client.fetch(`${url}/graphql`, init, 'k'), client.fetch(`${url}/graphql`, init, 'other')]);
    expect(requests - before).toBe(2);
    for (const answer of answers) expect(await answer.json()).toEqual({ data: { method: 'POST', identity: 'a' } });
    expect(answers[0]!.headers.get('x-seen')).toBe(answers[1]!.headers.get('x-seen'));
    // Settled: nothing kept.
    expect(client.inFlight()).toBe(0);
    await client.fetch(`${url}/graphql`, init, 'k');
    expect(requests - before).toBe(3);
    await client.close();
  });

  it('should never share without a key', async () => {
    const client = createSubgraphClient();
    const before = requests;
    await Promise.all([client.fetch(`${url}/graphql`, init, null), client.fetch(`${url}/graphql`, init, null)]);
    expect(requests - before).toBe(2);
    await client.close();
  });

  it('should hand a non-2xx answer to every sharing caller, and a failure as an error naming the URL and its code', async () => {
    const client = createSubgraphClient();
    const [a, b] = await Promise.all([client.fetch(`${url}/missing`, init, 'm'), client.fetch(`${url}/missing`, init, 'm')]);
    expect([a.status, b.status, a.ok]).toEqual([404, 404, false]);
    const failures = await Promise.allSettled([client.fetch(`${url}/broken`, init, 'b'), client.fetch(`${url}/broken`, init, 'b')]);
    for (const failure of failures) {
      expect(failure.status).toBe('rejected');
      expect(String((failure as PromiseRejectedResult).reason.message)).toContain(`request to ${url}/broken failed`);
    }
    expect(client.inFlight()).toBe(0);
    await client.close();
    const refused = createSubgraphClient();
    const error = (await refused.fetch('http://127.0.0.1:1/graphql', init, null).catch((e: unknown) => e)) as { code?: string };
    expect(error.code).toBe('ECONNREFUSED');
    await refused.close();
  });

  it('should give up on a subgraph that does not answer within the timeout', async () => {
    const client = createSubgraphClient({ timeoutMs: 200 });
    stall = true;
    try {
      const error = (await client.fetch(`${url}/graphql`, init, null).catch((e: unknown) => e)) as { code?: string };
      expect(error.code).toBe('UND_ERR_HEADERS_TIMEOUT');
    } finally {
      stall = false;
      await client.close();
    }
  });
});
