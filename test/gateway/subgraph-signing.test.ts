import fs from 'node:fs';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayServer, type RunningGateway } from '../../gateway/server.ts';
import { SUPERGRAPH_PATH } from '../../schema/compose.ts';
import { close, listen, readBodyBytes } from '../../subgraphs/shared/http.ts';
import { verifyIdentity } from '../../subgraphs/shared/identity.ts';
import { createTestOrg, startTestGraph, TEST_RATE_LIMITS, type TestGraph, type TestOrg } from '../helpers/graph.ts';

/** A request the gateway sent to a subgraph, as the subgraph received it. */
interface Captured {
  readonly subgraph: string;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

// A second gateway, whose subgraph fetches pass through a recording proxy: the headers and
// bodies captured there are what an attacker on the internal network would see.
let graph: TestGraph;
let org: TestOrg;
let gateway: RunningGateway;
const captured: Captured[] = [];
const proxies: http.Server[] = [];

async function recordingProxy(subgraph: string, target: string): Promise<string> {
  const server = http.createServer((req, res) => {
    void readBodyBytes(req).then(async (body) => {
      const headers = Object.fromEntries(Object.entries(req.headers).filter((e): e is [string, string] => typeof e[1] === 'string'));
      captured.push({ subgraph, headers, body });
      const response = await fetch(new URL(req.url ?? '/', target), { method: 'POST', headers: replayHeaders(headers), body });
      res.writeHead(response.status, { 'content-type': response.headers.get('content-type') ?? 'application/json' });
      res.end(Buffer.from(await response.arrayBuffer()));
    });
  });
  proxies.push(server);
  return `${await listen(server, 0, '127.0.0.1')}/graphql`;
}

/** The headers worth replaying (no hop-by-hop or length headers). */
function replayHeaders(headers: Record<string, string>): Record<string, string> {
  const { host: _host, 'content-length': _length, connection: _connection, 'accept-encoding': _encoding, ...rest } = headers;
  return rest;
}

function replay(url: string, headers: Record<string, string>, body: string | Buffer) {
  return fetch(url, { method: 'POST', headers: replayHeaders(headers), body });
}

beforeAll(async () => {
  graph = await startTestGraph();
  org = await createTestOrg(graph.peopleDb);
  gateway = await startGatewayServer({
    supergraphSdl: fs.readFileSync(SUPERGRAPH_PATH, 'utf8'),
    subgraphUrls: {
      ...graph.subgraphUrls(),
      people: await recordingProxy('people', graph.people.url),
      leave: await recordingProxy('leave', graph.leave.url),
    },
    identitySecret: graph.identitySecret,
    rateLimits: TEST_RATE_LIMITS,
  });
  const response = await fetch(`${gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': org.admin.key },
    body: JSON.stringify({ query: '{ me { id name leaveRequests(first: 1) { totalCount } } }' }),
  });
  expect(response.status).toBe(200);
});

afterAll(async () => {
  await gateway.stop();
  for (const proxy of proxies) await close(proxy);
  await graph.stop();
});

describe('identity headers the gateway sends to subgraphs', () => {
  // The first GraphQL fetch of each subgraph (people also got the key verification).
  const capturedFor = (subgraph: string): Captured => {
    const request = captured.find((c) => c.subgraph === subgraph && c.body.toString('utf8').includes('"query"'));
    if (!request) throw new Error(`no signed request to ${subgraph} was captured`);
    return request;
  };

  it('should be signed for the subgraph they are sent to and the exact body sent', () => {
    for (const subgraph of ['people', 'leave']) {
      const request = capturedFor(subgraph);
      expect(verifyIdentity(request.headers, graph.identitySecret, { audience: subgraph, body: request.body })).toMatchObject({ ok: true });
    }
  });

  it('should carry no unsigned copy of the identity', () => {
    for (const request of captured) expect(Object.keys(request.headers).filter((name) => name.includes('pending'))).toEqual([]);
  });

  it('should be accepted when replayed unchanged within the window (the control for the refusals below)', async () => {
    const request = capturedFor('people');
    expect((await replay(`${graph.people.url}/graphql`, request.headers, request.body)).status).toBe(200);
  });

  it('should get 401 when replayed with another body', async () => {
    const request = capturedFor('people');
    const other = JSON.stringify({ query: '{ users(first: 100) { nodes { id email } } }' });
    const response = await replay(`${graph.people.url}/graphql`, request.headers, other);
    expect(response.status).toBe(401);
    expect(JSON.stringify(await response.json())).toContain('signed for another request body');
  });

  it('should get 401 when replayed against another subgraph', async () => {
    const request = capturedFor('people');
    const response = await replay(`${graph.leave.url}/graphql`, request.headers, request.body);
    expect(response.status).toBe(401);
    expect(JSON.stringify(await response.json())).toContain('signed for another subgraph');
  });

  it('should be refused once the 30 s window has passed, and not before', () => {
    const request = capturedFor('people');
    const target = { audience: 'people', body: request.body };
    expect(verifyIdentity(request.headers, graph.identitySecret, target, Date.now() + 25_000).ok).toBe(true);
    expect(verifyIdentity(request.headers, graph.identitySecret, target, Date.now() + 32_000)).toEqual({ ok: false, reason: 'expired signature' });
  });
});
