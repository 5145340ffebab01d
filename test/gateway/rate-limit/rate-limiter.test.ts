import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMemoryRateStore } from '../../../gateway/rate-limit/memory-rate-store.ts';
import { createRateLimiter } from '../../../gateway/rate-limit/rate-limiter.ts';
import type { RateStore } from '../../../gateway/rate-limit/rate-store.ts';
import { captureLogs } from '../../../subgraphs/shared/logger.ts';
import { fakeClock } from './rate-limiter-suite.ts';

const HOUR = 3_600_000;
const budget = { maximum: 100, restorePerSecond: 10 };
const request = { requests: { subject: 'org:a', limit: 1000 }, budgetSubject: 'key:a', cost: 1 };

/** A memory store that records the arguments of every prune. */
function recordingStore(prune?: RateStore['prune']) {
  const store = createMemoryRateStore();
  const calls: { before: number; now: number }[] = [];
  const recording: RateStore = {
    ...store,
    prune(before, shape, now) {
      calls.push({ before, now });
      return (prune ?? store.prune)(before, shape, now);
    },
  };
  return { store: recording, calls };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('opportunistic pruning', () => {
  it('should prune windows older than two hours once per interval, from admissions', async () => {
    const clock = fakeClock(Date.parse('2026-03-02T09:00:00Z'));
    const { store, calls } = recordingStore();
    const limiter = createRateLimiter({ store, budget, now: clock.now, pruneEveryMs: HOUR });
    await limiter.admit(request);
    clock.advance(HOUR - 1);
    await limiter.admit(request);
    expect(calls).toEqual([]);
    clock.advance(1);
    await limiter.admit(request);
    expect(calls).toEqual([{ before: clock.now() - 2 * HOUR, now: clock.now() }]);
    clock.advance(HOUR / 2);
    await limiter.admit(request);
    expect(calls).toHaveLength(1);
    clock.advance(HOUR / 2);
    await limiter.admit(request);
    expect(calls).toHaveLength(2);
  });

  it('should never prune on its own when the interval is 0', async () => {
    const clock = fakeClock(Date.parse('2026-03-02T09:00:00Z'));
    const { store, calls } = recordingStore();
    const limiter = createRateLimiter({ store, budget, now: clock.now, pruneEveryMs: 0 });
    for (let i = 0; i < 3; i++) {
      clock.advance(10 * HOUR);
      await limiter.admit(request);
    }
    expect(calls).toEqual([]);
  });

  it('should log a failed background prune without failing the admission', async () => {
    const clock = fakeClock(Date.parse('2026-03-02T09:00:00Z'));
    const logs = captureLogs('warn');
    try {
      const { store } = recordingStore(() => Promise.reject(new Error('database gone')));
      const limiter = createRateLimiter({ store, budget, now: clock.now, pruneEveryMs: HOUR });
      clock.advance(HOUR);
      expect((await limiter.admit(request)).allowed).toBe(true);
      for (let i = 0; i < 100 && !logs.text().includes('database gone'); i++) await new Promise((r) => setTimeout(r, 10));
      expect(logs.records().filter((r) => r['level'] === 'warn' || r['level'] === 40).map((r) => JSON.stringify(r)).join('\n')).toContain('database gone');
    } finally {
      logs.restore();
    }
  });
});

describe('argument checks', () => {
  it('should reject a negative, fractional or non-finite limit, cost or budget shape with a RangeError', async () => {
    const limiter = createRateLimiter({ store: createMemoryRateStore(), budget });
    await expect(limiter.admit({ ...request, requests: { subject: 'org:a', limit: -1 } })).rejects.toThrow(/requestsPerHour/);
    await expect(limiter.admit({ ...request, requests: { subject: 'org:a', limit: 1.5 } })).rejects.toThrow(RangeError);
    await expect(limiter.admit({ ...request, requests: { subject: 'org:a', limit: 10, key: { subject: 'key:a', limit: -1 } } })).rejects.toThrow(/key requestsPerHour/);
    await expect(limiter.admit({ ...request, cost: -1 })).rejects.toThrow(/cost/);
    await expect(limiter.admit({ ...request, cost: Number.NaN })).rejects.toThrow(RangeError);
    await expect(limiter.settle('key:a', Number.POSITIVE_INFINITY)).rejects.toThrow(/refund/);
    expect(() => createRateLimiter({ store: createMemoryRateStore(), budget: { maximum: 100, restorePerSecond: 0 } })).toThrow(/restorePerSecond/);
    expect(() => createRateLimiter({ store: createMemoryRateStore(), budget: { maximum: -1, restorePerSecond: 1 } })).toThrow(/maximum/);
  });
});
