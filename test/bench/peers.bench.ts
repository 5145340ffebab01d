// Peer benchmark: our gateway (all protection on) against bare @apollo/gateway and Hive
// Gateway over the same subgraph processes, each gateway in a process of its own, driven by
// autocannon at 10 and 50 connections in interleaved rounds. Every response is checked.
// Recipe and queries: docs/performance.md. Its last line is read by scripts:
//   peers: min ratio ours/hive X, min ratio ours/bare Y
// Before it, with Q2 selected: ours with de-duplication off against the same query sent
// straight to the people subgraph (signed as the gateway signs), interleaved likewise.
import { execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { signIdentity, type Identity } from '../../subgraphs/shared/identity.ts';
import { seedDemoOrganization } from '../../subgraphs/people/db/seed/demo-organization.ts';
import { ensureDemoApiKey } from '../../subgraphs/people/demo-api-key.ts';
import { seedDemoLeave } from '../../subgraphs/leave/db/seed/demo-leave.ts';
import { startTestGraph } from '../helpers/graph.ts';
import type { PeerConfig } from './peer-gateway-main.ts';
import { cpuSeconds, startPeer, stopPeer } from './peer-process.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
/** Where Hive Gateway is installed on demand (git-ignored). */
const HIVE_DIR = path.join(root, '.bench-peers');
const HIVE_PACKAGE = '@graphql-hive/gateway@2.15.1';
/** Seconds per run (PEERS_DURATION), rounds (PEERS_ROUNDS), connection counts (PEERS_CONNECTIONS). */
const DURATION = Number(process.env['PEERS_DURATION'] ?? 5);
const ROUNDS = Number(process.env['PEERS_ROUNDS'] ?? 2);
const CONNECTIONS = (process.env['PEERS_CONNECTIONS'] ?? '10,50').split(',').map(Number);
/** Scenarios to run (PEERS_SCENARIOS, e.g. `Q2`); default all. */
const ONLY = process.env['PEERS_SCENARIOS']?.split(',');
/** `memory`: ours keeps its rate limits in memory instead of PostgreSQL (PEERS_OURS_LIMITS), to tell their cost apart. */
const OURS_LIMITS = process.env['PEERS_OURS_LIMITS'];
/** A directory for CPU profiles of each gateway process, in `<dir>/<kind>/` (PEERS_CPU_PROF, `node --cpu-prof`); default none. */
const CPU_PROF = process.env['PEERS_CPU_PROF'];

/** Q2: one subgraph, one fetch: the limit is the people subgraph. */
export const Q2 = '{ users(first: 20) { nodes { name email } } }';
/** Q1: nested people and leave: departments, their members, allowances and leave requests. */
export const Q1 = `{
  departments(first: 10) {
    nodes {
      name
      manager { name }
      members(first: 20) {
        nodes {
          name email
          allowances { remaining leaveType { name } }
          leaveRequests(first: 5) { nodes { startDate endDate status } }
        }
      }
    }
  }
}`;
/**
 * The subscription-heavy mix: what live dashboards send while they subscribe to approvals:
 * the follow-up selection of a leave event (a page of requests with their people), the
 * team's balances, and Q2, in turn.
 */
export const MIX = [
  '{ leaveRequests(first: 10) { nodes { id status startDate endDate user { name department { name } } } } }',
  '{ me { name allowances { remaining leaveType { name } } } }',
  Q2,
];

type Kind = PeerConfig['kind'];
/** Gateways to compare (PEERS_GATEWAYS, e.g. `ours`; `none`: only ours without de-duplication against the subgraph); default all three. */
const KINDS: readonly Kind[] = (['ours', 'hive', 'bare'] as const).filter((kind) => !process.env['PEERS_GATEWAYS'] || process.env['PEERS_GATEWAYS'].split(',').includes(kind));
const SCENARIOS = [
  { name: 'Q1', queries: [Q1] },
  { name: 'Q2', queries: [Q2] },
  { name: 'mix', queries: MIX },
].filter((scenario) => !ONLY || ONLY.includes(scenario.name));

interface Figures {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly failed: number;
  /** CPU milliseconds the gateway process spent per completed request; null without /proc, or for the subgraph alone. */
  readonly cpuMs: number | null;
}

function ensureHive(): void {
  if (fs.existsSync(path.join(HIVE_DIR, 'node_modules', '@graphql-hive', 'gateway', 'package.json'))) return;
  console.log(`installing ${HIVE_PACKAGE} into .bench-peers/ (once)`);
  fs.mkdirSync(HIVE_DIR, { recursive: true });
  execFileSync('npm', ['install', '--prefix', HIVE_DIR, '--no-save', '--no-audit', '--no-fund', '--loglevel=error', HIVE_PACKAGE], { stdio: 'inherit' });
}

async function post(url: string, headers: Record<string, string>, query: string): Promise<{ data?: unknown; errors?: unknown }> {
  const response = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });
  const body = (await response.json()) as { data?: unknown; errors?: unknown };
  if (response.status !== 200 || body.errors) throw new Error(`${url} answered ${response.status}: ${JSON.stringify(body.errors)}`);
  return body;
}

