import type { BucketShape, RateStore } from './rate-store.ts';

/** A bucket in thousandths of a point: integer costs and rates refill and charge without float drift. */
interface Bucket {
  milli: number;
  refilledAt: number;
}

const MILLI = 1000;

/**
 * A rate store in this process's memory, for a gateway without a database: the same semantics
 * as the database store (each method runs without yielding, so it is atomic), shared only by
 * the limiters of this process and lost on restart.
 */
export function createMemoryRateStore(): RateStore {
  /** Request counts by window start, then subject. */
  const windows = new Map<number, Map<string, number>>();
  const buckets = new Map<string, Bucket>();

  /** The bucket's thousandths at `now`: a clock behind the last writer's refills nothing. */
  function level(bucket: Bucket | undefined, shape: BucketShape, now: number): number {
    const maximum = shape.maximum * MILLI;
    if (!bucket) return maximum;
    return Math.min(maximum, bucket.milli + Math.max(0, now - bucket.refilledAt) * shape.restorePerSecond);
  }

  function write(subject: string, bucket: Bucket | undefined, milli: number, now: number): void {
    buckets.set(subject, { milli, refilledAt: Math.max(bucket?.refilledAt ?? now, now) });
  }

  return {
    async admit(input) {
      let window = windows.get(input.windowStart);
      if (!window) windows.set(input.windowStart, (window = new Map()));
      const previous = window.get(input.requestSubject) ?? 0;
      const bucket = buckets.get(input.budgetSubject);
      const before = level(bucket, input.bucket, input.now);
      if (previous >= input.limit) {
        write(input.budgetSubject, bucket, before, input.now);
        return { count: null, charged: false, available: before / MILLI };
      }
      window.set(input.requestSubject, previous + 1);
      const cost = input.cost * MILLI;
      const charged = cost <= before;
      const after = charged ? before - cost : before;
      write(input.budgetSubject, bucket, after, input.now);
      return { count: previous + 1, charged, available: after / MILLI };
    },
    async spend(subject, cost, shape, now) {
      const bucket = buckets.get(subject);
      const before = level(bucket, shape, now);
      const charged = cost <= shape.maximum && cost * MILLI <= before;
      const after = charged ? before - cost * MILLI : before;
      write(subject, bucket, after, now);
      return { charged, available: after / MILLI };
    },
    async credit(subject, refund, shape, now) {
      const bucket = buckets.get(subject);
      const after = Math.min(shape.maximum * MILLI, level(bucket, shape, now) + refund * MILLI);
      write(subject, bucket, after, now);
      return after / MILLI;
    },
    async countRequests(subject, windowStart) {
      return windows.get(windowStart)?.get(subject) ?? 0;
    },
    async peek(subject, shape, now) {
      return level(buckets.get(subject), shape, now) / MILLI;
    },
    async prune(before, shape, now) {
      let prunedWindows = 0;
      let prunedBudgets = 0;
      for (const [start, window] of windows) {
        if (start >= before) continue;
        prunedWindows += window.size;
        windows.delete(start);
      }
      for (const [subject, bucket] of buckets) {
        if (bucket.refilledAt < before && level(bucket, shape, now) >= shape.maximum * MILLI) {
          buckets.delete(subject);
          prunedBudgets++;
        }
      }
      return { windows: prunedWindows, budgets: prunedBudgets };
    },
  };
}
