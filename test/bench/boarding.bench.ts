// The boarding house dashboard through the gateway: a house of 60 students with each one's
// contacts, current location, active leave and latest roll mark, in one request. Prints
// p50/p95/p99 and the SQL statements of one boarding fetch.
import { createTestOrg, startTestGraph } from '../helpers/graph.ts';
import { DASHBOARD, seedHouse, seedSchool } from '../subgraphs/boarding/boarding-fixtures.ts';
import { measure, summary } from './stats.ts';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 300);

export async function run(): Promise<void> {
  let counting = false;
  let statements = 0;
  const graph = await startTestGraph({
    now: () => new Date('2026-03-02T09:00:00Z'),
    activationIntervalMs: 600_000,
    onQuery: (sql) => {
      if (counting && /"boarding"\./.test(sql) && !/activation_published_at|directory_/.test(sql)) statements++;
    },
  });
  try {
    const org = await createTestOrg(graph.peopleDb, 'Bench school');
    await graph.boarding.catchUpDirectory();
    const house = await seedHouse(graph, org.admin.key, 'Kauri', 60, await seedSchool(graph, org.admin.key));
    const body = JSON.stringify({ query: DASHBOARD, variables: { id: house } });
    const once = async () => {
      const res = await fetch(`${graph.gateway.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': org.admin.key }, body });
      const json = (await res.json()) as { errors?: unknown; data?: { house: { students: { nodes: unknown[] } } } };
      if (res.status !== 200 || json.errors || json.data?.house.students.nodes.length !== 60) throw new Error(`dashboard failed: ${res.status} ${JSON.stringify(json.errors)}`);
    };
    await once();
    counting = true;
    await once();
    counting = false;
    const samples = await measure(once, RUNS);
    console.log('boarding house dashboard: house(id) { students(first: 100) { contacts currentLocation activeLeave latestRollMark } } for 60 students, through the gateway');
    console.log(summary('  dashboard', samples));
    console.log(`  SQL statements in the boarding subgraph per request: ${statements}`);
  } finally {
    await graph.stop();
  }
}