/**
 * One autocannon run; a response that is not 2xx or carries GraphQL errors counts as failed.
 * `pid`: the gateway process, whose CPU time over the run is divided by the requests completed.
 */
async function load(url: string, headers: Record<string, string>, queries: readonly string[], connections: number, duration: number, pid?: number): Promise<Figures> {
  let graphqlErrors = 0;
  const cpuBefore = cpuSeconds(pid);
  const result = await autocannon({
    url: `${url}/graphql`,
    connections,
    duration,
    requests: queries.map((query) => ({
      method: 'POST' as const,
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query }),
      onResponse: (status: number, body: string) => {
        if (status === 200 && (!body.startsWith('{"data"') || body.includes('"errors":'))) graphqlErrors += 1;
      },
    })),
  });
  const cpuAfter = cpuSeconds(pid);
  const cpuMs = cpuBefore !== null && cpuAfter !== null && result.requests.total > 0 ? ((cpuAfter - cpuBefore) * 1000) / result.requests.total : null;
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, failed: result.non2xx + result.errors + result.timeouts + graphqlErrors, cpuMs };
}

export async function run(): Promise<void> {
  let lastLine = '';
  if (KINDS.includes('hive')) ensureHive();
  // PostgreSQL when TEST_DATABASE_URL or DATABASE_URL is set (a database of the run's own), else PGlite.
  const databaseUrl = process.env['DATABASE_URL'];
  if (!process.env['TEST_DATABASE_URL'] && databaseUrl) process.env['TEST_DATABASE_URL'] = databaseUrl;
  const graph = await startTestGraph();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
  const children: ChildProcess[] = [];
  try {
    const demo = await seedDemoOrganization(graph.peopleDb);
    await graph.leave.catchUpDirectory();
    await seedDemoLeave(graph.leaveDb, graph.leave.services, demo.orgId, demo.adminUserId);
    const key = await ensureDemoApiKey(graph.peopleDb, demo.orgId, demo.adminUserId, path.join(dir, 'key'));
    const identity: Identity = { orgId: demo.orgId, userId: demo.adminUserId, role: 'ADMIN', scopes: ['admin'], keyId: null, authMethod: 'api-key' };
    const database = graph.database.url ? 'PostgreSQL' : 'PGlite (ours keeps its rate limits in memory: its process cannot reach the PGlite of this one)';
    console.log(`peers: demo organization on ${database}; ${DURATION} s a run, ${ROUNDS} interleaved rounds, connections ${CONNECTIONS.join(' and ')}; dedup ${process.env['SUBGRAPH_DEDUP'] === 'false' ? 'off' : 'on'} in ours, its rate limits in ${OURS_LIMITS === 'memory' || !graph.database.url ? 'memory' : 'PostgreSQL'}`);
    const base = { subgraphUrls: graph.subgraphUrls(), identitySecret: graph.identitySecret, identity, databaseUrl: graph.database.url, hiveDir: HIVE_DIR };
    const peers = {} as Record<Kind, { url: string; headers: Record<string, string>; pid: number | undefined }>;
    for (const kind of KINDS) {
      const started = await startPeer({ ...base, kind, ...(kind === 'ours' && OURS_LIMITS === 'memory' ? { databaseUrl: undefined } : {}) }, CPU_PROF);
      children.push(started.child);
      peers[kind] = { url: started.url, headers: kind === 'ours' ? { 'x-api-key': key } : {}, pid: started.child.pid };
    }
    // The same data from all three, for every query.
    for (const query of [Q1, ...MIX]) {
      const answers = await Promise.all(KINDS.map((kind) => post(peers[kind].url, peers[kind].headers, query)));
      const [first, ...rest] = answers.map((answer) => JSON.stringify(answer.data));
      if (rest.some((data) => data !== first)) throw new Error(`the gateways answer ${query.slice(0, 40)}... with different data`);
    }
    if (KINDS.length > 1) console.log(`  ${KINDS.join(', ')} return the same data for Q1, Q2 and the mix`);
    for (const kind of KINDS) for (const scenario of SCENARIOS) await load(peers[kind].url, peers[kind].headers, scenario.queries, 10, 1);
    const samples = new Map<string, Figures[]>();
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const scenario of SCENARIOS) {
        for (const connections of CONNECTIONS) {
          // Interleaved, the order rotated each round, so that no gateway always runs first.
          const order = KINDS.map((_, i) => KINDS[(i + round) % KINDS.length]!);
          for (const kind of order) {
            const figures = await load(peers[kind].url, peers[kind].headers, scenario.queries, connections, DURATION, peers[kind].pid);
            const id = `${scenario.name}/${connections}/${kind}`;
            samples.set(id, [...(samples.get(id) ?? []), figures]);
          }
        }
      }
    }
    const summary = (id: string): Figures => {
      const runs = samples.get(id) ?? [];
      const rps = runs.reduce((sum, f) => sum + f.rps, 0) / runs.length;
      const p50s = runs.map((f) => f.p50).sort((a, b) => a - b);
      const cpu = runs.map((f) => f.cpuMs).filter((ms): ms is number => ms !== null);
      return {
        rps,
        p50: p50s[Math.floor(p50s.length / 2)] ?? NaN,
        p99: Math.max(...runs.map((f) => f.p99)),
        failed: runs.reduce((sum, f) => sum + f.failed, 0),
        cpuMs: cpu.length > 0 ? cpu.reduce((sum, ms) => sum + ms, 0) / cpu.length : null,
      };
    };
    const cpuColumn = (f: Figures) => (f.cpuMs === null ? 'n/a' : f.cpuMs.toFixed(2)).padStart(9);
    const ratios = { hive: [] as number[], bare: [] as number[] };
    if (KINDS.length > 0) console.log('  scenario   conns  gateway   req/s    p50 ms   p99 ms  failed  CPU ms/req  ours/peer');
    for (const scenario of SCENARIOS) {
      for (const connections of CONNECTIONS) {
        const ours = summary(`${scenario.name}/${connections}/ours`);
        for (const kind of KINDS) {
          const f = summary(`${scenario.name}/${connections}/${kind}`);
          // A run that completed nothing (slower than its duration) has no ratio: reported, not counted.
          const comparable = kind !== 'ours' && ours.rps > 0 && f.rps > 0;
          const ratio = kind === 'ours' ? '' : comparable ? (ours.rps / f.rps).toFixed(2) : 'n/a (nothing completed)';
          if (kind !== 'ours' && comparable) ratios[kind].push(ours.rps / f.rps);
          console.log(`  ${scenario.name.padEnd(9)} ${String(connections).padStart(5)}  ${kind.padEnd(6)} ${f.rps.toFixed(1).padStart(8)} ${f.p50.toFixed(1).padStart(8)} ${f.p99.toFixed(1).padStart(8)} ${String(f.failed).padStart(7)}  ${cpuColumn(f)}   ${ratio}`);
        }
      }
    }
    const failed = [...samples.values()].flat().reduce((sum, f) => sum + f.failed, 0);
    if (failed > 0) console.log(`  WARNING: ${failed} responses failed (non-2xx, socket errors, timeouts or GraphQL errors): the figures above are not comparable`);
    const least = (values: number[]) => (values.length > 0 ? Math.min(...values).toFixed(2) : 'n/a');
    if (SCENARIOS.some((s) => s.name === 'Q2')) {
      // The cost of the gateway itself: ours without de-duplication (and Hive likewise, when
      // it is compared) against Q2 sent straight to people.
      const plain = await startPeer({ ...base, kind: 'ours', dedup: false }, CPU_PROF);
      children.push(plain.child);
      const plainHive = KINDS.includes('hive') ? await startPeer({ ...base, kind: 'hive', dedup: false }, CPU_PROF) : null;
      if (plainHive) children.push(plainHive.child);
      const body = JSON.stringify({ query: Q2 });
      // Signed afresh for each run: a signature is valid for 30 s.
      const direct = () => ({ url: graph.subgraphUrls()['people']!.replace(/\/graphql$/, ''), headers: signIdentity(identity, graph.identitySecret, { audience: 'people', body }), pid: undefined });
      const contenders = new Map<string, () => { url: string; headers: Record<string, string>; pid: number | undefined }>([
        ['ours, dedup off', () => ({ url: plain.url, headers: { 'x-api-key': key }, pid: plain.child.pid })],
        ...(plainHive ? [['hive, dedup off', () => ({ url: plainHive.url, headers: {}, pid: plainHive.child.pid })] as const] : []),
        ['people direct', direct],
      ]);
      const probe = direct();
      await post(probe.url, probe.headers, Q2);
      // Warmed up like the gateways above, so that a first run is not its JIT's.
      for (const [name, target] of contenders) {
        if (name === 'people direct') continue;
        const { url, headers } = target();
        await load(url, headers, [Q2], 10, 1);
      }
      for (let round = 0; round < ROUNDS; round += 1) {
        for (const connections of CONNECTIONS) {
          const names = [...contenders.keys()];
          for (const name of round % 2 === 0 ? names : [...names].reverse()) {
            const target = contenders.get(name)!();
            const id = `${name}/${connections}`;
            samples.set(id, [...(samples.get(id) ?? []), await load(target.url, target.headers, [Q2], connections, DURATION, target.pid)]);
          }
        }
      }
      const directRatios: number[] = [];
      console.log('  Q2         conns  target            req/s    p99 ms  failed  CPU ms/req  x/direct');
      for (const connections of CONNECTIONS) {
        const straight = summary(`people direct/${connections}`);
        for (const name of contenders.keys()) {
          const f = summary(`${name}/${connections}`);
          const ratio = name === 'people direct' ? '' : straight.rps > 0 && f.rps > 0 ? (f.rps / straight.rps).toFixed(2) : 'n/a';
          if (name === 'ours, dedup off' && straight.rps > 0 && f.rps > 0) directRatios.push(f.rps / straight.rps);
          console.log(`  Q2        ${String(connections).padStart(5)}  ${name.padEnd(15)} ${f.rps.toFixed(1).padStart(8)} ${f.p99.toFixed(1).padStart(8)} ${String(f.failed).padStart(7)}  ${cpuColumn(f)}   ${ratio}`);
        }
      }
      console.log(`peers: Q2 with dedup off, min ratio ours/people-direct ${least(directRatios)}`);
    }
    lastLine = `peers: min ratio ours/hive ${least(ratios.hive)}, min ratio ours/bare ${least(ratios.bare)}`;
  } finally {
    for (const child of children) await stopPeer(child);
    await graph.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  // After the teardown, whose warnings (connections closed) would otherwise follow it: the last line is for scripts.
  console.log(lastLine);
}
