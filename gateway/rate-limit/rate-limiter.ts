import type { BucketShape, RateStore, RequestWindows, WindowCounts } from './rate-store.ts';
import { serviceLogger } from '../../subgraphs/shared/logger.ts';

const log = serviceLogger('gateway');

export type { RateStore, RequestWindows } from './rate-store.ts';

/** The limits of one subject. */
export interface RateLimits {
  readonly requestsPerHour: number;
  readonly budgetMaximum: number;
  readonly restorePerSecond: number;
}

/** The gateway's defaults: 1,000 requests an hour (OrOut's); a bucket of 20,000 points refilling at 1,000 a second. */
export const DEFAULT_RATE_LIMITS: RateLimits = { requestsPerHour: 1_000, budgetMaximum: 20_000, restorePerSecond: 1_000 };

/** Which hourly window: the organization's, or a key's own (lower) limit. */
export type RequestWindow = 'organization' | 'key';

/** The outcome of one admission, with the state of both limits after it (for headers and `extensions`). */
export interface Admission {
  readonly allowed: boolean;
  readonly refusedBy?: 'requests' | 'budget';
  /** Whole seconds (at least 1) until a retry can pass the limit that refused. */
  readonly retryAfterSeconds?: number;
  /**
   * The tighter of the request's hourly windows: the one that refused it or, when none did, the
   * one with fewer requests remaining (the key's on a tie). `resetAt`: epoch seconds of the
   * window's end (the next UTC hour).
   */
  readonly requests: { readonly window: RequestWindow; readonly limit: number; readonly remaining: number; readonly resetAt: number };
  /** `remaining`: whole points, rounded down; `restoreRate`: points a second. */
  readonly budget: { readonly maximum: number; readonly remaining: number; readonly restoreRate: number };
}

/** Request limits per hour and cost budgets, as wide as the store is shared. */
export interface RateLimiter {
  /** Counts the request in its organization's window and, for a key with its own limit, in the key's: only when both have room. */
  admit(request: { requests: RequestWindows; budgetSubject: string; cost: number }): Promise<Admission>;
  /**
   * Charges `cost` to the subject's bucket without counting a request (a subscription event's
   * resolution): refused, with the seconds until it would fit, when the bucket cannot hold it.
   */
  spend(budgetSubject: string, cost: number): Promise<Pick<Admission, 'allowed' | 'retryAfterSeconds' | 'budget'>>;
  /** Credits `refund` points back to the subject's bucket; returns the budget after it. */
  settle(budgetSubject: string, refund: number): Promise<Admission['budget']>;
  /** The state of a request's limits without counting it or charging anything (`allowed` is true). */
  peek(request: { requests: RequestWindows; budgetSubject: string }): Promise<Admission>;
  /** The budget now, without charging (for responses that were not admitted through admit, e.g. errors before cost is known). */
  peekBudget(budgetSubject: string): Promise<Admission['budget']>;
  /**
   * Deletes request windows that started more than `olderThanMs` ago (default 2 hours) and
   * buckets idle that long that have refilled to full. Admissions also run it on their own,
   * see `pruneEveryMs`.
   */
  prune(olderThanMs?: number): Promise<{ windows: number; budgets: number }>;
  /** Closes the store (flushing what it has not shared yet); the limiter is not used after. */
  close(): Promise<void>;
}

/** Options of `createRateLimiter`. */
export interface RateLimiterOptions {
  /** Where counts and buckets live: the database store shares them across gateway instances. */
  readonly store: RateStore;
  /** Every bucket's shape (`maximum` points, `restorePerSecond`); see DEFAULT_RATE_LIMITS. */
  readonly budget: { readonly maximum: number; readonly restorePerSecond: number };
  /** The clock, epoch milliseconds; default `Date.now`. Passed into the store, never the database's own. */
  readonly now?: () => number;
  /**
   * Opportunistic garbage collection: an admission that finds the last prune of this limiter
   * at least this long ago (by `now`) starts `prune()` in the background, after its own
   * statement (errors are logged, never thrown at the caller). Default 1 hour; 0 disables.
   */
  readonly pruneEveryMs?: number;
}

const HOUR_MS = 3_600_000;
const RETENTION_MS = 2 * HOUR_MS;

/** The fixed window (the UTC hour) that time `t` falls in, epoch ms. */
function windowOf(t: number): { start: number; end: number } {
  const start = Math.floor(t / HOUR_MS) * HOUR_MS;
  return { start, end: start + HOUR_MS };
}

// Stores return decimals (the database's numerics, the memory store's thousandths): round
// to the microsecond before flooring or ceiling so float noise cannot cost a whole unit.
const clean = (value: number): number => Number(value.toFixed(6));

function requireNumber(name: string, value: number, rule: 'non-negative' | 'positive' | 'non-negative integer'): void {
  const ok =
    Number.isFinite(value) &&
    (rule === 'positive' ? value > 0 : value >= 0) &&
    (rule !== 'non-negative integer' || Number.isInteger(value));
  if (!ok) throw new RangeError(`${name} must be a ${rule} number, got ${value}`);
}

/**
 * The tighter window of `counts`: the first that is full (the organization's before the key's)
 * or, when none is, the one with fewer requests remaining (the key's on a tie).
 */
