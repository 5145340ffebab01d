import { boolVar, ConfigError, intVar } from '../../subgraphs/shared/config.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** Signature algorithms accepted with a JWKS (public keys). */
export const ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'] as const;
/** Signature algorithms accepted with a shared secret. */
export const HMAC_ALGORITHMS = ['HS256', 'HS384', 'HS512'] as const;

/** Default JWT_ALGORITHMS with a JWKS URL. */
export const DEFAULT_JWKS_ALGORITHMS = ['RS256', 'ES256', 'PS256', 'EdDSA'] as const;
/** Default JWT_ALGORITHMS with a shared secret. */
export const DEFAULT_SECRET_ALGORITHMS = ['HS256'] as const;
/** Default JWT_MAX_LIFETIME_SECONDS: a token may live at most a day. */
export const DEFAULT_JWT_MAX_LIFETIME_SECONDS = 86_400;
/** Shortest accepted JWT_SECRET, in UTF-8 bytes. */
export const MIN_JWT_SECRET_BYTES = 32;

/** Where verification keys come from: a remote JWKS, or one shared HMAC secret. */
export type JwtKeySource =
  | {
      readonly kind: 'jwks';
      readonly url: string;
      /** Least time between two refetches triggered by an unknown `kid`. */
      readonly cooldownMs: number;
      /** Age after which the key set is fetched again before use. */
      readonly cacheMaxAgeMs: number;
    }
  | { readonly kind: 'secret'; readonly secret: string };

/** Exact claim names (not paths: a name may contain dots or be a URL) read from a token. */
export interface JwtClaimNames {
  readonly org: string;
  readonly user: string;
  readonly role: string;
  readonly scopes: string;
}

/** How the gateway verifies JWTs and maps their claims to an identity. */
export interface JwtConfig {
  readonly keys: JwtKeySource;
  /** Accepted `iss` values (one of them must match). */
  readonly issuers: readonly string[];
  /** Accepted `aud` values (the token must name one of them). */
  readonly audiences: readonly string[];
  /** Accepted `alg` header values; never `none`. */
  readonly algorithms: readonly string[];
  readonly claims: JwtClaimNames;
  /** Leeway for `exp` and `nbf`, in seconds. */
  readonly clockToleranceSeconds: number;
  /**
   * Longest accepted lifetime, in seconds: `exp - iat`, or `exp - now` when the token has no
   * `iat`. Tokens that live longer are refused, however valid their signature.
   */
  readonly maxLifetimeSeconds: number;
  /**
   * True: the role claim decides the caller's role (an IdP the operator trusts to assign
   * roles). False (default): the role stored in people decides, and the claim is ignored.
   */
  readonly trustRoleClaim: boolean;
}

