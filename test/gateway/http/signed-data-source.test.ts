import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startGatewayServer, type RunningGateway } from '../../../gateway/server.ts';
import { SUPERGRAPH_PATH } from '../../../schema/compose.ts';
import { verifyIdentity } from '../../../subgraphs/shared/identity.ts';
import { REQUEST_ID_HEADER } from '../../../subgraphs/shared/logger.ts';
import { createTestOrg, startTestGraph, type TestGraph, type TestOrg } from '../../helpers/graph.ts';

// The gateway's data source against a leave subgraph that answers what each test sets:
// what it sends (signed body, headers) and how each kind of bad answer is reported.
let graph: TestGraph;
let org: TestOrg;
let gateway: RunningGateway;
let leave: http.Server;
let answer: { status: number; type?: string; body: string };
let received: { headers: http.IncomingHttpHeaders; body: string }[] = [];

beforeAll(async () => {
  graph = await startTestGraph();
  org = await createTestOrg(graph.peopleDb);
  leave = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(answer.status, answer.type ? { 'content-type': answer.type } : {});
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => leave.listen(0, '127.0.0.1', resolve));
  const leaveUrl = `http://127.0.0.1:${(leave.address() as AddressInfo).port}/graphql`;
  gateway = await startGatewayServer({
    supergraphSdl: fs.readFileSync(SUPERGRAPH_PATH, 'utf8'),
    subgraphUrls: { ...graph.subgraphUrls(), leave: leaveUrl },
    identitySecret: graph.identitySecret,
  });
});
afterAll(async () => {
  await gateway.stop();
  leave.closeAllConnections();
  await new Promise((resolve) => leave.close(resolve));
  await graph.stop();
});
beforeEach(() => {
  received = [];
});

const QUERY = 'query Types($first: Int) { leaveTypes(first: $first) { totalCount } }';

async function ask(requestId?: string): Promise<{ status: number; body: { data?: unknown; errors?: { message: string; path?: unknown[]; extensions?: Record<string, unknown> }[] } }> {
  const response = await fetch(`${gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': org.admin.key, ...(requestId ? { 'x-request-id': requestId } : {}) },
    body: JSON.stringify({ query: QUERY, variables: { first: 3 } }),
  });
  return { status: response.status, body: (await response.json()) as never };
}

describe('the signed data source', () => {
  it('should POST the fetch as JSON, signed for this subgraph and these bytes, with the request id, and return its data', async () => {
    answer = { status: 200, type: 'application/json', body: JSON.stringify({ data: { leaveTypes: { totalCount: 7 } } }) };
    const res = await ask('req-signed-1');
    expect(res.body).toMatchObject({ data: { leaveTypes: { totalCount: 7 } } });
    expect(received).toHaveLength(1);
    const [fetch] = received;
    expect(fetch!.headers['content-type']).toBe('application/json');
    expect(fetch!.headers[REQUEST_ID_HEADER]).toBe('req-signed-1');
    const sent = JSON.parse(fetch!.body) as { query: string; variables?: Record<string, unknown> };
    expect(sent.query).toContain('leaveTypes');
    expect(sent.variables).toEqual({ first: 3 });
    const verified = verifyIdentity(fetch!.headers, graph.identitySecret, { audience: 'leave', body: fetch!.body });
    expect(verified).toMatchObject({ ok: true, identity: { orgId: org.id, userId: org.admin.id, role: 'ADMIN' } });
    // Signed for leave and these bytes only.
    expect(verifyIdentity(fetch!.headers, graph.identitySecret, { audience: 'people', body: fetch!.body }).ok).toBe(false);
    expect(verifyIdentity(fetch!.headers, graph.identitySecret, { audience: 'leave', body: `${fetch!.body} ` }).ok).toBe(false);
  });

  it.each([
    ['an HTML page with 200', { status: 200, type: 'text/html', body: '<html>hello</html>' }],
    ['JSON that does not parse', { status: 200, type: 'application/json', body: '{"data": {' }],
    ['a JSON array', { status: 200, type: 'application/json', body: '[1, 2]' }],
    ['no content type', { status: 200, body: '{"data": null}' }],
  ])('should report %s as SUBREQUEST_MALFORMED_RESPONSE at the field, naming leave', async (_, bad) => {
    answer = bad;
    const res = await ask();
    expect(res.status).toBe(200);
    expect(res.body.data).toBeNull();
    expect(res.body.errors).toEqual([
      expect.objectContaining({ path: ['leaveTypes'], extensions: expect.objectContaining({ code: 'SUBREQUEST_MALFORMED_RESPONSE', service: 'leave' }) }),
    ]);
    expect(JSON.stringify(res.body)).not.toContain('127.0.0.1');
  });

  it('should report a 502 page as SUBREQUEST_HTTP_ERROR naming the status, and pass a 400 GraphQL answer through with its code', async () => {
    answer = { status: 502, type: 'text/html', body: '<html>Bad gateway</html>' };
    const failed = await ask();
    expect(failed.body.errors).toEqual([
      expect.objectContaining({ path: ['leaveTypes'], extensions: expect.objectContaining({ code: 'SUBREQUEST_HTTP_ERROR', service: 'leave', reason: 'leave answered HTTP 502' }) }),
    ]);
    expect(JSON.stringify(failed.body)).not.toContain('Bad gateway');
    answer = { status: 400, type: 'application/graphql-response+json', body: JSON.stringify({ errors: [{ message: 'first: must be at most 100', extensions: { code: 'BAD_USER_INPUT', field: 'first', rule: 'OUT_OF_RANGE' } }] }) };
    const refused = await ask();
    expect(refused.body.errors).toEqual([expect.objectContaining({ message: 'first: must be at most 100', extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'first', service: 'leave' }) })]);
  });
});
