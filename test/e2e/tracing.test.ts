import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { captureLogs, type CapturedLogs } from '../../subgraphs/shared/logger.ts';
import { startTracing, type Tracing } from '../../subgraphs/shared/tracing.ts';
import { createTestOrg, startTestGraph, type TestGraph, type TestOrg } from '../helpers/graph.ts';

const exporter = new InMemorySpanExporter();
let tracing: Tracing;
let graph: TestGraph;
let org: TestOrg;
let logs: CapturedLogs;
beforeAll(async () => {
  // Before the graph's database opens, so that its statements are traced.
  tracing = await startTracing({ serviceName: 'leave-graph-test', exporter });
  graph = await startTestGraph();
  org = await createTestOrg(graph.peopleDb);
  logs = captureLogs('info');
});
afterAll(async () => {
  logs.restore();
  await graph.stop();
  await tracing.shutdown();
});

const spanId = (span: ReadableSpan) => span.spanContext().spanId;
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

describe('traces', () => {
  it('should record one trace from the gateway through each subgraph fetch to its SQL, and name it on the access line', async () => {
    exporter.reset();
    const res = await fetch(`${graph.gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': org.admin.key, 'x-request-id': 'trace-test-1' },
      body: JSON.stringify({ query: 'query Traced { me { name leaveRequests(first: 1) { nodes { id } } } }' }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { errors?: unknown }).errors).toBeUndefined();
    // Spans end as their responses close: wait for the gateway's server span.
    let root: ReadableSpan | undefined;
    for (let attempt = 0; attempt < 100 && !root; attempt++) {
      root = exporter.getFinishedSpans().find((s) => s.name === 'gateway POST /graphql');
      if (!root) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(root).toBeDefined();
    const traceId = root!.spanContext().traceId;
    const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
    const names = spans.map((s) => s.name);
    // The API key is verified before the operation (cached later): the operation's own spans.
    for (const name of ['gateway POST /graphql', 'gateway.request', 'gateway.execute', 'subgraph people', 'subgraph leave', 'people POST /graphql', 'leave POST /graphql']) expect(names).toContain(name);
    for (const service of ['people', 'leave']) {
      const client = spans.find((s) => s.name === `subgraph ${service}`)!;
      const server = spans.find((s) => s.name === `${service} POST /graphql`)!;
      // The subgraph continued the trace from the fetch's traceparent.
      expect(parentOf(server)).toBe(spanId(client));
      const sql = spans.filter((s) => /^(pg|pglite) /.test(s.name) && isBelow(s, server, spans));
      expect(sql.length).toBeGreaterThan(0);
      expect(String(sql[0]?.attributes['db.query.text'])).toMatch(/select/i);
    }
    const line = logs.records().find((r) => r['msg'] === 'request' && r['service'] === 'gateway' && r['requestId'] === 'trace-test-1');
    expect(line?.['traceId']).toBe(traceId);
  });
});

/** Whether `span` descends from `ancestor`. */
function isBelow(span: ReadableSpan, ancestor: ReadableSpan, spans: readonly ReadableSpan[]): boolean {
  const byId = new Map(spans.map((s) => [spanId(s), s]));
  for (let at = parentOf(span); at !== undefined; at = byId.get(at) ? parentOf(byId.get(at)!) : undefined) if (at === spanId(ancestor)) return true;
  return false;
}
