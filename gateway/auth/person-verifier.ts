import type { Role } from '../../subgraphs/shared/identity.ts';
import { postInternal } from '../http/internal-request.ts';
import { AuthenticationError, MAX_CACHE_TTL_MS } from './api-key-authenticator.ts';

type UserVerdict = { valid: true; role: Role } | { valid: false; reason: string };

export interface PersonVerifierOptions {
  /** The people subgraph's GraphQL URL; its `/internal/verify-user` route answers. */
  readonly peopleUrl: string;
  /** Secret for the gateway's signature on the internal call. */
  readonly identitySecret: string;
  /** How long a verdict is cached, at most (and by default) 60 000 ms, as for API keys. */
  readonly cacheTtlMs?: number | undefined;
  /** Most cached verdicts; the oldest go first. Default 10 000. */
  readonly maxEntries?: number | undefined;
  /** Clock, for tests. */
  readonly now?: () => number;
}

export interface PersonVerifier {
  /**
   * The stored role of the person `userId` of `orgId`, or AuthenticationError when they are
   * unknown there or deactivated. `fresh` skips the cached verdict (and refreshes it).
   */
  verify(orgId: string, userId: string, options?: { fresh?: boolean; requestId?: string | undefined }): Promise<Role>;
  /** Number of people-subgraph verifications made (for tests and metrics). */
  readonly verifications: number;
}

/**
 * Verifies the person a JWT names through the people subgraph and caches each verdict,
 * positive or negative, for at most `cacheTtlMs`: a deactivated person's tokens stop
 * working within that time (open subscriptions are re-checked with `fresh`). Concurrent
 * requests for one person share one verification.
 */
export function createPersonVerifier(options: PersonVerifierOptions): PersonVerifier {
  const ttl = Math.min(options.cacheTtlMs ?? MAX_CACHE_TTL_MS, MAX_CACHE_TTL_MS);
  const maxEntries = options.maxEntries ?? 10_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { verdict: UserVerdict; until: number }>();
  const inFlight = new Map<string, Promise<UserVerdict>>();
  let verifications = 0;

  async function fetchVerdict(orgId: string, userId: string, requestId: string | undefined): Promise<UserVerdict> {
    verifications += 1;
    const response = await postInternal(options.peopleUrl, '/internal/verify-user', { orgId, userId }, options.identitySecret, { requestId });
    if (!response.ok) throw new Error(`person verification failed with HTTP ${response.status}`);
    return (await response.json()) as UserVerdict;
  }

  return {
    get verifications() {
      return verifications;
    },
    async verify(orgId, userId, verifyOptions = {}) {
      const cacheKey = `${orgId}/${userId}`;
      const t = now();
      const cached = cache.get(cacheKey);
      let verdict: UserVerdict;
      if (cached && cached.until > t && !verifyOptions.fresh) {
        verdict = cached.verdict;
      } else {
        let pending = inFlight.get(cacheKey);
        if (!pending) {
          pending = fetchVerdict(orgId, userId, verifyOptions.requestId).finally(() => inFlight.delete(cacheKey));
          inFlight.set(cacheKey, pending);
        }
        verdict = await pending;
        cache.delete(cacheKey);
        cache.set(cacheKey, { verdict, until: t + ttl });
        if (cache.size > maxEntries) cache.delete(cache.keys().next().value as string);
      }
      if (!verdict.valid) throw new AuthenticationError(verdict.reason);
      return verdict.role;
    },
  };
}
