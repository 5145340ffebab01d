import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBatchedRateStore } from '../../../gateway/rate-limit/batched-rate-store.ts';
import { createRateLimiter, type Admission } from '../../../gateway/rate-limit/rate-limiter.ts';
import { openDatabase, type DatabaseHandle } from '../../../subgraphs/shared/database.ts';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.ts';
import { describeRateLimiterSuite, fakeClock } from './rate-limiter-suite.ts';

/**
 * A second handle on the same database, as another gateway instance has: its own pool on
 * PostgreSQL; on PGlite (one process, one session) the same handle.
 */
async function secondHandle(handle: DatabaseHandle): Promise<{ handle: DatabaseHandle; close(): Promise<void> }> {
  if (!handle.url) return { handle, close: async () => undefined };
  const other = await openDatabase({ url: handle.url });
  return { handle: other, close: () => other.close() };
}

// One instance decides exactly as the memory store does: the whole suite holds for it.
describeRateLimiterSuite({
  name: 'batched database (one instance)',
  async open() {
    const database = await createTestDatabase();
    const store = createBatchedRateStore(database.handle, { flushEveryMs: 5 });
    return {
      first: store,
      second: store,
      async close() {
        await store.close?.();
        await database.close();
      },
    };
  },
});

const budget = { maximum: 100_000, restorePerSecond: 10 };
const subject = (kind: string) => `${kind}:${crypto.randomUUID()}`;
const allowed = (admissions: Admission[]) => admissions.filter((a) => a.allowed).length;

describe('batched database rate store', () => {
  let database: TestDatabase;
  let statements: string[] = [];
  let second: { handle: DatabaseHandle; close(): Promise<void> };
  beforeAll(async () => {
    database = await createTestDatabase({ onQuery: (sql) => void statements.push(sql) });
    second = await secondHandle(database.handle);
  });
  afterAll(async () => {
    await second.close();
    await database.close();
  });

  const rateStatements = () => statements.filter((sql) => sql.includes('"gateway"."request_windows"') || sql.includes('"gateway"."cost_budgets"') || sql.includes('cost_budgets'));

  it('should count 1,000 admissions and their settlements over 10 organizations in a few statements', async () => {
    const clock = fakeClock(Date.parse('2026-03-02T09:00:00Z'));
    const store = createBatchedRateStore(database.handle, { flushEveryMs: 20 });
    const limiter = createRateLimiter({ store, budget, now: clock.now, pruneEveryMs: 0 });
    const organizations = Array.from({ length: 10 }, () => ({ org: subject('org'), key: subject('key') }));
    statements = [];
    const admissions: Admission[] = [];
    for (let round = 0; round < 10; round++) {
      admissions.push(
        ...(await Promise.all(
          Array.from({ length: 100 }, async (_, i) => {
            const { org, key } = organizations[i % 10]!;
            const admission = await limiter.admit({ requests: { subject: org, limit: 100_000 }, budgetSubject: key, cost: 50 });
            // The unused estimate goes back without a statement of its own.
            await limiter.settle(key, 20);
            return admission;
          }),
        )),
      );
      clock.advance(10);
    }
    await store.close?.();
    expect(allowed(admissions)).toBe(1000);
    // First sight of the 10 organizations and 10 keys is one read; the rest are timer flushes.
    expect(rateStatements().length).toBeGreaterThanOrEqual(1);
    expect(rateStatements().length).toBeLessThan(50);
    // Everything reached the database: a new instance starts from it.
    const fresh = createBatchedRateStore(database.handle);
    const restarted = createRateLimiter({ store: fresh, budget, now: clock.now, pruneEveryMs: 0 });
    for (const { org, key } of organizations) {
      const peeked = await restarted.peek({ requests: { subject: org, limit: 100_000 }, budgetSubject: key });
      expect(peeked.requests.remaining).toBe(100_000 - 100);
      // 100 admissions × (50 − 20) points, refilled 10 a second over the 90 ms the clock moved
      expect(peeked.budget.remaining).toBeGreaterThanOrEqual(100_000 - 100 * 30);
      expect(peeked.budget.remaining).toBeLessThanOrEqual(100_000 - 100 * 30 + 1);
    }
    await fresh.close?.();
  });

  it('should keep two instances within the documented tolerance of a shared limit, and count exactly what they admitted', async () => {
    const clock = fakeClock(Date.parse('2026-03-02T10:10:00Z'));
    const tolerance = 0.01;
    const stores = [createBatchedRateStore(database.handle, { flushEveryMs: 5, tolerance }), createBatchedRateStore(second.handle, { flushEveryMs: 5, tolerance })];
    const limiters = stores.map((store) => createRateLimiter({ store, budget, now: clock.now, pruneEveryMs: 0 }));
    const org = subject('org');
    const limit = 1000;
    const admissions: Admission[] = [];
    // 12 waves of 100 concurrent admissions, split between the instances.
    for (let wave = 0; wave < 12; wave++) {
      admissions.push(...(await Promise.all(Array.from({ length: 100 }, (_, i) => limiters[i % 2]!.admit({ requests: { subject: org, limit }, budgetSubject: subject('key'), cost: 0 })))));
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const admitted = allowed(admissions);
    // Each instance admits at most max(1, 1% of 1,000) = 10 requests the database has not counted.
    expect(admitted).toBeGreaterThanOrEqual(limit);
    expect(admitted).toBeLessThanOrEqual(limit + 2 * Math.floor(limit * tolerance));
    await Promise.all(stores.map((store) => store.close?.()));
    const fresh = createBatchedRateStore(database.handle);
    const peeked = await createRateLimiter({ store: fresh, budget, now: clock.now, pruneEveryMs: 0 }).peek({ requests: { subject: org, limit: 1_000_000 }, budgetSubject: subject('key') });
    expect(1_000_000 - peeked.requests.remaining).toBe(admitted);
    await fresh.close?.();
  });

  it('should stop an instance at a limit the other filled, after its one unconfirmed admission', async () => {
    const clock = fakeClock(Date.parse('2026-03-02T11:10:00Z'));
    const one = createBatchedRateStore(database.handle, { flushEveryMs: 5 });
    const two = createBatchedRateStore(second.handle, { flushEveryMs: 5 });
    const [a, b] = [one, two].map((store) => createRateLimiter({ store, budget, now: clock.now, pruneEveryMs: 0 }));
    const request = { requests: { subject: subject('org'), limit: 5 }, budgetSubject: subject('key'), cost: 0 };
    // b has seen the window (empty) before a fills it.
    expect((await b!.admit(request)).allowed).toBe(true);
    for (let i = 0; i < 4; i++) expect((await a!.admit(request)).allowed).toBe(true);
    await one.close?.();
    // b still sees 1 of 5: it may admit its share of the limit unconfirmed (max(1, 1% of 5) = 1) ...
    expect((await b!.admit(request)).allowed).toBe(true);
    // ... and then waits for a flush, which brings a's 4: the window is full.
    const refused = await b!.admit(request);
    expect(refused).toMatchObject({ allowed: false, refusedBy: 'requests', requests: { remaining: 0 } });
    await two.close?.();
  });
});
