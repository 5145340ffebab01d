// 2,000 WebSocket subscribers on one gateway: approvals are committed through the gateway one after another and each
// subscriber's delivery latency is measured for every event. The first event is reported on
// its own (cold: its query plans are built then); the others are pooled. On PostgreSQL the
// latency is also measured from the commit, as seen by a LISTEN connection in a separate
// process (NOTIFY is delivered at commit), which is what the target is about; from
// the mutation's send it includes the mutation's own round trip. Also prints how many
// follow-up federated queries the gateway ran per event.
//
// Processes, as in production: on PostgreSQL the gateway runs in a process of its own
// (peer-gateway-main.ts, everything on, its feed and rate limits on the same database), the
// subgraphs in this one, the subscribers in a third (subscribers-main.ts). On PGlite, which
// one process holds (or with BENCH_SAME_PROCESS=1), the gateway runs here beside the subgraphs.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EVENTS_CHANNEL } from '../../subgraphs/shared/notifications.ts';
import { createTestOrg, startTestGraph } from '../helpers/graph.ts';
import { percentile } from './stats.ts';
import type { SubscribersConfig } from './subscribers-main.ts';
import { startPeer, stopPeer } from './peer-process.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

const SUBSCRIBERS = Number(process.env['BENCH_SUBSCRIBERS'] ?? 2000);
/** BENCH_SAME_PROCESS=1: the gateway in this process on PostgreSQL too (as on PGlite), to compare. */
const SAME_PROCESS = process.env['BENCH_SAME_PROCESS'] === '1';
/** Measured events after the first (cold) one. */
const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 5);
// Four different selections, as four kinds of dashboards would make.
const SELECTIONS = [
  'leaveRequest { id status }',
  'leaveRequest { id status user { name department { name } } }',
  'actor { name } leaveRequest { id startDate endDate leaveType { name } }',
  'leaveRequest { id decidedBy { name } user { name manager { name } } }',
];

/** Wall-clock time in ms with sub-millisecond precision, comparable across processes of this machine. */
const clock = () => performance.timeOrigin + performance.now();

/**
 * A LISTEN connection in a child process: prints the clock and the payload (the newest event
 * id of the transaction) of each notification, i.e. the moment each outbox append committed.
 */
function commitWatcher(url: string): { commits: { at: number; lastId: number }[]; ready: Promise<void>; stop: () => void } {
  const script = `
    const pg = require('pg');
    const client = new pg.Client({ connectionString: process.env.WATCH_URL });
    client.on('notification', (m) => console.log((performance.timeOrigin + performance.now()).toFixed(3), m.payload));
    client.connect().then(() => client.query('listen ' + pg.escapeIdentifier(process.env.WATCH_CHANNEL))).then(() => console.log('ready'));
    process.stdin.on('end', () => client.end().then(() => process.exit(0)));
    process.stdin.resume();`;
  const child: ChildProcess = spawn(process.execPath, ['-e', script], { env: { ...process.env, WATCH_URL: url, WATCH_CHANNEL: EVENTS_CHANNEL }, stdio: ['pipe', 'pipe', 'inherit'] });
  const commits: { at: number; lastId: number }[] = [];
  let onReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    if (line === 'ready') return onReady();
    const [at, lastId] = line.split(' ');
    commits.push({ at: Number(at), lastId: Number(lastId) });
  });
  return { commits, ready, stop: () => child.stdin?.end() };
}

interface Subscribers {
  /** Resolves once every subscriber is connected. */
  readonly connected: Promise<void>;
  /** The next event every subscriber received, with their receipt times (wall clock, ms). */
  next(timeoutMs: number): Promise<{ eventId: number; at: number[] }>;
  stop(): Promise<void>;
}

