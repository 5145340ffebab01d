import { schemaDb, type DatabaseHandle } from '../../subgraphs/shared/database.ts';
import { serviceLogger } from '../../subgraphs/shared/logger.ts';
import { GATEWAY_SCHEMA, type GatewayDatabase } from '../db/database.ts';
import { flushRateLimits, pruneRateLimits, type BucketDelta, type FlushedRateLimits, type WindowIncrement } from '../db/repositories/rate-limits.ts';
import { bucketLevel, MILLI, type Bucket } from './memory-rate-store.ts';
import type { BucketShape, RateStore, RequestWindows, WindowCounts } from './rate-store.ts';

const log = serviceLogger('gateway');

/** Options of `createBatchedRateStore`. */
export interface BatchedRateStoreOptions {
  /** How often counts and charges not yet in the database are flushed, ms; default 50. */
  readonly flushEveryMs?: number;
  /**
   * Share of a limit this instance may admit or spend without the database having counted it
   * (at least 1 request, or 1 point or one operation's cost); default 0.01. Past it, an admission
   * waits for a flush, which also brings every other instance's counts.
   */
  readonly tolerance?: number;
  /** A confirmed window or bucket untouched this long (real time, not the callers' clock) is forgotten locally, ms; default 60 000. */
  readonly idleMs?: number;
  /** Called with the size of every flush (tests and benchmarks count statements with it). */
  readonly onFlush?: (batch: { windows: number; buckets: number }) => void;
}

/** One window as this instance sees it: `confirmed` is what the database held at the last flush. */
interface LocalCount {
  count: number;
  confirmed: number;
  /** `count` when the flush in flight started. */
  snapshot: number;
}

interface LocalWindow extends LocalCount {
  readonly subject: string;
  readonly windowStart: number;
  readonly keys: Map<string, LocalCount>;
  known: boolean;
  wanted: boolean;
  /** performance.now() of the last use. */
  lastUsed: number;
}

interface LocalBucket {
  readonly subject: string;
  /** This instance's view: the database's as of the last flush plus what it charged and credited since. */
  local: Bucket;
  /** The database's bucket at the last flush. */
  confirmed: Bucket | undefined;
  /** Points charged here since the last flush's start, and those of the flush in flight. */
  unconfirmedSpend: number;
  flightSpend: number;
  /** The local level and clock the flush in flight sent. */
  snapshotMilli: number;
  snapshotAt: number;
  lastNow: number;
  /** performance.now() of the last use. */
  lastUsed: number;
  dirty: boolean;
  known: boolean;
  wanted: boolean;
}

const newCount = (): LocalCount => ({ count: 0, confirmed: 0, snapshot: 0 });

/**
 * A rate store for gateways that share PostgreSQL but no Redis: every decision is made in
 * this instance's memory, and what it counted and charged is flushed to the gateway schema
 * every `flushEveryMs` in one statement for all the windows and buckets touched (see
 * `flushRateLimits`), which brings back their totals with every other instance's counts.
 * A window or bucket this instance has not seen yet is read by the next flush first (the
 * admission waits for it), so a restarted instance starts from the database's counts.
 *
 * Tolerance: an instance counts at most `tolerance × limit` requests of a window (at least 1)
 * and spends at most `tolerance × maximum` points of a bucket (or one operation's cost) that
 * the database has not confirmed; past that, admissions wait for a flush. With N instances, a
 * window may therefore admit up to about N × that share over its limit, and a bucket be
 * overdrawn as much (the database keeps it at empty); other instances' counts reach an
 * instance at most `flushEveryMs` plus one statement late. One instance alone is exact.
 * Settling (crediting the unused estimate) costs no statement of its own: it rides on the
 * next flush. Time comes from the callers, never from the database's clock.
 */
