import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PROTECTION } from '../../../gateway/operation-policy.ts';
import { createMemoryRateStore } from '../../../gateway/rate-limit/memory-rate-store.ts';
import { startGatewayServer, type RunningGateway } from '../../../gateway/server.ts';
import { SUPERGRAPH_PATH } from '../../../schema/compose.ts';
import { createTestOrg, startTestGraph, type TestGraph, type TestOrg } from '../../helpers/graph.ts';

// 09:59:30 on a Monday: 30 seconds before the hourly window ends.
let clock = Date.parse('2026-03-02T09:59:30.000Z');
const now = () => clock;
const BUDGET = { budgetMaximum: 100, restorePerSecond: 1 };

let graph: TestGraph;
let second: RunningGateway;
let rateStore: ReturnType<typeof createMemoryRateStore>;

beforeAll(async () => {
  // Two gateway instances behind a load balancer, sharing one exact store (as Redis is; the
  // batched PostgreSQL store's tolerance is tested in test/gateway/rate-limit/).
  rateStore = createMemoryRateStore();
  graph = await startTestGraph({ protection: { now, rateStore, rateLimits: { requestsPerHour: DEFAULT_PROTECTION.requestsPerHour, ...BUDGET } } });
  second = await startGatewayServer({
    supergraphSdl: fs.readFileSync(SUPERGRAPH_PATH, 'utf8'),
    subgraphUrls: graph.subgraphUrls(),
    identitySecret: graph.identitySecret,
    database: graph.database.handle,
    now,
    rateStore,
    rateLimits: { requestsPerHour: DEFAULT_PROTECTION.requestsPerHour, ...BUDGET },
  });
});
afterAll(async () => {
  await second.stop();
  await graph.stop();
});

async function post(gatewayUrl: string, key: string, query: string) {
  const res = await fetch(`${gatewayUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key },
    body: JSON.stringify({ query }),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as { errors?: { extensions?: Record<string, unknown> }[]; extensions?: { cost?: CostReport } } };
}

interface CostReport {
  estimated: number;
  actual: number;
  budget: { maximum: number; remaining: number; restoreRate: number };
}

describe('requests per hour', () => {
  let org: TestOrg;
  beforeAll(async () => {
    org = await createTestOrg(graph.peopleDb);
  });

  it('should answer the 1,001st request of an hour with 429, RATE_LIMITED and Retry-After, counting requests from both instances', async () => {
    const remaining: number[] = [];
    // 1,000 requests of one organization, half through each gateway instance, 25 at a time.
    for (let batch = 0; batch < 40; batch += 1) {
      const responses = await Promise.all(
        Array.from({ length: 25 }, (_, i) => post(i % 2 === 0 ? graph.gateway.url : second.url, org.admin.key, '{ __typename }')),
      );
      for (const res of responses) {
        expect(res.status).toBe(200);
        expect(res.headers.get('x-ratelimit-limit')).toBe('1000');
        remaining.push(Number(res.headers.get('x-ratelimit-remaining')));
      }
    }
    expect(remaining.sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    const refused = await post(second.url, org.admin.key, '{ __typename }');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('30');
    expect(refused.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 30, limit: 'requests' });
    expect(refused.body.extensions?.cost).toMatchObject({ estimated: 0, actual: 0, budget: { maximum: 100 } });
    expect((await post(graph.gateway.url, org.admin.key, '{ __typename }')).status).toBe(429);
    // Another organization has its own limit.
    const other = await createTestOrg(graph.peopleDb);
    expect((await post(graph.gateway.url, other.admin.key, '{ __typename }')).status).toBe(200);
    // The next hour starts afresh.
    clock += 30_000;
    const next = await post(graph.gateway.url, org.admin.key, '{ __typename }');
    expect(next.status).toBe(200);
    expect(next.headers.get('x-ratelimit-remaining')).toBe('999');
  });
});

describe('cost budget', () => {
  it('should hold one budget across two gateway instances and refuse with 429 when it cannot cover an estimate', async () => {
    const org = await createTestOrg(graph.peopleDb);
    for (let i = 0; i < 2; i += 1) await org.addUser();
    // Estimated 1 + 20 users (assumed page) = 21; actual 1 + 3 = 4 (three users exist).
    const query = '{ users { nodes { id } } }';
    const first = await post(graph.gateway.url, org.admin.key, query);
    expect(first.body.extensions?.cost).toMatchObject({ estimated: 21, actual: 4, budget: { maximum: 100, remaining: 96, restoreRate: 1 } });
    const viaSecond = await post(second.url, org.admin.key, query);
    expect(viaSecond.body.extensions?.cost?.budget.remaining).toBe(92);
    // Drain the rest through the first instance: each needs 21 up front, keeps 4.
    const remainders: number[] = [];
    for (;;) {
      const res = await post(remainders.length % 2 === 0 ? graph.gateway.url : second.url, org.admin.key, query);
      if (res.status === 429) {
        expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', limit: 'cost' });
        const remaining = remainders.at(-1) ?? 92;
        // The shortfall refills at 1 point a second.
        expect(Number(res.headers.get('retry-after'))).toBe(21 - remaining);
        break;
      }
      remainders.push(res.body.extensions?.cost?.budget.remaining ?? -1);
    }
    // 92 → 20 in steps of 4 (18 requests), then 20 < 21 is refused.
    expect(remainders).toEqual(Array.from({ length: 18 }, (_, i) => 88 - 4 * i));
    clock += 1_000;
    expect((await post(second.url, org.admin.key, query)).status).toBe(200);
  });
});

describe('schema introspection', () => {
  it('should not count introspection (IDEs poll it) but still report the limits', async () => {
    const org = await createTestOrg(graph.peopleDb);
    const counted = await post(graph.gateway.url, org.admin.key, '{ __typename }');
    expect(counted.headers.get('x-ratelimit-remaining')).toBe('999');
    for (let i = 0; i < 3; i += 1) {
      const res = await post(graph.gateway.url, org.admin.key, '{ __schema { queryType { name } } }');
      expect(res.status).toBe(200);
      expect(res.headers.get('x-ratelimit-remaining')).toBe('999');
      expect(res.headers.get('x-ratelimit-limit')).toBe('1000');
    }
    expect((await post(second.url, org.admin.key, '{ me { id } }')).headers.get('x-ratelimit-remaining')).toBe('998');
  });
});