function tighterWindow(requests: RequestWindows, counts: WindowCounts, end: number): Admission['requests'] {
  const organization = { window: 'organization' as const, limit: requests.limit, remaining: Math.max(0, requests.limit - counts.count), resetAt: end / 1000 };
  if (!requests.key) return organization;
  const key = { window: 'key' as const, limit: requests.key.limit, remaining: Math.max(0, requests.key.limit - (counts.keyCount ?? 0)), resetAt: end / 1000 };
  if (organization.remaining === 0) return organization;
  return key.remaining <= organization.remaining ? key : organization;
}

function requireWindows(requests: RequestWindows): void {
  requireNumber('requestsPerHour', requests.limit, 'non-negative integer');
  if (requests.key) requireNumber('key requestsPerHour', requests.key.limit, 'non-negative integer');
}

/**
 * Creates a limiter over `store`. Requests count in fixed windows aligned to the UTC hour: every
 * request in its organization's, a key's with a limit of its own also in the key's; a request
 * refused by either hourly limit is counted in neither and charges nothing. A counted request
 * needs its estimated cost in its bucket and is charged it up front, or is refused by the
 * budget (still counted, charged nothing; a cost above the maximum never passes). `settle`
 * credits the unused estimate back. Each admission is one store operation (one SQL statement).
 * Throws RangeError on a negative or non-finite budget shape, cost, refund or limit.
 */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { store } = options;
  const now = options.now ?? Date.now;
  const bucket: BucketShape = { maximum: options.budget.maximum, restorePerSecond: options.budget.restorePerSecond };
  requireNumber('budget.maximum', bucket.maximum, 'non-negative');
  requireNumber('budget.restorePerSecond', bucket.restorePerSecond, 'positive');
  const pruneEveryMs = options.pruneEveryMs ?? HOUR_MS;
  requireNumber('pruneEveryMs', pruneEveryMs, 'non-negative');
  let lastPruneAt = now();
  let pruning = false;

  const budgetOf = (available: number): Admission['budget'] => ({
    maximum: bucket.maximum,
    remaining: Math.floor(clean(available)),
    restoreRate: bucket.restorePerSecond,
  });

  async function peekBudgetAt(budgetSubject: string, t: number): Promise<Admission['budget']> {
    return budgetOf(await store.peek(budgetSubject, bucket, t));
  }

  async function prune(olderThanMs = RETENTION_MS): Promise<{ windows: number; budgets: number }> {
    requireNumber('olderThanMs', olderThanMs, 'non-negative');
    const t = now();
    return store.prune(t - olderThanMs, bucket, t);
  }

  function pruneIfDue(t: number): void {
    if (pruneEveryMs === 0 || pruning || t - lastPruneAt < pruneEveryMs) return;
    lastPruneAt = t;
    pruning = true;
    prune()
      .catch((error: unknown) => log.warn({ err: error }, 'rate limits: pruning failed'))
      .finally(() => (pruning = false));
  }

  return {
    async admit({ requests: windows, budgetSubject, cost }) {
      requireWindows(windows);
      requireNumber('cost', cost, 'non-negative');
      const t = now();
      const { start: windowStart, end: windowEnd } = windowOf(t);
      const result = await store.admit({ requests: windows, windowStart, budgetSubject, cost, bucket, now: t });
      pruneIfDue(t);
      // A refused request was counted nowhere; tighterWindow names the full window that refused it.
      const requests = tighterWindow(windows, result, windowEnd);
      const budget = budgetOf(result.available);
      if (!result.counted) {
        return { allowed: false, refusedBy: 'requests', retryAfterSeconds: Math.max(1, Math.ceil((windowEnd - t) / 1000)), requests, budget };
      }
      if (!result.charged) {
        const seconds = Math.ceil(clean((cost - result.available) / bucket.restorePerSecond));
        return { allowed: false, refusedBy: 'budget', retryAfterSeconds: Math.max(1, seconds), requests, budget };
      }
      return { allowed: true, requests, budget };
    },
    async spend(budgetSubject, cost) {
      requireNumber('cost', cost, 'non-negative');
      const result = await store.spend(budgetSubject, cost, bucket, now());
      const budget = budgetOf(result.available);
      if (result.charged) return { allowed: true, budget };
      const seconds = Math.ceil(clean((cost - result.available) / bucket.restorePerSecond));
      return { allowed: false, retryAfterSeconds: Math.max(1, seconds), budget };
    },
    async settle(budgetSubject, refund) {
      requireNumber('refund', refund, 'non-negative');
      return budgetOf(await store.credit(budgetSubject, refund, bucket, now()));
    },
    async peek({ requests, budgetSubject }) {
      requireWindows(requests);
      const t = now();
      const window = windowOf(t);
      const [counts, budget] = await Promise.all([store.countRequests(requests, window.start), peekBudgetAt(budgetSubject, t)]);
      return { allowed: true, requests: tighterWindow(requests, counts, window.end), budget };
    },
    peekBudget: (budgetSubject) => peekBudgetAt(budgetSubject, now()),
    prune,
    close: async () => store.close?.(),
  };
}
