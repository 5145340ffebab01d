// The gateway's per-request protection work, measured in-process:
// 1. the actual-cost walk over a Q1-like response (users(first: 20) with department, leave
//    requests and allowances), the planned walk against the per-item walk it replaced,
//    interleaved in one run, with the ratio;
// 2. rate-limit statements per request (admission plus the settlement of the unused estimate)
//    of each store: memory, batched PostgreSQL (PGlite here, or TEST_DATABASE_URL), and Redis
//    (TEST_REDIS_URL or REDIS_URL, when set).
import crypto from 'node:crypto';
import { parse } from 'graphql';
import { Redis } from 'ioredis';
import { actualCost } from '../../gateway/cost/actual-cost.ts';
import { costModelFromSdl } from '../../gateway/cost/cost-model.ts';
import { GATEWAY_SCHEMA } from '../../gateway/db/database.ts';
import { gatewayMigrations } from '../../gateway/db/migrations/index.ts';
import { createBatchedRateStore } from '../../gateway/rate-limit/batched-rate-store.ts';
import { createMemoryRateStore } from '../../gateway/rate-limit/memory-rate-store.ts';
import { createRateLimiter, type RateStore } from '../../gateway/rate-limit/rate-limiter.ts';
import { createRedisRateStore } from '../../gateway/rate-limit/redis-rate-store.ts';
import { migrateSchema, openDatabase } from '../../subgraphs/shared/database.ts';
import { referenceActualCost } from '../gateway/cost/actual-cost-reference.ts';
import { composeRealGraph } from '../gateway/cost/cost-fixture.ts';
import { percentile } from './stats.ts';

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

function q1Response(): unknown {
  return {
    users: {
      totalCount: 40,
      nodes: Array.from({ length: 20 }, (_, i) => ({
        name: `Person ${i}`,
        email: `p${i}@example.com`,
        department: { name: 'Operations', manager: { name: 'Boss' } },
        leaveRequests: { nodes: Array.from({ length: 5 }, () => ({ startDate: '2026-03-02', endDate: '2026-03-04', status: 'APPROVED' })) },
        allowances: Array.from({ length: 4 }, (_, j) => ({ remaining: '12.5', leaveType: { name: `Type ${j}` } })),
      })),
    },
  };
}

async function costWalk(): Promise<void> {
  const graph = composeRealGraph();
  const model = costModelFromSdl([graph.supergraphSdl, graph.subscriptionsSdl]);
  const document = parse(QUERY);
  const data = q1Response();
  const before = referenceActualCost(graph.schema, document, model, data);
  const after = actualCost(graph.schema, document, model, data);
  if (before !== after) throw new Error(`the walks disagree: ${before} against ${after}`);
  const rounds = Number(process.env['BENCH_RUNS'] ?? 40);
  const perRound = 200;
  const samples = { before: [] as number[], after: [] as number[] };
  const time = (fn: () => number) => {
    const t = performance.now();
    for (let i = 0; i < perRound; i++) fn();
    return ((performance.now() - t) * 1000) / perRound;
  };
  for (let round = 0; round < rounds; round++) {
    const pair = [
      ['before', () => referenceActualCost(graph.schema, document, model, data)],
      ['after', () => actualCost(graph.schema, document, model, data)],
    ] as const;
    for (const [name, fn] of round % 2 === 0 ? pair : [pair[1], pair[0]]) samples[name].push(time(fn));
  }
  samples.before.sort((a, b) => a - b);
  samples.after.sort((a, b) => a - b);
  const b50 = percentile(samples.before, 50);
  const a50 = percentile(samples.after, 50);
  console.log(`actual-cost walk, Q1-like response (cost ${after}), µs per response, median of ${rounds} rounds × ${perRound}:`);
  console.log(`  per-item walk (before): ${b50.toFixed(1)} µs (p95 ${percentile(samples.before, 95).toFixed(1)})`);
  console.log(`  planned walk (after):   ${a50.toFixed(1)} µs (p95 ${percentile(samples.after, 95).toFixed(1)})`);
  console.log(`  ratio before / after: ${(b50 / a50).toFixed(1)}x`);
}

/** Admits `requests` (50 at a time, 10 organizations) and settles each; returns statements (or commands) per request. */
async function perRequest(store: RateStore, count: () => number | Promise<number>, requests = 2000): Promise<number> {
  const limiter = createRateLimiter({ store, budget: { maximum: 1_000_000, restorePerSecond: 1000 }, pruneEveryMs: 0 });
  const orgs = Array.from({ length: 10 }, () => ({ org: `org:${crypto.randomUUID()}`, key: `key:${crypto.randomUUID()}` }));
  const start = await count();
  for (let done = 0; done < requests; done += 50) {
    await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const { org, key } = orgs[i % 10]!;
        const admission = await limiter.admit({ requests: { subject: org, limit: 1_000_000 }, budgetSubject: key, cost: 120 });
        if (!admission.allowed) throw new Error('refused');
        await limiter.settle(key, 80);
      }),
    );
    // A request's worth of other work between waves, as a gateway has.
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await store.close?.();
  return ((await count()) - start) / requests;
}

async function statements(): Promise<void> {
  console.log('rate-limit statements per request (admission + settlement), 2,000 requests of 10 organizations, 50 concurrent:');
  console.log(`  memory (embedded): ${(await perRequest(createMemoryRateStore(), () => 0)).toFixed(3)}`);
  let queries = 0;
  const url = process.env['TEST_DATABASE_URL'] ?? process.env['DATABASE_URL'];
  const database = await openDatabase({ url, onQuery: () => void (queries += 1) });
  try {
    await migrateSchema(database, GATEWAY_SCHEMA, gatewayMigrations);
    const ratio = await perRequest(createBatchedRateStore(database), () => queries);
    console.log(`  batched ${database.kind === 'postgres' ? 'PostgreSQL' : 'PGlite'} (flush every 50 ms): ${ratio.toFixed(3)} (before: 2, one admission and one credit statement)`);
  } finally {
    await database.close();
  }
  const redisUrl = process.env['TEST_REDIS_URL'] ?? process.env['REDIS_URL'];
  if (!redisUrl) {
    console.log('  Redis: not measured (set TEST_REDIS_URL or REDIS_URL)');
    return;
  }
  const probe = new Redis(redisUrl);
  const processed = async () => Number(/total_commands_processed:(\d+)/.exec(await probe.info('stats'))?.[1] ?? 0);
  const store = createRedisRateStore(redisUrl, { keyPrefix: `bench:rl:${crypto.randomUUID()}` });
  // Commands processed by the server over the run (the machine's Redis may serve others too).
  const ratio = await perRequest(store, processed);
  probe.disconnect();
  console.log(`  Redis: 2 round trips (one script per admission, one per settlement), ${ratio.toFixed(3)} commands as Redis counts them (those inside the scripts included; exact across instances)`);
}

export async function run(): Promise<void> {
  await costWalk();
  await statements();
}
