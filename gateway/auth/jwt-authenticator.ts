import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey, type JWTVerifyOptions } from 'jose';
import { isScope } from '../../subgraphs/shared/api-key-format.ts';
import { isId } from '../../subgraphs/shared/validation.ts';
import type { Identity, Role } from '../../subgraphs/shared/identity.ts';
import { AuthenticationError } from './api-key-authenticator.ts';
import type { JwtConfig } from './jwt-config.ts';

/** Longest token accepted, in characters: a bound on the work an anonymous caller can cause. */
export const MAX_JWT_LENGTH = 16_384;
/** How long one JWKS fetch may take. */
export const JWKS_TIMEOUT_MS = 5_000;

const JWT_RE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const ROLES: readonly Role[] = ['ADMIN', 'MANAGER', 'EMPLOYEE'];

/**
 * The key set could not be fetched or read (IdP down, timeout, not a JWKS). Not a refusal
 * of the token: the caller is not at fault, so this is not an AuthenticationError and
 * should be answered as a server-side failure (e.g. 503), and must not end live sessions.
 */
export class JwksUnavailableError extends Error {}

/** True when `value` has the shape of a compact JWS: three base64url segments (the last may be empty, as in `alg: none`). */
export function looksLikeJwt(value: string): boolean {
  return value.length <= MAX_JWT_LENGTH && JWT_RE.test(value);
}

/**
 * The result of a verified token: who it acts as, and until when (epoch ms, from `exp`).
 * The identity's role is the claim's only when `roleClaimed` is true (the operator trusts
 * the claim and the token has one); otherwise it is a placeholder that the caller
 * authenticator replaces with the role stored in people.
 */
export interface JwtAuthentication {
  readonly identity: Identity;
  readonly expiresAt: number | null;
  readonly roleClaimed: boolean;
}

export interface JwtAuthenticator {
  /** Verifies `token` and maps its claims, or throws AuthenticationError naming the failed check (JwksUnavailableError when keys cannot be had). */
  authenticate(token: string): Promise<JwtAuthentication>;
}

export interface JwtAuthenticatorOptions {
  /** Clock for `exp`/`nbf` checks, for tests (epoch ms). Default Date.now. The JWKS cache and cooldown use the real clock. */
  readonly now?: () => number;
}

/** Turns a jose refusal into the message a caller sees; anything else is rethrown as is. */
function refusal(error: unknown, config: JwtConfig): Error {
  if (error instanceof AuthenticationError || error instanceof JwksUnavailableError) return error;
  if (error instanceof errors.JWTExpired) return new AuthenticationError('JWT expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    switch (error.claim) {
      case 'iss':
        return new AuthenticationError(error.reason === 'missing' ? 'JWT has no iss claim' : 'JWT issuer is not accepted');
      case 'aud':
        return new AuthenticationError(error.reason === 'missing' ? 'JWT has no aud claim' : 'JWT audience is not accepted');
      case 'exp':
        return new AuthenticationError(error.reason === 'missing' ? 'JWT has no exp claim: only expiring tokens are accepted' : 'JWT claim exp must be a number');
      case 'nbf':
        return new AuthenticationError(error.reason === 'invalid' ? 'JWT claim nbf must be a number' : 'JWT is not yet valid (nbf)');
      default:
        return new AuthenticationError(`JWT claim ${error.claim} is invalid`);
    }
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return new AuthenticationError('JWT signature is invalid');
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return new AuthenticationError(`JWT algorithm is not accepted (accepted: ${config.algorithms.join(', ')})`);
  }
  if (error instanceof errors.JWKSNoMatchingKey) return new AuthenticationError('JWT signing key is not known (kid)');
  if (error instanceof errors.JOSENotSupported) return new AuthenticationError('JWT uses an unsupported algorithm or header');
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) return new AuthenticationError('malformed JWT');
  return error instanceof Error ? error : new Error(String(error));
}

/** A key getter over the remote set that tells the IdP's failures apart from the token's. */
function remoteKeys(source: Extract<JwtConfig['keys'], { kind: 'jwks' }>): JWTVerifyGetKey {
  const remote = createRemoteJWKSet(new URL(source.url), {
    cooldownDuration: source.cooldownMs,
    cacheMaxAge: source.cacheMaxAgeMs,
    timeoutDuration: JWKS_TIMEOUT_MS,
  });
  return async (header, token) => {
    try {
      return await remote(header, token);
    } catch (error) {
      if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys || error instanceof errors.JOSENotSupported) {
        throw error;
      }
      throw new JwksUnavailableError('the JSON Web Key Set could not be fetched', { cause: error });
    }
  };
}

/** Verifies with every candidate key of an ambiguous key set (no `kid`, several keys): the first that verifies wins. */
async function verifyWithCandidates(token: string, error: errors.JWKSMultipleMatchingKeys, options: JWTVerifyOptions): Promise<JWTPayload> {
  for await (const key of error) {
    try {
      return (await jwtVerify(token, key, options)).payload;
    } catch (candidateError) {
      if (!(candidateError instanceof errors.JWSSignatureVerificationFailed)) throw candidateError;
    }
  }
  throw new errors.JWSSignatureVerificationFailed();
}

