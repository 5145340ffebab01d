// Gateway overhead: one nested people query through the gateway (auth, planning, signed
// fetch to the subgraph) against the same query sent straight to the people subgraph with
// a signed identity, in the same process run. Prints p50/p95/p99 and the p50 ratio.
import { signIdentity, type Identity } from '../../subgraphs/shared/identity.ts';
import { seedDemoOrganization } from '../../subgraphs/people/db/seed/demo-organization.ts';
import { ensureDemoApiKey } from '../../subgraphs/people/demo-api-key.ts';
import { startTestGraph } from '../helpers/graph.ts';
import { measure, percentile, summary } from './stats.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const QUERY = '{ users(first: 20) { totalCount nodes { name email department { name manager { name } } manager { name } } } }';
const RUNS = Number(process.env['BENCH_RUNS'] ?? 500);

export async function run(): Promise<void> {
  const graph = await startTestGraph();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
  try {
    const demo = await seedDemoOrganization(graph.peopleDb);
    const key = await ensureDemoApiKey(graph.peopleDb, demo.orgId, demo.adminUserId, path.join(dir, 'key'));
    const identity: Identity = { orgId: demo.orgId, userId: demo.adminUserId, role: 'ADMIN', scopes: ['admin'], keyId: null, authMethod: 'api-key' };
    const body = JSON.stringify({ query: QUERY });
    const viaGateway = async () => {
      const res = await fetch(`${graph.gateway.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': key }, body });
      if (res.status !== 200) throw new Error(`gateway answered ${res.status}`);
      await res.arrayBuffer();
    };
    const direct = async () => {
      const res = await fetch(`${graph.people.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...signIdentity(identity, graph.identitySecret, { audience: 'people', body }) },
        body,
      });
      if (res.status !== 200) throw new Error(`subgraph answered ${res.status}`);
      await res.arrayBuffer();
    };
    const gatewaySamples = await measure(viaGateway, RUNS);
    const directSamples = await measure(direct, RUNS);
    console.log('gateway overhead: users(first: 20) with department, manager (40-person demo org)');
    console.log(summary('  through the gateway', gatewaySamples));
    console.log(summary('  straight to the people subgraph', directSamples));
    console.log(`  p50 ratio gateway / direct: ${(percentile(gatewaySamples, 50) / percentile(directSamples, 50)).toFixed(2)}`);
  } finally {
    await graph.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
