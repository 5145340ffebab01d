import { schemaDb, type DatabaseHandle } from '../../subgraphs/shared/database.ts';
import { GATEWAY_SCHEMA, type GatewayDatabase } from '../db/database.ts';
import { admitRequest, countRequests, creditBudget, peekBudget, pruneRateLimits, spendBudget } from '../db/repositories/rate-limits.ts';
import type { RateStore } from './rate-store.ts';

/**
 * A rate store in the gateway schema, shared by every gateway instance on the database. Each
 * method is one SQL statement; an admission is one upsert pair that locks the organization's
 * window row (which also holds the counts of its keys with limits of their own), then the
 * bucket row, and decides on their latest committed versions (exact under READ COMMITTED).
 * Time comes from the caller, never from the database's clock. Needs the gateway migrations.
 */
export function createDatabaseRateStore(database: DatabaseHandle): RateStore {
  const db = schemaDb<GatewayDatabase>(database, GATEWAY_SCHEMA);
  return {
    async admit(input) {
      const row = await admitRequest(db, {
        requests: input.requests,
        windowStart: new Date(input.windowStart),
        budgetSubject: input.budgetSubject,
        cost: input.cost,
        bucket: input.bucket,
        now: new Date(input.now),
      });
      return {
        count: Number(row.count),
        keyCount: row.key_count === null ? null : Number(row.key_count),
        counted: row.counted,
        charged: row.charged !== null,
        available: Number(row.available),
      };
    },
    async spend(subject, cost, bucket, now) {
      const row = await spendBudget(db, subject, cost, bucket, new Date(now));
      return { charged: row.charged !== null, available: Number(row.available) };
    },
    async credit(subject, refund, bucket, now) {
      return Number(await creditBudget(db, subject, refund, bucket, new Date(now)));
    },
    async countRequests(requests, windowStart) {
      return countRequests(db, requests, new Date(windowStart));
    },
    async peek(subject, bucket, now) {
      const available = await peekBudget(db, subject, bucket, new Date(now));
      return available === undefined ? bucket.maximum : Number(available);
    },
    async prune(before, bucket, now) {
      return pruneRateLimits(db, new Date(before), bucket, new Date(now));
    },
  };
}
