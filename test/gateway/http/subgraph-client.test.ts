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

const init = { headers: { 'content-type': 'application/json', 'x-identity': 'a' }, body: '{"query":"{ a }"}' };
const json = (answer: { body: Buffer }) => JSON.parse(answer.body.toString('utf8')) as unknown;

describe('createSubgraphClient', () => {
  it('should POST, answer the status, lower-cased headers and the whole body, and keep its connection alive', async () => {
    const client = createSubgraphClient();
    sockets.clear();
    for (let i = 0; i < 8; i++) {
      const answer = await client.send(`${url}/graphql`, init, null);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toBe('application/json');
      expect(json(answer)).toEqual({ data: { method: 'POST', identity: 'a' } });
    }
    // Kept alive: eight sequential requests on at most two connections (undici may open a second while the first is released).
    expect(sockets.size).toBeLessThanOrEqual(2);
    await client.close();
  });

  it('should share one request and its answer among concurrent callers with the same key', async () => {
    const client = createSubgraphClient();
    const before = requests;
    const answers = await Promise.all([client.send(`${url}/graphql`, init, 'k'), client.send(`${url}/graphql`, init, 'k'), client.send(`${url}/graphql`, init, 'other')]);
    expect(requests - before).toBe(2);
    for (const answer of answers) expect(json(answer)).toEqual({ data: { method: 'POST', identity: 'a' } });
    expect(answers[0]!.headers.get('x-seen')).toBe(answers[1]!.headers.get('x-seen'));
    expect(answers[2]!.headers.get('x-seen')).not.toBe(answers[0]!.headers.get('x-seen'));
    // Settled: nothing kept.
    expect(client.inFlight()).toBe(0);
    await client.send(`${url}/graphql`, init, 'k');
    expect(requests - before).toBe(3);
    await client.close();
  });

  it('should never share without a key', async () => {
    const client = createSubgraphClient();
    const before = requests;
    await Promise.all([client.send(`${url}/graphql`, init, null), client.send(`${url}/graphql`, init, null)]);
    expect(requests - before).toBe(2);
    await client.close();
  });

  it('should hand a non-2xx answer to every sharing caller, and a failure as an error naming the URL and its code', async () => {
    const client = createSubgraphClient();
    const [a, b] = await Promise.all([client.send(`${url}/missing`, init, 'm'), client.send(`${url}/missing`, init, 'm')]);
    expect([a.status, b.status]).toEqual([404, 404]);
    const failures = await Promise.allSettled([client.send(`${url}/broken`, init, 'b'), client.send(`${url}/broken`, init, 'b')]);
    for (const failure of failures) {
      expect(failure.status).toBe('rejected');
      expect(String((failure as PromiseRejectedResult).reason.message)).toContain(`request to ${url}/broken failed`);
    }
    expect(client.inFlight()).toBe(0);
    await client.close();
    const refused = createSubgraphClient();
    const error = (await refused.send('http://127.0.0.1:1/graphql', init, null).catch((e: unknown) => e)) as { code?: string };
    expect(error.code).toBe('ECONNREFUSED');
    await refused.close();
  });

  it('should give up on a subgraph that does not answer within the timeout', async () => {
    const client = createSubgraphClient({ timeoutMs: 200 });
    stall = true;
    try {
      const error = (await client.send(`${url}/graphql`, init, null).catch((e: unknown) => e)) as { code?: string };
      expect(error.code).toBe('UND_ERR_HEADERS_TIMEOUT');
    } finally {
      stall = false;
      await client.close();
    }
  });
});
