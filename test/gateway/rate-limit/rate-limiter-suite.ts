import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRateLimiter, DEFAULT_RATE_LIMITS, type Admission, type RateLimiter } from '../../../gateway/rate-limit/rate-limiter.ts';
import type { RateStore } from '../../../gateway/rate-limit/rate-store.ts';

/** Two stores over one shared state, as two gateway instances see it. */
export interface SharedStores {
  readonly first: RateStore;
  readonly second: RateStore;
  close(): Promise<void>;
}

/** A store implementation under test: `open()` gives fresh, empty shared stores. */
export interface StoreBackend {
  readonly name: string;
  open(): Promise<SharedStores>;
}

/** A settable fake clock, epoch milliseconds. */
export function fakeClock(start: number) {
  let t = start;
  return {
    now: () => t,
    set: (ms: number) => void (t = ms),
    advance: (ms: number) => void (t += ms),
  };
}

const at = (iso: string) => Date.parse(iso);
const subject = (kind: string) => `${kind}:${crypto.randomUUID()}`;
const allowed = (admissions: Admission[]) => admissions.filter((a) => a.allowed).length;
const refusedBy = (admissions: Admission[], by: 'requests' | 'budget') => admissions.filter((a) => a.refusedBy === by).length;

/**
 * The behaviour every rate store must give the limiter, written once and run for each store:
 * hourly request windows, leaky-bucket budgets, settling, pruning, and exactness when two
 * limiters (two gateway instances) admit concurrently against one shared state.
 */
