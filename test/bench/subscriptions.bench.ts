// 2,000 WebSocket subscribers on one gateway (the same process runs the graph): an
// approval is committed through the gateway and each subscriber's delivery latency is
// measured from the moment the approve mutation is sent. Prints p50/p95/p99 and how many
// follow-up federated queries the gateway ran for the event.
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { createTestOrg, startTestGraph } from '../helpers/graph.ts';
import { percentile } from './stats.ts';

const SUBSCRIBERS = Number(process.env['BENCH_SUBSCRIBERS'] ?? 2000);
// Four different selections, as four kinds of dashboards would make.
const SELECTIONS = [
  'leaveRequest { id status }',
  'leaveRequest { id status user { name department { name } } }',
  'actor { name } leaveRequest { id startDate endDate leaveType { name } }',
  'leaveRequest { id decidedBy { name } user { name manager { name } } }',
];

export async function run(): Promise<void> {
  const graph = await startTestGraph({ now: () => new Date('2026-03-02T09:00:00Z'), maxSubscriptionsPerKey: SUBSCRIBERS + 10 });
  const clients: Client[] = [];
  try {
    const org = await createTestOrg(graph.peopleDb);
    const manager = await org.addUser({ role: 'MANAGER', firstName: 'Maya', lastName: 'Manager' });
    const departmentId = await org.addDepartment('Operations', manager.id);
    const employee = await org.addUser({ departmentId, managerId: manager.id });
    await graph.leave.catchUpDirectory();
    const type = await graph.gql<{ createLeaveType: { id: string } }>(org.admin.key, 'mutation { createLeaveType(input: { name: "Annual", code: "AL", defaultEntitlement: 25 }) { id } }');
    const created = await graph.gql<{ createLeaveRequest: { id: string } }>(
      employee.key,
      'mutation($t: ID!) { createLeaveRequest(input: { leaveTypeId: $t, startDate: "2026-04-14", endDate: "2026-04-14" }) { id } }',
      { t: type.body.data!.createLeaveType.id },
    );
    const requestId = created.body.data!.createLeaveRequest.id;

    const url = `${graph.gateway.url.replace('http', 'ws')}/graphql`;
    const received: number[] = [];
    let sentAt = 0;
    let acknowledged = 0;
    const connectStarted = performance.now();
    for (let i = 0; i < SUBSCRIBERS; i++) {
      const client = createClient({
        url,
        webSocketImpl: WebSocket,
        connectionParams: { 'X-Api-Key': org.admin.key },
        retryAttempts: 0,
        on: { connected: () => void (acknowledged += 1) },
      });
      clients.push(client);
      const selection = SELECTIONS[i % SELECTIONS.length];
      client.subscribe(
        { query: `subscription { leaveRequestEvents(filter: { types: [APPROVED] }) { cursor ${selection} } }` },
        { next: () => void received.push(performance.now() - sentAt), error: (e) => console.error('subscriber failed', e), complete: () => undefined },
      );
    }
    while (acknowledged < SUBSCRIBERS) await new Promise((r) => setTimeout(r, 50));
    // Let every subscription register before the event.
    await new Promise((r) => setTimeout(r, 1000));
    const connectMs = performance.now() - connectStarted;
    const followUpsBefore = graph.gateway.followUpQueries();
    const memory = process.memoryUsage().rss;

    sentAt = performance.now();
    const approved = await graph.gql(manager.key, 'mutation($id: ID!) { approveLeaveRequest(id: $id) { id } }', { id: requestId });
    if (approved.body.errors) throw new Error(JSON.stringify(approved.body.errors));
    const deadline = Date.now() + 30_000;
    while (received.length < SUBSCRIBERS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const latencies = [...received].sort((a, b) => a - b);
    const f = (n: number) => `${n.toFixed(1)} ms`;
    console.log(`subscriptions: ${SUBSCRIBERS} graphql-ws subscribers (${SELECTIONS.length} distinct selections, one organization's admin key) on one gateway`);
    console.log(`  connected and subscribed in ${(connectMs / 1000).toFixed(1)} s; process RSS ${(memory / 1024 / 1024).toFixed(0)} MiB`);
    console.log(`  delivered ${latencies.length}/${SUBSCRIBERS} within 30 s of the approve mutation being sent`);
    console.log(`  delivery latency p50 ${f(percentile(latencies, 50))}  p95 ${f(percentile(latencies, 95))}  p99 ${f(percentile(latencies, 99))}  max ${f(latencies.at(-1) ?? NaN)}`);
    console.log(`  follow-up federated queries for the event: ${graph.gateway.followUpQueries() - followUpsBefore} (one per distinct selection and visibility)`);
  } finally {
    await Promise.all(clients.map((c) => c.dispose()));
    await graph.stop();
  }
}
