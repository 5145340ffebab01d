// Protection overhead: a typical nested query across people and leave through our gateway
// with everything on (API-key auth, IP allowlist, shape limits, validation, scopes, cost
// estimate and actual, rate limits and budgets in the configured store) against the
// same @apollo/gateway over the same subgraphs with all of it off (a fixed identity, no
// checks), in the same process run, measured alternately. Prints p50/p95/p99 and the ratio.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Identity } from '../../subgraphs/shared/identity.ts';
import { startBareGateway } from './bare-gateway.ts';
import { seedDemoOrganization } from '../../subgraphs/people/db/seed/demo-organization.ts';
import { ensureDemoApiKey } from '../../subgraphs/people/demo-api-key.ts';
import { SUPERGRAPH_PATH } from '../../schema/compose.ts';
import { startTestGraph } from '../helpers/graph.ts';
import { percentile, summary } from './stats.ts';

const QUERY = `{
  users(first: 20) {
    totalCount
    nodes {
      name email department { name manager { name } }
      leaveRequests(first: 5) { nodes { startDate endDate status } }
      allowances { remaining leaveType { name } }
    }
  }
}`;
const RUNS = Number(process.env['BENCH_RUNS'] ?? 300);

export async function run(): Promise<void> {
  // Production shape and cost limits; rate limits high enough never to refuse (the
  // benchmark's sustained rate would drain a production budget), but still checked and
  // charged in the database on every request.
  const graph = await startTestGraph();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
  try {
    const demo = await seedDemoOrganization(graph.peopleDb);
    await graph.leave.catchUpDirectory();
    const key = await ensureDemoApiKey(graph.peopleDb, demo.orgId, demo.adminUserId, path.join(dir, 'key'));
    const identity: Identity = { orgId: demo.orgId, userId: demo.adminUserId, role: 'ADMIN', scopes: ['admin'], keyId: null, authMethod: 'api-key' };
    const bare = await startBareGateway(
      fs.readFileSync(SUPERGRAPH_PATH, 'utf8'),
      graph.subgraphUrls(),
      identity,
      graph.identitySecret,
    );
    const body = JSON.stringify({ query: QUERY });
    let cost: unknown = null;
    const call = async (url: string, headers: Record<string, string>, keep = false) => {
      const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
      const json = (await res.json()) as { errors?: unknown[]; extensions?: { cost?: unknown } };
      if (res.status !== 200 || json.errors) throw new Error(`answered ${res.status}: ${JSON.stringify(json.errors)}`);
      if (keep) cost = json.extensions?.cost;
    };
    const on = () => call(graph.gateway.url, { 'x-api-key': key }, true);
    const off = () => call(bare.url, {});
    for (let i = 0; i < Math.ceil(RUNS / 10); i += 1) {
      await on();
      await off();
    }
    const samples = { on: [] as number[], off: [] as number[] };
    for (let i = 0; i < RUNS; i += 1) {
      for (const [name, fn] of i % 2 === 0 ? ([['on', on], ['off', off]] as const) : ([['off', off], ['on', on]] as const)) {
        const t = performance.now();
        await fn();
        samples[name].push(performance.now() - t);
      }
    }
    samples.on.sort((a, b) => a - b);
    samples.off.sort((a, b) => a - b);
    // A hostile document (an alias bomb within the token limit) is refused before validation:
    // what it costs the gateway, against the nested query it would otherwise compete with.
    const bomb = JSON.stringify({ query: `{ ${Array.from({ length: 1_000 }, (_, i) => `a${i}: users { totalCount }`).join(' ')} }` });
    const hostile: number[] = [];
    for (let i = 0; i < RUNS; i += 1) {
      const t = performance.now();
      const res = await fetch(`${graph.gateway.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': key }, body: bomb });
      await res.arrayBuffer();
      hostile.push(performance.now() - t);
      if (res.status !== 400) throw new Error(`the alias bomb was answered ${res.status}`);
    }
    hostile.sort((a, b) => a - b);
    console.log('protection overhead: users(first: 20) with department, leave requests and allowances (40-person demo org)');
    console.log(`  cost of the query as reported: ${JSON.stringify(cost)}`);
    console.log(summary('  all on (auth, scopes, shape, cost, rate limits)', samples.on));
    console.log(summary('  all off (bare @apollo/gateway)', samples.off));
    console.log(`  p50 ratio on / off: ${(percentile(samples.on, 50) / percentile(samples.off, 50)).toFixed(2)}`);
    console.log(summary('  alias bomb (1,000 aliases) refused', hostile));
    await bare.stop();
  } finally {
    await graph.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