export function describeRateLimiterSuite(backend: StoreBackend): void {
  describe(`rate limiter on the ${backend.name} store`, () => {
    let stores: SharedStores;
    beforeAll(async () => {
      stores = await backend.open();
    });
    afterAll(async () => {
      await stores.close();
    });

    const limiter = (clock: { now: () => number }, budget = { maximum: 100, restorePerSecond: 10 }, store?: RateStore): RateLimiter =>
      createRateLimiter({ store: store ?? stores.first, budget, now: clock.now, pruneEveryMs: 0 });

    describe('requests per hour', () => {
      it('should refuse the 1,001st admission of an hour until the hour ends, then admit again', async () => {
        const clock = fakeClock(at('2026-03-02T09:20:00.000Z'));
        const rl = limiter(clock, { maximum: DEFAULT_RATE_LIMITS.budgetMaximum, restorePerSecond: DEFAULT_RATE_LIMITS.restorePerSecond });
        const request = { requests: { subject: subject('org'), limit: DEFAULT_RATE_LIMITS.requestsPerHour }, budgetSubject: subject('key'), cost: 0 };
        const admissions = await Promise.all(Array.from({ length: 1000 }, () => rl.admit(request)));
        expect(allowed(admissions)).toBe(1000);
        expect(admissions.map((a) => a.requests.remaining).sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));

        clock.set(at('2026-03-02T09:59:30.250Z'));
        const refused = await rl.admit(request);
        expect(refused).toMatchObject({
          allowed: false,
          refusedBy: 'requests',
          retryAfterSeconds: 30,
          requests: { window: 'organization', limit: 1000, remaining: 0, resetAt: at('2026-03-02T10:00:00Z') / 1000 },
        });

        clock.set(at('2026-03-02T10:00:00.000Z'));
        const next = await rl.admit(request);
        expect(next.allowed).toBe(true);
        expect(next.requests).toEqual({ window: 'organization', limit: 1000, remaining: 999, resetAt: at('2026-03-02T11:00:00Z') / 1000 });
      });

      it('should count remaining requests down and report the window end', async () => {
        const clock = fakeClock(at('2026-03-02T14:05:00Z'));
        const rl = limiter(clock);
        const request = { requests: { subject: subject('org'), limit: 4 }, budgetSubject: subject('key'), cost: 1 };
        const remaining: number[] = [];
        for (let i = 0; i < 4; i++) {
          const admission = await rl.admit(request);
          expect(admission.allowed).toBe(true);
          expect(admission.requests.resetAt).toBe(at('2026-03-02T15:00:00Z') / 1000);
          remaining.push(admission.requests.remaining);
        }
        expect(remaining).toEqual([3, 2, 1, 0]);
        clock.set(at('2026-03-02T14:59:59.999Z'));
        const refused = await rl.admit(request);
        expect(refused.refusedBy).toBe('requests');
        expect(refused.retryAfterSeconds).toBe(1);
      });

      it('should neither count nor charge a request refused by the hourly limit', async () => {
        const clock = fakeClock(at('2026-03-02T16:00:00Z'));
        const rl = limiter(clock);
        const requestSubject = subject('org');
        const budgetSubject = subject('key');
        for (let i = 0; i < 2; i++) expect((await rl.admit({ requests: { subject: requestSubject, limit: 2 }, budgetSubject, cost: 10 })).allowed).toBe(true);
        for (let i = 0; i < 3; i++) {
          const refused = await rl.admit({ requests: { subject: requestSubject, limit: 2 }, budgetSubject, cost: 10 });
          expect(refused).toMatchObject({ allowed: false, refusedBy: 'requests', budget: { remaining: 80 } });
        }
        expect((await rl.peekBudget(budgetSubject)).remaining).toBe(80);
        // Had the refusals counted, the window would hold 5 requests and a limit of 3 would refuse.
        const raised = await rl.admit({ requests: { subject: requestSubject, limit: 3 }, budgetSubject, cost: 10 });
        expect(raised).toMatchObject({ allowed: true, requests: { window: 'organization', limit: 3, remaining: 0 }, budget: { remaining: 70 } });
      });

      it('should refuse every request under a zero hourly limit', async () => {
        const rl = limiter(fakeClock(at('2026-03-02T17:00:00Z')));
        const budgetSubject = subject('key');
        expect(await rl.admit({ requests: { subject: subject('org'), limit: 0 }, budgetSubject, cost: 5 })).toMatchObject({
          allowed: false,
          refusedBy: 'requests',
          retryAfterSeconds: 3600,
          requests: { window: 'organization', limit: 0, remaining: 0 },
          budget: { remaining: 100 },
        });
      });

      it('should admit exactly the limit among parallel admissions', async () => {
        const rl = limiter(fakeClock(at('2026-03-02T17:10:00Z')), { maximum: 1000, restorePerSecond: 10 });
        const request = { requests: { subject: subject('org'), limit: 30 }, budgetSubject: subject('key'), cost: 1 };
        const admissions = await Promise.all(Array.from({ length: 50 }, () => rl.admit(request)));
        expect(allowed(admissions)).toBe(30);
        expect(refusedBy(admissions, 'requests')).toBe(20);
        expect((await rl.peekBudget(request.budgetSubject)).remaining).toBe(970);
      });

      it('should share one hourly limit between two limiters on one store', async () => {
        const clock = fakeClock(at('2026-03-02T18:30:00Z'));
        const one = limiter(clock, { maximum: 2000, restorePerSecond: 100 }, stores.first);
        const two = limiter(clock, { maximum: 2000, restorePerSecond: 100 }, stores.second);
        const request = { requests: { subject: subject('org'), limit: 1000 }, budgetSubject: subject('key'), cost: 0 };
        const admissions = await Promise.all(Array.from({ length: 1200 }, (_, i) => (i % 2 === 0 ? one : two).admit(request)));
        expect(allowed(admissions)).toBe(1000);
        expect(refusedBy(admissions, 'requests')).toBe(200);
        expect((await two.admit(request)).refusedBy).toBe('requests');
        expect((await one.admit(request)).refusedBy).toBe('requests');
      });
    });

    describe("a key's own limit inside its organization's", () => {
      const windowsOf = (org: string, key: string, own: number, limit = 1000) => ({ subject: org, limit, key: { subject: key, limit: own } });
      const refusedIn = (admissions: Admission[], window: 'organization' | 'key') =>
        admissions.filter((a) => a.refusedBy === 'requests' && a.requests.window === window).length;

      it("should cut two keys with their own limit of 600 together at the organization's 1,000, on two instances", async () => {
        const clock = fakeClock(at('2026-03-04T09:10:00Z'));
        const one = limiter(clock, { maximum: 2000, restorePerSecond: 100 }, stores.first);
        const two = limiter(clock, { maximum: 2000, restorePerSecond: 100 }, stores.second);
        const org = subject('org');
        const [keyA, keyB] = [subject('key'), subject('key')];
        const a = { requests: windowsOf(org, keyA, 600), budgetSubject: keyA, cost: 0 };
        const b = { requests: windowsOf(org, keyB, 600), budgetSubject: keyB, cost: 0 };
        const first = await Promise.all(Array.from({ length: 600 }, (_, i) => (i % 2 === 0 ? one : two).admit(a)));
        expect(allowed(first)).toBe(600);
        const second = await Promise.all(Array.from({ length: 600 }, (_, i) => (i % 2 === 0 ? two : one).admit(b)));
        expect(allowed(second)).toBe(400);
        expect(refusedIn(second, 'organization')).toBe(200);
        const refused = second.find((admission) => !admission.allowed);
        expect(refused).toMatchObject({ refusedBy: 'requests', requests: { window: 'organization', limit: 1000, remaining: 0 }, retryAfterSeconds: 50 * 60 });
        // Neither key is at its own limit of 600 alone, yet both are refused: the organization's window is full.
        expect(await one.peek({ requests: windowsOf(org, keyB, 600), budgetSubject: keyB })).toMatchObject({ requests: { window: 'organization', remaining: 0 } });
        expect(await two.peek({ requests: windowsOf(org, keyB, 600), budgetSubject: keyB })).toMatchObject({ requests: { window: 'organization', remaining: 0 } });
        expect((await one.admit(a)).requests).toMatchObject({ window: 'organization', remaining: 0 });
        expect((await two.admit({ requests: { subject: org, limit: 1000 }, budgetSubject: subject('user'), cost: 0 })).refusedBy).toBe('requests');
      });

      it('should cut both keys, interleaved in parallel, at 1,000 in total and neither above 600', async () => {
        const clock = fakeClock(at('2026-03-04T10:10:00Z'));
        const one = limiter(clock, { maximum: 2000, restorePerSecond: 100 }, stores.first);
        const two = limiter(clock, { maximum: 2000, restorePerSecond: 100 }, stores.second);
        const org = subject('org');
        const keys = [subject('key'), subject('key')] as const;
        const admissions = await Promise.all(
          Array.from({ length: 1300 }, (_, i) => {
            const key = keys[i % 2]!;
            return (i % 3 === 0 ? one : two).admit({ requests: windowsOf(org, key, 600), budgetSubject: key, cost: 0 }).then((admission) => ({ key, admission }));
          }),
        );
        const ofKey = (key: string) => admissions.filter((entry) => entry.key === key && entry.admission.allowed).length;
        expect(ofKey(keys[0]) + ofKey(keys[1])).toBe(1000);
        expect(ofKey(keys[0])).toBeLessThanOrEqual(600);
        expect(ofKey(keys[1])).toBeLessThanOrEqual(600);
        // What was counted is exactly what was admitted, in each key's window (peeked under limits far away).
        for (const key of keys) {
          const peeked = await one.peek({ requests: { subject: org, limit: 10_000_000, key: { subject: key, limit: 100_000 } }, budgetSubject: key });
          expect(peeked.requests).toMatchObject({ window: 'key', remaining: 100_000 - ofKey(key) });
        }
        expect((await two.peek({ requests: { subject: org, limit: 1000 }, budgetSubject: keys[0] })).requests.remaining).toBe(0);
      });

      it('should still cut a key with its own limit of 5 at 5, naming the key, and count its refusals nowhere', async () => {
        const clock = fakeClock(at('2026-03-04T11:59:00Z'));
        const rl = limiter(clock);
        const org = subject('org');
        const key = subject('key');
        const request = { requests: windowsOf(org, key, 5), budgetSubject: key, cost: 1 };
        const remaining: number[] = [];
        for (let i = 0; i < 5; i++) {
          const admission = await rl.admit(request);
          expect(admission).toMatchObject({ allowed: true, requests: { window: 'key', limit: 5 } });
          remaining.push(admission.requests.remaining);
        }
        expect(remaining).toEqual([4, 3, 2, 1, 0]);
        for (let i = 0; i < 3; i++) {
          expect(await rl.admit(request)).toMatchObject({
            allowed: false,
            refusedBy: 'requests',
            retryAfterSeconds: 60,
            requests: { window: 'key', limit: 5, remaining: 0, resetAt: at('2026-03-04T12:00:00Z') / 1000 },
            budget: { remaining: 95 },
          });
        }
        // The organization's window holds the 5 admitted requests, not the 3 refused ones.
        expect((await rl.peek({ requests: { subject: org, limit: 1000 }, budgetSubject: key })).requests).toMatchObject({ window: 'organization', remaining: 995 });
        expect((await rl.admit({ requests: { subject: org, limit: 6 }, budgetSubject: subject('user'), cost: 0 })).requests).toMatchObject({ window: 'organization', remaining: 0 });
        // A key with its own limit of 0 is refused by its own window and counts nowhere.
        const closed = await rl.admit({ requests: windowsOf(org, subject('key'), 0), budgetSubject: key, cost: 1 });
        expect(closed).toMatchObject({ allowed: false, refusedBy: 'requests', requests: { window: 'key', limit: 0, remaining: 0 } });
        expect((await rl.peek({ requests: { subject: org, limit: 1000 }, budgetSubject: key })).requests.remaining).toBe(994);
      });

      it("should report the organization's window when it has fewer requests left than the key's", async () => {
        const rl = limiter(fakeClock(at('2026-03-04T12:10:00Z')));
        const org = subject('org');
        const key = subject('key');
        for (let i = 0; i < 7; i++) await rl.admit({ requests: { subject: org, limit: 10 }, budgetSubject: subject('user'), cost: 0 });
        expect((await rl.admit({ requests: windowsOf(org, key, 5, 10), budgetSubject: key, cost: 0 })).requests).toEqual({
          window: 'organization',
          limit: 10,
          remaining: 2,
          resetAt: at('2026-03-04T13:00:00Z') / 1000,
        });
        expect((await rl.admit({ requests: windowsOf(org, key, 2, 10), budgetSubject: key, cost: 0 })).requests).toMatchObject({ window: 'key', limit: 2, remaining: 0 });
      });

      it('should never overshoot either window among 50 parallel admissions over both, on two instances', async () => {
        const clock = fakeClock(at('2026-03-04T13:10:00Z'));
        const one = limiter(clock, { maximum: 1000, restorePerSecond: 10 }, stores.first);
        const two = limiter(clock, { maximum: 1000, restorePerSecond: 10 }, stores.second);
        const org = subject('org');
        // Key A's own 10 and the organization's 30 both bind: B alone could not fill the organization.
        const keyA = { subject: subject('key'), limit: 10 };
        const keyB = { subject: subject('key'), limit: 25 };
        const admissions = await Promise.all(
          Array.from({ length: 50 }, (_, i) => {
            const key = i % 2 === 0 ? keyA : keyB;
            return (i % 4 < 2 ? one : two).admit({ requests: { subject: org, limit: 30, key }, budgetSubject: key.subject, cost: 1 }).then((admission) => ({ key, admission }));
          }),
        );
        const ofKey = (key: { subject: string }) => admissions.filter((entry) => entry.key === key && entry.admission.allowed).length;
        expect(ofKey(keyA)).toBe(10);
        expect(ofKey(keyB)).toBe(20);
        expect(admissions.filter((entry) => !entry.admission.allowed).every((entry) => entry.admission.refusedBy === 'requests')).toBe(true);
        expect(admissions.every((entry) => entry.admission.requests.remaining >= 0)).toBe(true);
        expect((await one.peekBudget(keyA.subject)).remaining).toBe(990);
        expect((await two.peekBudget(keyB.subject)).remaining).toBe(980);
        const peek = (key: { subject: string; limit: number }) => two.peek({ requests: { subject: org, limit: 1_000_000, key: { subject: key.subject, limit: 100 } }, budgetSubject: key.subject });
        expect((await peek(keyA)).requests.remaining).toBe(90);
        expect((await peek(keyB)).requests.remaining).toBe(80);
        expect((await one.peek({ requests: { subject: org, limit: 30 }, budgetSubject: keyA.subject })).requests.remaining).toBe(0);
      });
    });

    describe('cost budgets', () => {
      it('should share one budget between two limiters on one store', async () => {
        const clock = fakeClock(at('2026-03-02T19:00:00Z'));
        const one = limiter(clock, undefined, stores.first);
        const two = limiter(clock, undefined, stores.second);
        const budgetSubject = subject('key');
        const admissions = await Promise.all(
          Array.from({ length: 120 }, (_, i) => (i % 2 === 0 ? one : two).admit({ requests: { subject: subject('org'), limit: 10 }, budgetSubject, cost: 1 })),
        );
        expect(allowed(admissions)).toBe(100);
        expect(refusedBy(admissions, 'budget')).toBe(20);
        expect((await one.peekBudget(budgetSubject)).remaining).toBe(0);
        expect((await two.peekBudget(budgetSubject)).remaining).toBe(0);
      });

      it('should refill the bucket at the restore rate, exactly, up to the maximum', async () => {
        const clock = fakeClock(at('2026-03-02T20:00:00Z'));
        const rl = limiter(clock);
        const budgetSubject = subject('key');
        const request = (cost: number) => rl.admit({ requests: { subject: subject('org'), limit: 10 }, budgetSubject, cost });
        expect((await request(100)).budget).toEqual({ maximum: 100, remaining: 0, restoreRate: 10 });
        clock.advance(250);
        expect((await rl.peekBudget(budgetSubject)).remaining).toBe(2);
        clock.advance(3250);
        expect((await rl.peekBudget(budgetSubject)).remaining).toBe(35);
        expect(await request(36)).toMatchObject({ allowed: false, refusedBy: 'budget', retryAfterSeconds: 1, budget: { remaining: 35 } });
        expect(await request(35)).toMatchObject({ allowed: true, budget: { remaining: 0 } });
        clock.advance(60_000);
        expect((await rl.peekBudget(budgetSubject)).remaining).toBe(100);
        expect(await request(100)).toMatchObject({ allowed: true, budget: { remaining: 0 } });
      });

      it('should refuse a cost the bucket cannot cover, with the seconds to refill the shortfall, but count the request', async () => {
        const clock = fakeClock(at('2026-03-02T21:00:00Z'));
        const rl = limiter(clock);
        const requestSubject = subject('org');
        const budgetSubject = subject('key');
        expect((await rl.admit({ requests: { subject: requestSubject, limit: 10 }, budgetSubject, cost: 80 })).budget.remaining).toBe(20);
        const refused = await rl.admit({ requests: { subject: requestSubject, limit: 10 }, budgetSubject, cost: 45 });
        expect(refused).toEqual({
          allowed: false,
          refusedBy: 'budget',
          retryAfterSeconds: 3,
          requests: { window: 'organization', limit: 10, remaining: 8, resetAt: at('2026-03-02T22:00:00Z') / 1000 },
          budget: { maximum: 100, remaining: 20, restoreRate: 10 },
        });
        clock.advance(2500);
        const retried = await rl.admit({ requests: { subject: requestSubject, limit: 10 }, budgetSubject, cost: 45 });
        expect(retried).toMatchObject({ allowed: true, requests: { remaining: 7 }, budget: { remaining: 0 } });
      });

      it('should refuse a cost above the maximum even from a full bucket', async () => {
        const rl = limiter(fakeClock(at('2026-03-02T22:00:00Z')));
        const budgetSubject = subject('key');
        const refused = await rl.admit({ requests: { subject: subject('org'), limit: 10 }, budgetSubject, cost: 150 });
        expect(refused).toMatchObject({ allowed: false, refusedBy: 'budget', retryAfterSeconds: 5, requests: { remaining: 9 }, budget: { remaining: 100 } });
        expect((await rl.peekBudget(budgetSubject)).remaining).toBe(100);
      });

      it('should credit a settled refund back, never above the maximum', async () => {
        const clock = fakeClock(at('2026-03-02T23:00:00Z'));
        const rl = limiter(clock);
        const budgetSubject = subject('key');
        await rl.admit({ requests: { subject: subject('org'), limit: 10 }, budgetSubject, cost: 80 });
        expect(await rl.settle(budgetSubject, 30)).toEqual({ maximum: 100, remaining: 50, restoreRate: 10 });
        clock.advance(1000);
        expect((await rl.settle(budgetSubject, 5)).remaining).toBe(65);
        expect((await rl.settle(budgetSubject, 1000)).remaining).toBe(100);
        expect((await rl.peekBudget(budgetSubject)).remaining).toBe(100);
        expect((await rl.settle(subject('key'), 10)).remaining).toBe(100);
        await expect(rl.settle(budgetSubject, -1)).rejects.toThrow(RangeError);
      });

      it('should spend from a budget and refuse what the bucket cannot hold', async () => {
        const clock = fakeClock(at('2026-03-02T23:30:00Z'));
        const rl = limiter(clock);
        const budgetSubject = subject('key');
        expect(await rl.spend(budgetSubject, 70)).toEqual({ allowed: true, budget: { maximum: 100, remaining: 30, restoreRate: 10 } });
        expect(await rl.spend(budgetSubject, 50)).toEqual({ allowed: false, retryAfterSeconds: 2, budget: { maximum: 100, remaining: 30, restoreRate: 10 } });
        clock.advance(2000);
        expect((await rl.spend(budgetSubject, 50)).allowed).toBe(true);
        expect((await rl.spend(subject('key'), 150)).allowed).toBe(false);
        expect((await rl.peekBudget(budgetSubject)).remaining).toBe(0);
      });

      it('should peek at both limits without counting or charging', async () => {
        const rl = limiter(fakeClock(at('2026-03-03T00:30:00Z')));
        const request = { requests: { subject: subject('org'), limit: 10 }, budgetSubject: subject('key') };
        await rl.admit({ ...request, cost: 30 });
        const peeked = await rl.peek(request);
        expect(peeked).toEqual({ allowed: true, requests: { window: 'organization', limit: 10, remaining: 9, resetAt: at('2026-03-03T01:00:00Z') / 1000 }, budget: { maximum: 100, remaining: 70, restoreRate: 10 } });
        expect(await rl.peek(request)).toEqual(peeked);
      });

      it('should peek at a budget without charging it', async () => {
        const rl = limiter(fakeClock(at('2026-03-03T00:00:00Z')));
        const budgetSubject = subject('key');
        expect(await rl.peekBudget(budgetSubject)).toEqual({ maximum: 100, remaining: 100, restoreRate: 10 });
        await rl.admit({ requests: { subject: subject('org'), limit: 10 }, budgetSubject, cost: 40 });
        expect((await rl.peekBudget(budgetSubject)).remaining).toBe(60);
        expect((await rl.peekBudget(budgetSubject)).remaining).toBe(60);
      });

      it('should neither drain nor refill twice when an instance clock lags behind', async () => {
        const clock = fakeClock(at('2026-03-03T01:00:00Z'));
        const lagging = { now: () => clock.now() - 1000 };
        const ahead = limiter(clock, undefined, stores.first);
        const behind = limiter(lagging, undefined, stores.second);
        const budgetSubject = subject('key');
        await ahead.admit({ requests: { subject: subject('org'), limit: 10 }, budgetSubject, cost: 100 });
        expect(await behind.admit({ requests: { subject: subject('org'), limit: 10 }, budgetSubject, cost: 0 })).toMatchObject({ allowed: true, budget: { remaining: 0 } });
        clock.advance(1000);
        expect((await ahead.peekBudget(budgetSubject)).remaining).toBe(10);
      });
      it('should admit a zero cost from an empty bucket', async () => {
        const rl = limiter(fakeClock(at('2026-03-03T02:00:00Z')));
        const budgetSubject = subject('key');
        await rl.admit({ requests: { subject: subject('org'), limit: 10 }, budgetSubject, cost: 100 });
        expect(await rl.admit({ requests: { subject: subject('org'), limit: 10 }, budgetSubject, cost: 0 })).toMatchObject({ allowed: true, budget: { remaining: 0 } });
        expect(await rl.admit({ requests: { subject: subject('org'), limit: 10 }, budgetSubject, cost: 1 })).toMatchObject({ allowed: false, refusedBy: 'budget' });
      });
    });

    describe('pruning', () => {
      it('should forget windows older than two hours and idle full buckets, and keep the rest', async () => {
        const fresh = await backend.open();
        try {
          const clock = fakeClock(at('2026-03-03T09:10:00Z'));
          const rl = createRateLimiter({ store: fresh.first, budget: { maximum: 100, restorePerSecond: 0.01 }, now: clock.now, pruneEveryMs: 0 });
          const once = { requests: { subject: 'org:old', limit: 1 } };
          expect((await rl.admit({ ...once, budgetSubject: 'key:refilled', cost: 1 })).allowed).toBe(true);
          expect((await rl.admit({ requests: { subject: 'org:old-2', limit: 1 }, budgetSubject: 'key:drained', cost: 100 })).allowed).toBe(true);
          clock.set(at('2026-03-03T10:40:00Z'));
          expect((await rl.admit({ requests: { subject: 'org:recent', limit: 1 }, budgetSubject: 'key:recent', cost: 1 })).allowed).toBe(true);

          clock.set(at('2026-03-03T11:30:00Z'));
          // Windows of 09:00 (two subjects) go; 10:00 stays. Only 'key:refilled' is idle since before 09:30 and full.
          expect(await rl.prune()).toEqual({ windows: 2, budgets: 1 });
          expect(await rl.prune()).toEqual({ windows: 0, budgets: 0 });

          // Back in time, the state left behind shows what was kept.
          clock.set(at('2026-03-03T09:10:00Z'));
          expect((await rl.admit({ ...once, budgetSubject: 'key:other', cost: 0 })).allowed).toBe(true);
          expect((await rl.peekBudget('key:refilled')).remaining).toBe(100);
          expect((await rl.peekBudget('key:drained')).remaining).toBe(0);
          clock.set(at('2026-03-03T10:40:00Z'));
          expect((await rl.admit({ requests: { subject: 'org:recent', limit: 1 }, budgetSubject: 'key:other', cost: 0 })).refusedBy).toBe('requests');
          expect((await rl.peekBudget('key:recent')).remaining).toBe(99);
        } finally {
          await fresh.close();
        }
      });
    });
  });
}
