import type { BucketShape, RateStore, RequestWindows, WindowCounts } from './rate-store.ts';

/** A bucket in thousandths of a point: integer costs and rates refill and charge without float drift. */
export interface Bucket {
  milli: number;
  refilledAt: number;
}

/** Thousandths per point. */
export const MILLI = 1000;

/** The bucket's thousandths at `now` (a missing bucket is full): a clock behind the last writer's refills nothing. */
export function bucketLevel(bucket: Bucket | undefined, shape: BucketShape, now: number): number {
  const maximum = shape.maximum * MILLI;
  if (!bucket) return maximum;
  return Math.min(maximum, bucket.milli + Math.max(0, now - bucket.refilledAt) * shape.restorePerSecond);
}

/** One organization's window: its count and those of its keys with limits of their own. */
interface Window {
  count: number;
  readonly keys: Map<string, number>;
}

/**
 * A rate store in this process's memory, for a gateway without a database: the same semantics
 * as the database store (each method runs without yielding, so it is atomic), shared only by
 * the limiters of this process and lost on restart.
 */
export function createMemoryRateStore(): RateStore {
  /** Request windows by window start, then organization subject. */
  const windows = new Map<number, Map<string, Window>>();
  const buckets = new Map<string, Bucket>();

  const level = bucketLevel;

  function write(subject: string, bucket: Bucket | undefined, milli: number, now: number): void {
    buckets.set(subject, { milli, refilledAt: Math.max(bucket?.refilledAt ?? now, now) });
  }

  function countsOf(window: Window | undefined, requests: RequestWindows): WindowCounts {
    return { count: window?.count ?? 0, keyCount: requests.key ? (window?.keys.get(requests.key.subject) ?? 0) : null };
  }

  return {
    async admit(input) {
      const { requests } = input;
      let hour = windows.get(input.windowStart);
      if (!hour) windows.set(input.windowStart, (hour = new Map()));
      let window = hour.get(requests.subject);
      if (!window) hour.set(requests.subject, (window = { count: 0, keys: new Map() }));
      const previous = countsOf(window, requests);
      const bucket = buckets.get(input.budgetSubject);
      const before = level(bucket, input.bucket, input.now);
      const room = previous.count < requests.limit && (!requests.key || (previous.keyCount ?? 0) < requests.key.limit);
      if (!room) {
        write(input.budgetSubject, bucket, before, input.now);
        return { ...previous, counted: false, charged: false, available: before / MILLI };
      }
      window.count += 1;
      if (requests.key) window.keys.set(requests.key.subject, (previous.keyCount ?? 0) + 1);
      const cost = input.cost * MILLI;
      const charged = cost <= before;
      const after = charged ? before - cost : before;
      write(input.budgetSubject, bucket, after, input.now);
      return { ...countsOf(window, requests), counted: true, charged, available: after / MILLI };
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
    async countRequests(requests, windowStart) {
      return countsOf(windows.get(windowStart)?.get(requests.subject), requests);
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