/** The subscribers in a child process (`subscribers-main.ts`). */
function startSubscribers(config: SubscribersConfig): Subscribers {
  const child = spawn(process.execPath, ['--import', 'tsx/esm', path.join(here, 'subscribers-main.ts')], {
    env: { ...process.env, SUBSCRIBERS_CONFIG: JSON.stringify(config) },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const events: { eventId: number; at: number[] }[] = [];
  let wake: (() => void) | null = null;
  let onConnected: () => void = () => undefined;
  const connected = new Promise<void>((resolve) => (onConnected = resolve));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (line === 'connected') return onConnected();
    events.push(JSON.parse(line) as { eventId: number; at: number[] });
    wake?.();
  });
  return {
    connected: Promise.race([connected, exited.then(() => Promise.reject(new Error('the subscribers process ended')))]),
    async next(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (events.length === 0) {
        if (Date.now() > deadline) throw new Error(`not every subscriber received the event within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 100);
        });
      }
      return events.shift()!;
    },
    async stop() {
      child.stdin.end();
      await exited;
    },
  };
}

export async function run(): Promise<void> {
  const graph = await startTestGraph({ now: () => new Date('2026-03-02T09:00:00Z'), maxSubscriptionsPerKey: SUBSCRIBERS + 10 });
  let subscribers: Subscribers | undefined;
  let gatewayProcess: ChildProcess | undefined;
  const watcher = graph.database.url ? commitWatcher(graph.database.url) : null;
  try {
    const org = await createTestOrg(graph.peopleDb);
    const manager = await org.addUser({ role: 'MANAGER', firstName: 'Maya', lastName: 'Manager' });
    const departmentId = await org.addDepartment('Operations', manager.id);
    const employee = await org.addUser({ departmentId, managerId: manager.id });
    await graph.leave.catchUpDirectory();
    const type = await graph.gql<{ createLeaveType: { id: string } }>(org.admin.key, 'mutation { createLeaveType(input: { name: "Annual", code: "AL", defaultEntitlement: 25 }) { id } }');
    const requestIds: string[] = [];
    // One working day each, from Tuesday 14 April 2026 on.
    for (let date = new Date('2026-04-14T00:00:00Z'); requestIds.length <= EVENTS; date = new Date(date.getTime() + 86_400_000)) {
      if (date.getUTCDay() === 0 || date.getUTCDay() === 6) continue;
      const day = date.toISOString().slice(0, 10);
      const created = await graph.gql<{ createLeaveRequest: { id: string } }>(
        employee.key,
        'mutation($t: ID!, $d: Date!) { createLeaveRequest(input: { leaveTypeId: $t, startDate: $d, endDate: $d }) { id } }',
        { t: type.body.data!.createLeaveType.id, d: day },
      );
      if (created.body.errors) throw new Error(JSON.stringify(created.body.errors));
      requestIds.push(created.body.data!.createLeaveRequest.id);
    }
    await watcher?.ready;
    // On PostgreSQL, the gateway of the figures in a process of its own.
    const peer = graph.database.url && !SAME_PROCESS
      ? await startPeer({
          kind: 'ours',
          subgraphUrls: graph.subgraphUrls(),
          identitySecret: graph.identitySecret,
          identity: { orgId: org.id, userId: org.admin.id, role: 'ADMIN', scopes: ['admin'], keyId: null, authMethod: 'api-key' },
          databaseUrl: graph.database.url,
          hiveDir: '',
          maxSubscriptionsPerKey: SUBSCRIBERS + 10,
        }, process.env['PEERS_CPU_PROF'])
      : null;
    if (peer) gatewayProcess = peer.child;
    const gatewayUrl = peer?.url ?? graph.gateway.url;
    const approve = async (id: string) => {
      const response = await fetch(`${gatewayUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': manager.key },
        body: JSON.stringify({ query: 'mutation($id: ID!) { approveLeaveRequest(id: $id) { id } }', variables: { id } }),
      });
      const body = (await response.json()) as { errors?: unknown };
      if (response.status !== 200 || body.errors) throw new Error(`approve answered ${response.status}: ${JSON.stringify(body.errors)}`);
    };

    const connectStarted = performance.now();
    subscribers = startSubscribers({
      url: `${gatewayUrl.replace('http', 'ws')}/graphql`,
      key: org.admin.key,
      count: SUBSCRIBERS,
      documents: SELECTIONS.map((selection) => `subscription { leaveRequestEvents(filter: { types: [APPROVED] }) { cursor ${selection} } }`),
    });
    await subscribers.connected;
    // Let every subscription register before the first event (a gateway process is given 3 s: an unregistered subscriber would miss the event, and the run fail).
    if (peer) await new Promise((r) => setTimeout(r, 3000));
    else while (graph.gateway.eventListeners() < SUBSCRIBERS) await new Promise((r) => setTimeout(r, 50));
    const connectMs = performance.now() - connectStarted;
    const memory = process.memoryUsage().rss;

    const fromSend: number[][] = [];
    const fromCommit: number[][] = [];
    const followUps: number[] = [];
    let delivered = 0;
    for (const requestId of requestIds) {
      const followUpsBefore = graph.gateway.followUpQueries();
      const sentAt = clock();
      await approve(requestId);
      const { eventId, at: received } = await subscribers.next(30_000);
      delivered += received.length;
      followUps.push(graph.gateway.followUpQueries() - followUpsBefore);
      fromSend.push(received.map((at) => at - sentAt));
      if (watcher) {
        const commit = watcher.commits.find((c) => c.at >= sentAt && c.lastId >= eventId);
        if (!commit) throw new Error(`no commit seen for event ${eventId}`);
        fromCommit.push(received.map((at) => at - commit.at));
      }
      // Let the process settle (timers, garbage collection) before the next event.
      await new Promise((r) => setTimeout(r, 300));
    }

    const f = (n: number) => `${n.toFixed(1)} ms`;
    const line = (label: string, samples: readonly number[]) => {
      const sorted = [...samples].sort((a, b) => a - b);
      return `  ${label.padEnd(34)} p50 ${f(percentile(sorted, 50))}  p95 ${f(percentile(sorted, 95))}  p99 ${f(percentile(sorted, 99))}  max ${f(sorted.at(-1) ?? NaN)}`;
    };
    console.log(`subscriptions: ${SUBSCRIBERS} graphql-ws subscribers (${SELECTIONS.length} distinct selections, one organization's admin key) on one gateway, ${peer ? 'PostgreSQL, the gateway in its own process' : 'PGlite, the gateway in the process of the subgraphs'}`);
    console.log(`  connected and subscribed in ${(connectMs / 1000).toFixed(1)} s; process RSS ${(memory / 1024 / 1024).toFixed(0)} MiB`);
    console.log(`  delivered ${delivered}/${SUBSCRIBERS * requestIds.length} (${requestIds.length} events, each within 30 s)`);
    if (!peer) console.log(`  follow-up federated queries per event: ${followUps.join(', ')} (one per distinct selection and visibility)`);
    console.log(line('first event, from the send', fromSend[0] ?? []));
    if (watcher) console.log(line('first event, from the commit', fromCommit[0] ?? []));
    console.log(line(`next ${EVENTS} events, from the send`, fromSend.slice(1).flat()));
    if (watcher) console.log(line(`next ${EVENTS} events, from the commit`, fromCommit.slice(1).flat()));
  } finally {
    watcher?.stop();
    await subscribers?.stop();
    if (gatewayProcess) await stopPeer(gatewayProcess);
    await graph.stop();
  }
}