export function createBatchedRateStore(database: DatabaseHandle, options: BatchedRateStoreOptions = {}): RateStore {
  const db = schemaDb<GatewayDatabase>(database, GATEWAY_SCHEMA);
  const flushEveryMs = options.flushEveryMs ?? 50;
  const tolerance = options.tolerance ?? 0.01;
  const idleMs = options.idleMs ?? 60_000;
  const windows = new Map<string, LocalWindow>();
  const buckets = new Map<string, LocalBucket>();
  /** The bucket shape of the last caller: every limiter of a gateway passes the same. */
  let shape: BucketShape | null = null;
  let latestNow = 0;
  let current: Promise<void> | null = null;
  let next: Promise<void> | null = null;
  let closed = false;

  const windowKey = (subject: string, windowStart: number) => `${windowStart}|${subject}`;
  const allowance = (limit: number) => Math.max(1, Math.floor(limit * tolerance));

  function windowOf(subject: string, windowStart: number): LocalWindow {
    const key = windowKey(subject, windowStart);
    let window = windows.get(key);
    if (!window) {
      window = { subject, windowStart, ...newCount(), keys: new Map(), known: false, wanted: false, lastUsed: 0 };
      windows.set(key, window);
    }
    window.lastUsed = performance.now();
    return window;
  }

  function bucketOf(subject: string, now: number): LocalBucket {
    let bucket = buckets.get(subject);
    if (!bucket) {
      bucket = {
        subject,
        local: { milli: Number.NaN, refilledAt: now },
        confirmed: undefined,
        unconfirmedSpend: 0,
        flightSpend: 0,
        snapshotMilli: 0,
        snapshotAt: now,
        lastNow: now,
        lastUsed: 0,
        dirty: false,
        known: false,
        wanted: false,
      };
      buckets.set(subject, bucket);
    }
    bucket.lastNow = Math.max(bucket.lastNow, now);
    bucket.lastUsed = performance.now();
    return bucket;
  }

  /** A flush that starts after this call (joined by every caller until it starts). */
  function flushSoon(): Promise<void> {
    if (next) return next;
    const start = (): Promise<void> => {
      next = null;
      const running = runFlush().finally(() => {
        if (current === running) current = null;
      });
      current = running;
      return running;
    };
    // setImmediate: admissions arriving in the same turn of the event loop share the flush.
    const after = current ? current.catch(() => undefined) : Promise.resolve();
    next = after.then(() => new Promise<void>((resolve) => setImmediate(resolve))).then(start);
    return next;
  }

  async function runFlush(): Promise<void> {
    const windowBatch: WindowIncrement[] = [];
    const flushedWindows: LocalWindow[] = [];
    for (const window of windows.values()) {
      const keys: Record<string, number> = {};
      let keysDirty = false;
      for (const [subject, count] of window.keys) {
        count.snapshot = count.count;
        if (count.count !== count.confirmed) {
          keys[subject] = count.count - count.confirmed;
          keysDirty = true;
        }
      }
      if (!window.wanted && window.count === window.confirmed && !keysDirty) continue;
      window.snapshot = window.count;
      windowBatch.push({ subject: window.subject, windowStart: window.windowStart, count: window.count - window.confirmed, keys });
      flushedWindows.push(window);
    }
    const bucketBatch: BucketDelta[] = [];
    const flushedBuckets: LocalBucket[] = [];
    if (shape) {
      for (const bucket of buckets.values()) {
        if (!bucket.wanted && !bucket.dirty) continue;
        const at = bucket.lastNow;
        const local = bucket.known ? bucketLevel(bucket.local, shape, at) : shape.maximum * MILLI;
        bucket.snapshotMilli = local;
        bucket.snapshotAt = at;
        bucket.flightSpend = bucket.unconfirmedSpend;
        bucket.dirty = false;
        const delta = bucket.known ? (local - bucketLevel(bucket.confirmed, shape, at)) / MILLI : 0;
        bucketBatch.push({ subject: bucket.subject, delta, at });
        flushedBuckets.push(bucket);
      }
    }
    if (windowBatch.length === 0 && bucketBatch.length === 0) return;
    let flushed: FlushedRateLimits;
    try {
      flushed = await flushRateLimits(db, { windows: windowBatch, buckets: bucketBatch, bucket: shape ?? { maximum: 0, restorePerSecond: 1 } });
    } catch (error) {
      // Nothing confirmed: the same increments go with the next flush.
      for (const bucket of flushedBuckets) bucket.dirty = true;
      throw error;
    }
    options.onFlush?.({ windows: windowBatch.length, buckets: bucketBatch.length });
    for (const row of flushed.windows) {
      const window = windows.get(windowKey(row.subject, row.windowStart));
      if (!window) continue;
      // Others' counts since the last flush join this instance's view.
      window.count += row.count - window.snapshot;
      window.confirmed = row.count;
      window.known = true;
      window.wanted = false;
      for (const [subject, count] of window.keys) {
        const total = Number(row.keyCounts[subject] ?? 0);
        count.count += total - count.snapshot;
        count.confirmed = total;
      }
      for (const [subject, total] of Object.entries(row.keyCounts)) {
        if (!window.keys.has(subject)) window.keys.set(subject, { count: Number(total), confirmed: Number(total), snapshot: Number(total) });
      }
    }
    for (const row of flushed.buckets) {
      const bucket = buckets.get(row.subject);
      if (!bucket || !shape) continue;
      const confirmed = { milli: row.available * MILLI, refilledAt: row.refilledAt };
      if (!bucket.known) {
        // Nothing was charged here before the bucket was known (admissions waited for it).
        bucket.local = { ...confirmed };
      } else {
        // Re-anchored at the snapshot's time (charges made since at later times keep theirs), plus what others did.
        const at = bucket.snapshotAt;
        const correction = confirmed.milli - bucket.snapshotMilli;
        const milli = Math.min(shape.maximum * MILLI, Math.max(0, bucketLevel(bucket.local, shape, at) + correction));
        bucket.local = { milli, refilledAt: Math.max(bucket.local.refilledAt, at) };
      }
      bucket.confirmed = confirmed;
      bucket.unconfirmedSpend -= bucket.flightSpend;
      bucket.flightSpend = 0;
      bucket.known = true;
      bucket.wanted = false;
    }
    forgetIdle();
  }

  /** Drops what is confirmed and has not been used for `idleMs`. */
  function forgetIdle(): void {
    const horizon = performance.now() - idleMs;
    for (const [key, window] of windows) {
      const clean = !window.wanted && window.count === window.confirmed && [...window.keys.values()].every((k) => k.count === k.confirmed);
      if (clean && window.lastUsed < horizon) windows.delete(key);
    }
    for (const [subject, bucket] of buckets) {
      if (!bucket.dirty && !bucket.wanted && bucket.unconfirmedSpend === 0 && bucket.lastUsed < horizon) buckets.delete(subject);
    }
  }

  const timer = setInterval(() => {
    if (closed) return;
    const dirty = [...windows.values()].some((w) => w.count !== w.confirmed || w.wanted || [...w.keys.values()].some((k) => k.count !== k.confirmed))
      || [...buckets.values()].some((b) => b.dirty || b.wanted);
    if (dirty) flushSoon().catch((error: unknown) => log.warn({ err: error }, 'rate limits: flushing to the database failed; retrying'));
  }, flushEveryMs);
  timer.unref();

  function observe(bucketShape: BucketShape, now: number): void {
    shape = bucketShape;
    latestNow = Math.max(latestNow, now);
  }

  /** Whether this instance may decide on the window now: it is known here and under its unconfirmed share (the key's too). */
  function windowReady(window: LocalWindow, requests: RequestWindows): boolean {
    if (!window.known) {
      window.wanted = true;
      return false;
    }
    if (window.count - window.confirmed >= allowance(requests.limit)) return false;
    const key = requests.key ? window.keys.get(requests.key.subject) : undefined;
    return !(key && requests.key && key.count - key.confirmed >= allowance(requests.key.limit));
  }

  /** Whether this instance may charge `cost` to the bucket now: it is known here and the charge keeps it within its share (or is the only one unconfirmed). */
  function bucketReady(bucket: LocalBucket, cost: number): boolean {
    if (!bucket.known) {
      bucket.wanted = true;
      return false;
    }
    return cost === 0 || bucket.unconfirmedSpend === 0 || bucket.unconfirmedSpend + cost <= (shape ? allowance(shape.maximum) : 1);
  }

  /** Runs `act` on the bucket as soon as it may take `cost` (see bucketReady), without yielding between the check and `act`. */
  async function withBucket<T>(subject: string, cost: number, now: number, act: (bucket: LocalBucket) => T): Promise<T> {
    for (;;) {
      const bucket = bucketOf(subject, now);
      if (bucketReady(bucket, cost)) return act(bucket);
      await flushSoon();
    }
  }

  function countsOf(window: LocalWindow, requests: RequestWindows): WindowCounts {
    return { count: window.count, keyCount: requests.key ? (window.keys.get(requests.key.subject)?.count ?? 0) : null };
  }

  /** Charges `milli` if the bucket holds it (a cost above the maximum never fits); the level after. */
  function charge(bucket: LocalBucket, bucketShape: BucketShape, cost: number, now: number): { charged: boolean; after: number } {
    const before = bucketLevel(bucket.local, bucketShape, now);
    const charged = cost <= bucketShape.maximum && cost * MILLI <= before;
    const after = charged ? before - cost * MILLI : before;
    bucket.local = { milli: after, refilledAt: Math.max(bucket.local.refilledAt, now) };
    if (charged && cost > 0) {
      bucket.unconfirmedSpend += cost;
      bucket.dirty = true;
    }
    return { charged, after };
  }

  return {
    async admit(input) {
      const { requests } = input;
      observe(input.bucket, input.now);
      for (;;) {
        const window = windowOf(requests.subject, input.windowStart);
        const bucket = bucketOf(input.budgetSubject, input.now);
        // Both checks, the decision and the increments run without yielding.
        const ready = windowReady(window, requests);
        if (!(bucketReady(bucket, input.cost) && ready)) {
          await flushSoon();
          continue;
        }
        const previous = countsOf(window, requests);
        const room = previous.count < requests.limit && (!requests.key || (previous.keyCount ?? 0) < requests.key.limit);
        if (!room) {
          return { ...previous, counted: false, charged: false, available: bucketLevel(bucket.local, input.bucket, input.now) / MILLI };
        }
        window.count += 1;
        if (requests.key) {
          let key = window.keys.get(requests.key.subject);
          if (!key) window.keys.set(requests.key.subject, (key = newCount()));
          key.count += 1;
        }
        const { charged, after } = charge(bucket, input.bucket, input.cost, input.now);
        return { ...countsOf(window, requests), counted: true, charged, available: after / MILLI };
      }
    },
    async spend(subject, cost, bucketShape, now) {
      observe(bucketShape, now);
      const { charged, after } = await withBucket(subject, cost, now, (bucket) => charge(bucket, bucketShape, cost, now));
      return { charged, available: after / MILLI };
    },
    async credit(subject, refund, bucketShape, now) {
      observe(bucketShape, now);
      return withBucket(subject, 0, now, (bucket) => {
        const after = Math.min(bucketShape.maximum * MILLI, bucketLevel(bucket.local, bucketShape, now) + refund * MILLI);
        bucket.local = { milli: after, refilledAt: Math.max(bucket.local.refilledAt, now) };
        bucket.dirty = true;
        return after / MILLI;
      });
    },
    async countRequests(requests, windowStart) {
      let window = windowOf(requests.subject, windowStart);
      while (!window.known) {
        window.wanted = true;
        await flushSoon();
        window = windowOf(requests.subject, windowStart);
      }
      return countsOf(window, requests);
    },
    async peek(subject, bucketShape, now) {
      observe(bucketShape, now);
      return withBucket(subject, 0, now, (bucket) => bucketLevel(bucket.local, bucketShape, now) / MILLI);
    },
    async prune(before, bucketShape, now) {
      observe(bucketShape, now);
      // What is counted here reaches the database first: a pruned full bucket must not hide a charge.
      await flushSoon();
      // As in the database: windows that started before `before`, and idle buckets full at `now`.
      for (const [key, window] of windows) if (window.windowStart < before && window.count === window.confirmed) windows.delete(key);
      for (const [subject, bucket] of buckets) {
        if (!bucket.dirty && bucket.unconfirmedSpend === 0 && bucket.lastNow < before && bucketLevel(bucket.local, bucketShape, now) >= bucketShape.maximum * MILLI) buckets.delete(subject);
      }
      return pruneRateLimits(db, new Date(before), bucketShape, new Date(now));
    },
    async close() {
      closed = true;
      clearInterval(timer);
      await flushSoon().catch((error: unknown) => log.warn({ err: error }, 'rate limits: the last flush failed'));
    },
  };
}
