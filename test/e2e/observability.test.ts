import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLogs, type CapturedLogs } from '../../subgraphs/shared/logger.ts';
import { startMetricsServer, trackDatabase } from '../../subgraphs/shared/metrics.ts';
import { trustedDocumentId } from '../../subgraphs/shared/trusted-document-id.ts';
import { createTestOrg, startTestGraph, type TestGraph, type TestOrg } from '../helpers/graph.ts';

let graph: TestGraph;
let org: TestOrg;
let logs: CapturedLogs;
beforeAll(async () => {
  graph = await startTestGraph();
  org = await createTestOrg(graph.peopleDb);
});
afterAll(async () => {
  logs?.restore();
  await graph.stop();
});

const FEDERATED = 'query Observed { me { name leaveRequests(first: 1) { nodes { id } } } }';

async function post(query: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${graph.gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': org.admin.key, ...headers },
    body: JSON.stringify({ query }),
  });
}

/** Access lines (msg `request`) of `service` for `requestId`, waiting briefly: a line is written when the response closes. */
async function accessLines(service: string, requestId: string): Promise<Record<string, unknown>[]> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const found = logs.records().filter((r) => r['msg'] === 'request' && r['service'] === service && r['requestId'] === requestId);
    if (found.length > 0) return found;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return [];
}

describe('access lines and request ids', () => {
  beforeAll(() => {
    logs = captureLogs('info');
  });

  it('should log one access line per request at the gateway with its operation, organization, key, cost and request id', async () => {
    const res = await post(FEDERATED, { 'x-request-id': 'obs-test-1' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('obs-test-1');
    const body = (await res.json()) as { errors?: unknown; extensions: { cost: { estimated: number; actual: number } } };
    expect(body.errors).toBeUndefined();
    const lines = await accessLines('gateway', 'obs-test-1');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'info',
      method: 'POST',
      path: '/graphql',
      status: 200,
      operation: 'Observed',
      orgId: org.id,
      cost: body.extensions.cost.estimated,
      actualCost: body.extensions.cost.actual,
    });
    expect(lines[0]?.['keyId']).toMatch(/^[0-9a-f-]{36}$/);
    expect(typeof lines[0]?.['durationMs']).toBe('number');
    // The key's first use is verified by people, under the same request id.
    expect((await accessLines('people', 'obs-test-1')).map((l) => l['path'])).toContain('/internal/verify-api-key');
  });

  it('should pass the request id to every subgraph the operation reaches, which logs it on its own access line', async () => {
    await post(FEDERATED, { 'x-request-id': 'obs-test-2' });
    const people = await accessLines('people', 'obs-test-2');
    const leave = await accessLines('leave', 'obs-test-2');
    expect(people.length).toBeGreaterThanOrEqual(1);
    expect(leave.length).toBeGreaterThanOrEqual(1);
    for (const line of [...people, ...leave]) expect(line).toMatchObject({ path: '/graphql', status: 200, operation: expect.stringMatching(/^Observed__/) });
  });

  it('should pass the request id on the trusted-document lookup and through the documents proxy', async () => {
    const body = 'query ObservedDocument { me { name } }';
    const registered = await graph.gql(org.admin.key, 'mutation($input: RegisterTrustedDocumentsInput!) { registerTrustedDocuments(input: $input) { id } }', {
      input: { documents: [{ name: 'ObservedDocument', body }] },
    });
    expect(registered.body.errors).toBeUndefined();
    const byId = await fetch(`${graph.gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': org.admin.key, 'x-request-id': 'obs-test-4' },
      body: JSON.stringify({ documentId: trustedDocumentId(body) }),
    });
    expect(byId.status).toBe(200);
    expect((await accessLines('people', 'obs-test-4')).map((l) => l['path'])).toContain('/internal/trusted-document');
    // A document download through the gateway reaches leave under the gateway's request id (unknown token: refused there).
    const download = await fetch(`${graph.gateway.url}/documents/not-a-token`, { headers: { 'x-request-id': 'obs-test-5' } });
    expect(download.headers.get('x-request-id')).toBe('obs-test-5');
    expect((await accessLines('leave', 'obs-test-5')).map((l) => l['path'])).toEqual(['/documents/not-a-token']);
  });

  it('should answer a new request id for a missing or unsafe one', async () => {
    const unsafe = await post('{ me { name } }', { 'x-request-id': 'bad id\twith spaces' });
    const generated = unsafe.headers.get('x-request-id') ?? '';
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
    expect(await accessLines('gateway', generated)).toHaveLength(1);
    const missing = await post('{ me { name } }');
    expect(missing.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(missing.headers.get('x-request-id')).not.toBe(generated);
  });

  it('should log a refused request with its status and never the key or token it carried', async () => {
    const res = await fetch(`${graph.gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer lk_live_notarealkeybutsecret', 'x-request-id': 'obs-test-3' },
      body: JSON.stringify({ query: '{ me { name } }' }),
    });
    expect(res.status).toBe(401);
    expect(await accessLines('gateway', 'obs-test-3')).toMatchObject([{ status: 401, path: '/graphql' }]);
    const text = logs.text();
    expect(text).not.toContain('notarealkeybutsecret');
    expect(text).not.toContain(org.admin.key);
    expect(text).not.toMatch(/x-leave-signature|x-leave-identity/i);
  });
});

describe('metrics', () => {
  it('should serve the request, error, subgraph fetch, outbox lag and runtime series on the metrics listener', async () => {
    const metrics = await startMetricsServer({ port: 0, host: '127.0.0.1' });
    const untrack = trackDatabase(graph.database.handle);
    try {
      await post(FEDERATED);
      await post('{ nope }');
      await post('{ me { name } }', { 'x-api-key': 'lk_live_unknown' });
      const res = await fetch(`${metrics.url}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/plain');
      const text = await res.text();
      const value = (series: string): number => {
        const line = text.split('\n').find((l) => l.startsWith(`${series} `));
        return line === undefined ? Number.NaN : Number(line.slice(series.length + 1));
      };
      expect(value('graphql_request_duration_seconds_count{service="gateway",operation="Observed",status="200"}')).toBeGreaterThanOrEqual(1);
      expect(value('graphql_request_duration_seconds_count{service="people",operation="Observed__people__0",status="200"}')).toBeGreaterThanOrEqual(1);
      expect(value('graphql_errors_total{service="gateway",code="GRAPHQL_VALIDATION_FAILED"}')).toBeGreaterThanOrEqual(1);
      expect(value('graphql_errors_total{service="gateway",code="UNAUTHENTICATED"}')).toBeGreaterThanOrEqual(1);
      expect(value('gateway_subgraph_fetch_duration_seconds_count{subgraph="leave",outcome="ok"}')).toBeGreaterThanOrEqual(1);
      expect(value('gateway_active_subscriptions{transport="websocket"}')).toBe(0);
      // Every consumer has a cursor row; the lag is the outbox head minus it, never negative.
      expect(text).toMatch(/^outbox_consumer_lag_events\{consumer="[^"]+"\} \d+$/m);
      expect(text).toContain('nodejs_eventloop_lag_seconds');
      if (graph.database.handle.kind === 'postgres') expect(text).toMatch(/^db_pool_connections\{state="total"\} \d+$/m);
      expect((await fetch(`${metrics.url}/other`)).status).toBe(404);
    } finally {
      untrack();
      await metrics.stop();
    }
  });
});