function stringClaim(payload: JWTPayload, name: string): string | undefined {
  const value = payload[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new AuthenticationError(`JWT claim ${name} must be a string`);
  return value;
}

function uuidClaim(payload: JWTPayload, name: string): string {
  const value = payload[name];
  if (value === undefined) throw new AuthenticationError(`JWT has no ${name} claim`);
  if (typeof value !== 'string' || !isId(value)) throw new AuthenticationError(`JWT claim ${name} must be a UUID`);
  return value.toLowerCase();
}

function roleClaim(payload: JWTPayload, name: string): Role {
  const value = stringClaim(payload, name);
  if (value === undefined) return 'EMPLOYEE';
  const role = ROLES.find((candidate) => candidate === value.toUpperCase());
  if (!role) throw new AuthenticationError(`JWT claim ${name} must be one of ${ROLES.join(', ')}`);
  return role;
}

function scopesClaim(payload: JWTPayload, name: string): string[] {
  const value = payload[name];
  let names: readonly unknown[];
  if (value === undefined) names = [];
  else if (typeof value === 'string') names = value.split(/\s+/);
  else if (Array.isArray(value)) names = value;
  else throw new AuthenticationError(`JWT claim ${name} must be a space-separated string or an array of strings`);
  if (names.some((scope) => typeof scope !== 'string')) {
    throw new AuthenticationError(`JWT claim ${name} must be a space-separated string or an array of strings`);
  }
  // Scopes meant for other APIs are ignored, not refused: one token may serve several.
  return [...new Set(names as string[])].filter(isScope);
}

/** Maps verified claims to an identity; a token always acts as a user of one organization. The role claim is read only when trusted. */
function identityOf(payload: JWTPayload, config: JwtConfig): { identity: Identity; roleClaimed: boolean } {
  const { claims } = config;
  const roleClaimed = config.trustRoleClaim && payload[claims.role] !== undefined;
  return {
    identity: {
      orgId: uuidClaim(payload, claims.org),
      userId: uuidClaim(payload, claims.user),
      role: roleClaimed ? roleClaim(payload, claims.role) : 'EMPLOYEE',
      scopes: scopesClaim(payload, claims.scopes),
      keyId: null,
      authMethod: 'jwt',
    },
    roleClaimed,
  };
}

/** Refuses a token that may live longer than `maxLifetimeSeconds`: `exp - iat`, or `exp - now` without `iat`. */
function checkLifetime(payload: JWTPayload, maxLifetimeSeconds: number, nowMs: number): void {
  const exp = payload.exp as number; // required and checked by jose
  if (payload.iat !== undefined && typeof payload.iat !== 'number') throw new AuthenticationError('JWT claim iat must be a number');
  const lifetime = payload.iat === undefined ? exp - nowMs / 1000 : exp - payload.iat;
  if (lifetime > maxLifetimeSeconds) {
    const measured = payload.iat === undefined ? 'exp - now' : 'exp - iat';
    throw new AuthenticationError(`JWT lives too long: ${measured} is ${Math.floor(lifetime)} s, the most accepted is ${maxLifetimeSeconds} s`);
  }
}

/**
 * Verifies JWTs locally with jose: the signature against the JWKS at `config.keys.url`
 * (fetched on first use, refetched after `cacheMaxAgeMs`, and on an unknown `kid` at most
 * once per `cooldownMs`) or against the shared HMAC secret; the algorithm against
 * `config.algorithms` (never `none`); `iss`, `aud`, `exp` (required) and `nbf` with
 * `clockToleranceSeconds` of leeway; a lifetime of at most `maxLifetimeSeconds`. Claims
 * map to an identity: the org claim (a UUID) and the user claim (a UUID) are required; the
 * role claim (ADMIN, MANAGER or EMPLOYEE, any case) is read only with `trustRoleClaim`;
 * the scopes claim is a space-separated string or an
 * array, and only the graph's own scope names are kept. Nothing is cached here beyond
 * jose's key set. Every refusal is an AuthenticationError naming the check that failed.
 */
export function createJwtAuthenticator(config: JwtConfig, options: JwtAuthenticatorOptions = {}): JwtAuthenticator {
  const now = options.now ?? Date.now;
  const keys = config.keys.kind === 'jwks' ? remoteKeys(config.keys) : new TextEncoder().encode(config.keys.secret);
  const baseOptions = {
    issuer: [...config.issuers],
    audience: [...config.audiences],
    algorithms: [...config.algorithms],
    clockTolerance: config.clockToleranceSeconds,
    requiredClaims: ['exp'],
  } satisfies JWTVerifyOptions;

  async function verify(token: string): Promise<JWTPayload> {
    const verifyOptions: JWTVerifyOptions = { ...baseOptions, currentDate: new Date(now()) };
    try {
      // Two calls, so TypeScript picks the overload for each kind of key.
      if (keys instanceof Uint8Array) return (await jwtVerify(token, keys, verifyOptions)).payload;
      return (await jwtVerify(token, keys, verifyOptions)).payload;
    } catch (error) {
      if (error instanceof errors.JWKSMultipleMatchingKeys) return verifyWithCandidates(token, error, verifyOptions);
      throw error;
    }
  }

  return {
    async authenticate(token) {
      if (!looksLikeJwt(token)) throw new AuthenticationError('malformed JWT');
      let payload: JWTPayload;
      try {
        payload = await verify(token);
      } catch (error) {
        throw refusal(error, config);
      }
      checkLifetime(payload, config.maxLifetimeSeconds, now());
      const { identity, roleClaimed } = identityOf(payload, config);
      return { identity, roleClaimed, expiresAt: typeof payload.exp === 'number' ? payload.exp * 1000 : null };
    },
  };
}