function nonEmpty(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

/** A comma-separated list variable, trimmed, without empty items; undefined when unset. */
function listVar(env: Env, name: string): string[] | undefined {
  const raw = nonEmpty(env, name);
  if (raw === undefined) return undefined;
  const items = [...new Set(raw.split(',').map((item) => item.trim()).filter((item) => item !== ''))];
  if (items.length === 0) throw new ConfigError(`${name} must list at least one value`);
  return items;
}

function required(env: Env, name: string, what: string): string[] {
  const items = listVar(env, name);
  if (!items) throw new ConfigError(`${name} is required when JWT_JWKS_URL or JWT_SECRET is set (${what})`);
  return items;
}

function claimVar(env: Env, name: string, fallback: string): string {
  const raw = env[name];
  if (raw === undefined) return fallback;
  const value = raw.trim();
  if (value === '') throw new ConfigError(`${name} must name a claim, got an empty value`);
  return value;
}

function readKeySource(env: Env, jwksUrl: string | undefined, secret: string | undefined): JwtKeySource {
  if (jwksUrl !== undefined) {
    let url: URL;
    try {
      url = new URL(jwksUrl);
    } catch {
      throw new ConfigError(`JWT_JWKS_URL must be an absolute http:// or https:// URL, got ${JSON.stringify(jwksUrl)}`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new ConfigError(`JWT_JWKS_URL must be an absolute http:// or https:// URL, got ${JSON.stringify(jwksUrl)}`);
    }
    return {
      kind: 'jwks',
      url: url.toString(),
      cooldownMs: intVar(env, 'JWT_JWKS_COOLDOWN_MS', 30_000, 0, 3_600_000),
      cacheMaxAgeMs: intVar(env, 'JWT_JWKS_CACHE_MAX_AGE_MS', 600_000, 1_000, 86_400_000),
    };
  }
  // Taken as is (not trimmed): every byte of the secret is key material.
  const key = secret ?? '';
  if (Buffer.byteLength(key, 'utf8') < MIN_JWT_SECRET_BYTES) {
    throw new ConfigError(`JWT_SECRET must have at least ${MIN_JWT_SECRET_BYTES} bytes`);
  }
  return { kind: 'secret', secret: key };
}

function readAlgorithms(env: Env, keys: JwtKeySource): string[] {
  const allowed: readonly string[] = keys.kind === 'jwks' ? ASYMMETRIC_ALGORITHMS : HMAC_ALGORITHMS;
  const algorithms = listVar(env, 'JWT_ALGORITHMS') ?? [...(keys.kind === 'jwks' ? DEFAULT_JWKS_ALGORITHMS : DEFAULT_SECRET_ALGORITHMS)];
  for (const algorithm of algorithms) {
    if (!allowed.includes(algorithm)) {
      const source = keys.kind === 'jwks' ? 'JWT_JWKS_URL' : 'JWT_SECRET';
      throw new ConfigError(`JWT_ALGORITHMS: ${JSON.stringify(algorithm)} cannot be used with ${source}; use ${allowed.join(', ')}`);
    }
  }
  return algorithms;
}

/**
 * JWT settings from the environment, or null when JWTs are disabled (neither JWT_JWKS_URL
 * nor JWT_SECRET set). Throws ConfigError naming the variable for anything invalid:
 * both key sources set, a secret under 32 bytes, JWT_ISSUER or JWT_AUDIENCE missing, an
 * algorithm that does not fit the key source (or `none`), a bound out of range.
 *
 * Variables and defaults: JWT_ALGORITHMS (comma list; RS256,ES256,PS256,EdDSA with a JWKS,
 * HS256 with a secret), JWT_ISSUER and JWT_AUDIENCE (comma lists: any one matches),
 * JWT_CLAIM_ORG `org_id`, JWT_CLAIM_USER `sub`, JWT_CLAIM_ROLE `role`, JWT_CLAIM_SCOPES
 * `scope`, JWT_CLOCK_TOLERANCE_SECONDS 30 (0..300), JWT_JWKS_COOLDOWN_MS 30000
 * (0..3600000), JWT_JWKS_CACHE_MAX_AGE_MS 600000 (1000..86400000),
 * JWT_MAX_LIFETIME_SECONDS 86400 (60..2592000), JWT_TRUST_ROLE_CLAIM false (`true` lets the
 * role claim override the role stored in people).
 */
export function readJwtConfig(env: Env): JwtConfig | null {
  const jwksUrl = nonEmpty(env, 'JWT_JWKS_URL');
  const secret = env['JWT_SECRET'] === '' ? undefined : env['JWT_SECRET'];
  if (jwksUrl === undefined && secret === undefined) return null;
  if (jwksUrl !== undefined && secret !== undefined) {
    throw new ConfigError('JWT_JWKS_URL and JWT_SECRET are both set: choose one key source');
  }
  const keys = readKeySource(env, jwksUrl, secret);
  return {
    keys,
    issuers: required(env, 'JWT_ISSUER', 'the accepted token issuer'),
    audiences: required(env, 'JWT_AUDIENCE', 'the audience tokens must be issued for'),
    algorithms: readAlgorithms(env, keys),
    claims: {
      org: claimVar(env, 'JWT_CLAIM_ORG', 'org_id'),
      user: claimVar(env, 'JWT_CLAIM_USER', 'sub'),
      role: claimVar(env, 'JWT_CLAIM_ROLE', 'role'),
      scopes: claimVar(env, 'JWT_CLAIM_SCOPES', 'scope'),
    },
    clockToleranceSeconds: intVar(env, 'JWT_CLOCK_TOLERANCE_SECONDS', 30, 0, 300),
    maxLifetimeSeconds: intVar(env, 'JWT_MAX_LIFETIME_SECONDS', DEFAULT_JWT_MAX_LIFETIME_SECONDS, 60, 30 * 86_400),
    trustRoleClaim: boolVar(env, 'JWT_TRUST_ROLE_CLAIM', false),
  };
}
