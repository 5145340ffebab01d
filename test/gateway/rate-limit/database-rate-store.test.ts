import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabaseRateStore } from '../../../gateway/rate-limit/database-rate-store.ts';
import { createRateLimiter } from '../../../gateway/rate-limit/rate-limiter.ts';
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

describeRateLimiterSuite({
  name: 'database',
  async open() {
    const database = await createTestDatabase();
    const second = await secondHandle(database.handle);
    return {
      first: createDatabaseRateStore(database.handle),
      second: createDatabaseRateStore(second.handle),
      async close() {
        await second.close();
        await database.close();
      },
    };
  },
});

describe('database rate store', () => {
  let database: TestDatabase;
  let statements: string[] = [];
  beforeAll(async () => {
    database = await createTestDatabase({ onQuery: (sql) => void statements.push(sql) });
  });
  afterAll(async () => {
    await database.close();
  });

  it('should admit, settle and peek with one SQL statement each', async () => {
    const clock = fakeClock(Date.parse('2026-03-02T09:00:00Z'));
    const limiter = createRateLimiter({ store: createDatabaseRateStore(database.handle), budget: { maximum: 100, restorePerSecond: 10 }, now: clock.now, pruneEveryMs: 0 });
    const request = { requests: { subject: 'org:statements', limit: 1 }, budgetSubject: 'key:statements', cost: 30 };
    const counted = async <T>(run: () => Promise<T>): Promise<{ result: T; count: number }> => {
      statements = [];
      const result = await run();
      return { result, count: statements.length };
    };
    expect(await counted(() => limiter.admit(request))).toMatchObject({ count: 1, result: { allowed: true } });
    expect(await counted(() => limiter.admit(request))).toMatchObject({ count: 1, result: { refusedBy: 'requests' } });
    expect(await counted(() => limiter.admit({ ...request, requests: { subject: 'org:other', limit: 1 }, cost: 80 }))).toMatchObject({ count: 1, result: { refusedBy: 'budget' } });
    expect(await counted(() => limiter.settle('key:statements', 10))).toMatchObject({ count: 1, result: { remaining: 80 } });
    expect(await counted(() => limiter.peekBudget('key:statements'))).toMatchObject({ count: 1, result: { remaining: 80 } });
    expect(await counted(() => limiter.prune())).toMatchObject({ count: 1 });
  });

  it('should keep the budget in the gateway schema, so a restarted instance sees it', async () => {
    const clock = fakeClock(Date.parse('2026-03-02T10:00:00Z'));
    const options = { budget: { maximum: 100, restorePerSecond: 10 }, now: clock.now, pruneEveryMs: 0 };
    await createRateLimiter({ ...options, store: createDatabaseRateStore(database.handle) }).admit({ requests: { subject: 'org:restart', limit: 5 }, budgetSubject: 'key:restart', cost: 70 });
    const restarted = createRateLimiter({ ...options, store: createDatabaseRateStore(database.handle) });
    expect(await restarted.admit({ requests: { subject: 'org:restart', limit: 5 }, budgetSubject: 'key:restart', cost: 0 })).toMatchObject({ requests: { remaining: 3 }, budget: { remaining: 30 } });
    expect(statements.some((sql) => sql.includes('"gateway"."cost_budgets"'))).toBe(true);
  });
});
