import crypto from 'node:crypto';

/** Roles of people in an organization. Service keys act with ADMIN inside their scopes. */
export type Role = 'ADMIN' | 'MANAGER' | 'EMPLOYEE';

/** Who is calling: resolved by the gateway, forwarded to subgraphs in a signed header. */
export interface Identity {
  readonly orgId: string;
  /** The acting user; null for an organization's service key. */
  readonly userId: string | null;
  readonly role: Role;
  readonly scopes: readonly string[];
  /** The API key used, if any. */
  readonly keyId: string | null;
  readonly authMethod: 'api-key' | 'jwt';
}

export const IDENTITY_HEADER = 'x-leave-identity';
export const SIGNATURE_HEADER = 'x-leave-signature';
/** How old a signed header may be before a subgraph refuses it (replay window). */
export const DEFAULT_MAX_AGE_SECONDS = 300;

interface SignedPayload {
  /** The caller; null when the gateway itself calls an internal operation. */
  readonly identity: Identity | null;
  /** Issued at, epoch seconds. */
  readonly iat: number;
}

function hmac(secret: string, payload: string): string {
  return crypto.createHmac('sha256', secret).update(`v1.${payload}`).digest('base64url');
}

/** The two headers that carry `identity` (null: the gateway itself) to a subgraph. */
export function signIdentity(identity: Identity | null, secret: string, now = Date.now()): Record<string, string> {
  const payload = Buffer.from(JSON.stringify({ identity, iat: Math.floor(now / 1000) } satisfies SignedPayload)).toString(
    'base64url',
  );
  return { [IDENTITY_HEADER]: payload, [SIGNATURE_HEADER]: hmac(secret, payload) };
}

/** Result of checking the identity headers of an incoming subgraph request. */
export type VerifiedCaller = { ok: true; identity: Identity | null } | { ok: false; reason: string };

/**
 * Checks the HMAC (constant time) and the age of the identity headers. `ok: false` means
 * the request did not come from a gateway that knows the secret: answer 401.
 */
export function verifyIdentity(
  headers: Record<string, string | string[] | undefined>,
  secret: string,
  now = Date.now(),
  maxAgeSeconds = DEFAULT_MAX_AGE_SECONDS,
): VerifiedCaller {
  const payload = headers[IDENTITY_HEADER];
  const signature = headers[SIGNATURE_HEADER];
  if (typeof payload !== 'string' || typeof signature !== 'string') return { ok: false, reason: 'missing signature' };
  const expected = Buffer.from(hmac(secret, payload));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) {
    return { ok: false, reason: 'bad signature' };
  }
  let parsed: SignedPayload;
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as SignedPayload;
  } catch {
    return { ok: false, reason: 'malformed identity' };
  }
  if (typeof parsed.iat !== 'number' || Math.abs(now / 1000 - parsed.iat) > maxAgeSeconds) {
    return { ok: false, reason: 'expired signature' };
  }
  return { ok: true, identity: parsed.identity };
}

/** True when the caller's key or token carries `scope` (the `admin` scope implies every scope). */
export function hasScope(identity: Identity, scope: string): boolean {
  return identity.scopes.includes(scope) || identity.scopes.includes('admin');
}
