import crypto from 'node:crypto';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { createRedisRateStore } from '../../../gateway/rate-limit/redis-rate-store.ts';
import { createRateLimiter } from '../../../gateway/rate-limit/rate-limiter.ts';
import { captureLogs } from '../../../subgraphs/shared/logger.ts';
import { describeRateLimiterSuite, fakeClock } from './rate-limiter-suite.ts';

// Run only with TEST_REDIS_URL (vitest.config.ts includes *.redis.test.ts then; .ci/run sets it).
const url = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

// Two stores with their own connections on one key space: two gateway instances sharing Redis.
describeRateLimiterSuite({
  name: 'Redis',
  async open() {
    const keyPrefix = `test:rl:${crypto.randomUUID()}`;
    const first = createRedisRateStore(url, { keyPrefix });
    const second = createRedisRateStore(url, { keyPrefix });
    return {
      first,
      second,
      async close() {
        await first.close?.();
        await second.close?.();
      },
    };
  },
});

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('Redis rate store', () => {
  it('should fail open to this instance alone when Redis cannot be reached, still enforcing the limit, and warn', async () => {
    const logs = captureLogs('warn');
    const store = createRedisRateStore(`redis://127.0.0.1:${await closedPort()}`, { connectTimeoutMs: 200 });
    try {
      const limiter = createRateLimiter({ store, budget: { maximum: 100, restorePerSecond: 10 }, now: fakeClock(Date.parse('2026-03-05T09:00:00Z')).now, pruneEveryMs: 0 });
      const request = { requests: { subject: 'org:down', limit: 3 }, budgetSubject: 'key:down', cost: 10 };
      const admissions = [];
      for (let i = 0; i < 5; i++) admissions.push(await limiter.admit(request));
      expect(admissions.map((a) => a.allowed)).toEqual([true, true, true, false, false]);
      expect(admissions[3]).toMatchObject({ refusedBy: 'requests', budget: { remaining: 70 } });
      expect(logs.text()).toContain('Redis is unreachable');
    } finally {
      logs.restore();
      await store.close?.();
    }
  });
});
