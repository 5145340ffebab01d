import { apiKeyPrefix, hashApiKeySecret, looksLikeApiKey } from '../../subgraphs/shared/api-key-format.ts';
import type { Identity } from '../../subgraphs/shared/identity.ts';
import { postInternal } from '../http/internal-request.ts';
import { callInternal } from '../http/subgraph-failure.ts';
import type { KeyPolicy } from '../../subgraphs/shared/key-policy.ts';

/** Longest time a verdict may be cached: a revoked key stops working within this. */
export const MAX_CACHE_TTL_MS = 60_000;

export interface ApiKeyAuthenticatorOptions {
  /** The people subgraph's GraphQL URL; its `/internal/verify-api-key` route answers. */
  readonly peopleUrl: string;
  /** Secret for the gateway's signature on the internal call. */
  readonly identitySecret: string;
  /** How long a verdict is cached, at most (and by default) 60 000 ms. */
  readonly cacheTtlMs?: number | undefined;
  /** Most cached verdicts; the oldest go first. Default 10 000. */
  readonly maxEntries?: number | undefined;
  /** Clock, for tests. */
  readonly now?: () => number;
}

/** Why a credential was refused; the gateway answers 401 UNAUTHENTICATED with it. */
export class AuthenticationError extends Error {}

type Verdict = { valid: true; identity: Identity; expiresAt: string | null; policy: KeyPolicy } | { valid: false; reason: string };

/** A verified key: who it acts as, its policy, and its expiry (epoch ms, or null). */
export interface VerifiedKey {
  readonly identity: Identity;
  readonly policy: KeyPolicy;
  readonly expiresAt: number | null;
}

export interface ApiKeyAuthenticator {
  /**
   * Who a secret acts as, with its policy and expiry, or throws AuthenticationError; `fresh` skips the cached verdict (and refreshes it).
   * `requestId` goes on the verification call (a verification shared by concurrent requests carries the first one's).
   */
  verify(secret: string, options?: { fresh?: boolean; requestId?: string | undefined }): Promise<VerifiedKey>;
  /** Number of people-subgraph verifications made (for tests and metrics). */
  readonly verifications: number;
}

/**
 * Verifies API keys through the people subgraph (which compares hashes in constant time)
 * and caches each verdict, positive or negative, for at most `cacheTtlMs` (and never past
 * the key's expiry). Concurrent requests with one key share one verification.
 */
export function createApiKeyAuthenticator(options: ApiKeyAuthenticatorOptions): ApiKeyAuthenticator {
  const ttl = Math.min(options.cacheTtlMs ?? MAX_CACHE_TTL_MS, MAX_CACHE_TTL_MS);
  const maxEntries = options.maxEntries ?? 10_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { verdict: Verdict; until: number }>();
  const inFlight = new Map<string, Promise<Verdict>>();
  let verifications = 0;

  async function fetchVerdict(secret: string, hash: Buffer, requestId: string | undefined): Promise<Verdict> {
    verifications += 1;
    const body = { prefix: apiKeyPrefix(secret), secretHash: hash.toString('base64url') };
    const response = await callInternal('people', () => postInternal(options.peopleUrl, '/internal/verify-api-key', body, options.identitySecret, { requestId }));
    if (!response.ok) throw new Error(`API key verification failed with HTTP ${response.status}`);
    return (await response.json()) as Verdict;
  }

  async function verify(secret: string, authOptions: { fresh?: boolean; requestId?: string | undefined } = {}): Promise<VerifiedKey> {
    if (!looksLikeApiKey(secret)) throw new AuthenticationError('malformed API key');
    const hash = hashApiKeySecret(secret);
    const cacheKey = hash.toString('base64url');
    const t = now();
    const cached = cache.get(cacheKey);
    let verdict: Verdict;
    if (cached && cached.until > t && !authOptions.fresh) {
      verdict = cached.verdict;
    } else {
      let pending = inFlight.get(cacheKey);
      if (!pending) {
        pending = fetchVerdict(secret, hash, authOptions.requestId).finally(() => inFlight.delete(cacheKey));
        inFlight.set(cacheKey, pending);
      }
      verdict = await pending;
      const keyExpiry = verdict.valid && verdict.expiresAt ? Date.parse(verdict.expiresAt) : Infinity;
      cache.delete(cacheKey);
      cache.set(cacheKey, { verdict, until: Math.min(t + ttl, keyExpiry) });
      if (cache.size > maxEntries) cache.delete(cache.keys().next().value as string);
    }
    if (!verdict.valid) throw new AuthenticationError(verdict.reason);
    return { identity: verdict.identity, policy: verdict.policy, expiresAt: verdict.expiresAt ? Date.parse(verdict.expiresAt) : null };
  }

  return {
    get verifications() {
      return verifications;
    },
    verify,
  };
}

/** The API key of a request: `X-Api-Key`, or `Authorization: Bearer <key>`. Undefined when absent. */
export function credentialOf(headers: Record<string, string | string[] | undefined>): string | undefined {
  const header = headers['x-api-key'];
  if (typeof header === 'string' && header.trim()) return header.trim();
  const authorization = headers['authorization'];
  if (typeof authorization === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (match) return match[1];
  }
  return undefined;
}
