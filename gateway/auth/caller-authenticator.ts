import type { Identity } from '../../subgraphs/shared/identity.ts';
import { ipAllowed } from '../../subgraphs/shared/ip-allowlist.ts';
import type { KeyPolicy } from '../../subgraphs/shared/key-policy.ts';
import { AuthenticationError, type ApiKeyAuthenticator } from './api-key-authenticator.ts';
import { looksLikeJwt, type JwtAuthenticator } from './jwt-authenticator.ts';
import type { PersonVerifier } from './person-verifier.ts';
import { looksLikeApiKey } from '../../subgraphs/shared/api-key-format.ts';

/** The policy of a JWT: live data, any address, the organization's request limit, any document. */
export const JWT_POLICY: KeyPolicy = { mode: 'live', ipAllowlist: [], requestsPerHour: null, trustedDocumentsOnly: false };

/** An authenticated caller: who they act as, with what credential, under which policy. */
export interface Caller {
  readonly identity: Identity;
  /** The API key or token presented (the subscriber registry re-verifies it). */
  readonly credential: string;
  readonly policy: KeyPolicy;
  /** When the credential stops being valid (epoch ms); null: no expiry known. */
  readonly expiresAt: number | null;
}

export interface CallerAuthenticator {
  /**
   * Verifies an API key or a JWT and, when `ip` is given, the key's IP allowlist. Throws
   * AuthenticationError (answered 401) for any refusal. `fresh` skips cached key verdicts;
   * `requestId` (the request being served) goes on the calls to people.
   */
  authenticate(credential: string, options?: { fresh?: boolean; ip?: string | undefined; requestId?: string | undefined }): Promise<Caller>;
}

/** JWT verification: the token's signature and claims, then its person in people. */
export interface JwtVerification {
  readonly tokens: JwtAuthenticator;
  readonly people: PersonVerifier;
}

/**
 * API keys (`lv_live_…`, `lv_test_…`) go to the key authenticator; anything shaped like a
 * JWT goes to the JWT authenticator when one is configured, and then the person it names
 * to people: an unknown or deactivated person is refused, and the stored role is used
 * unless the token's role claim is trusted. `fresh` skips both cached verdicts.
 */
export function createCallerAuthenticator(keys: ApiKeyAuthenticator, jwt: JwtVerification | null): CallerAuthenticator {
  return {
    async authenticate(credential, options = {}) {
      let caller: Caller;
      if (looksLikeApiKey(credential)) {
        const verdict = await keys.verify(credential, { fresh: options.fresh ?? false, requestId: options.requestId });
        caller = { identity: verdict.identity, credential, policy: verdict.policy, expiresAt: verdict.expiresAt };
      } else if (jwt && looksLikeJwt(credential)) {
        const token = await jwt.tokens.authenticate(credential);
        const { orgId, userId } = token.identity;
        const storedRole = await jwt.people.verify(orgId, userId ?? '', { fresh: options.fresh ?? false, requestId: options.requestId });
        const identity = token.roleClaimed ? token.identity : { ...token.identity, role: storedRole };
        caller = { identity, credential, policy: JWT_POLICY, expiresAt: token.expiresAt };
      } else {
        throw new AuthenticationError(jwt ? 'the credential is neither an API key nor a JWT' : 'malformed API key');
      }
      if (options.ip !== undefined && !ipAllowed(options.ip, caller.policy.ipAllowlist)) {
        throw new AuthenticationError(`this API key may not be used from ${options.ip}: the address is not in its IP allowlist`);
      }
      return caller;
    },
  };
}
