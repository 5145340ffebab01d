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
/**
 * How far a signed header's `iat` may be from the subgraph's clock, either way, before the
 * subgraph refuses it (replay window). Short, because the header is bound to one body and
 * one subgraph and is signed per fetch, just before it is sent.
 */
export const DEFAULT_MAX_AGE_SECONDS = 30;

/** What a request is signed for: the subgraph it is sent to and the exact body bytes sent. */
export interface SignedTarget {
  /** Name of the target subgraph (e.g. `people`), as it checks against its own name. */
  readonly audience: string;
  /** The request body exactly as sent (a string is taken as UTF-8); empty for none. */
  readonly body: string | Uint8Array;
}

interface SignedPayload {
  /** The caller; null when the gateway itself calls an internal operation. */
  readonly identity: Identity | null;
  /** Issued at, epoch seconds. */
  readonly iat: number;
  /** The subgraph the request is for. */
  readonly aud: string;
  /** SHA-256 of the body bytes, base64url. */
  readonly body: string;
}

function hmac(secret: string, payload: string): string {
  return crypto.createHmac('sha256', secret).update(`v2.${payload}`).digest('base64url');
}

/** SHA-256 of a body, base64url: what the signature binds the request to. */
export function bodyDigest(body: string | Uint8Array): string {
  return crypto.createHash('sha256').update(body).digest('base64url');
}

/**
 * The two headers that carry `identity` (null: the gateway itself) to the subgraph named
 * `target.audience`, for exactly `target.body`. Sign after the body is serialised: a
 * subgraph refuses the headers with any other body, on any other subgraph, or once
 * {@link DEFAULT_MAX_AGE_SECONDS} have passed.
 */
export function signIdentity(identity: Identity | null, secret: string, target: SignedTarget, now = Date.now()): Record<string, string> {
  const signed: SignedPayload = { identity, iat: Math.floor(now / 1000), aud: target.audience, body: bodyDigest(target.body) };
  const payload = Buffer.from(JSON.stringify(signed)).toString('base64url');
  return { [IDENTITY_HEADER]: payload, [SIGNATURE_HEADER]: hmac(secret, payload) };
}

/** Result of checking the identity headers of an incoming subgraph request. */
export type VerifiedCaller = { ok: true; identity: Identity | null } | { ok: false; reason: string };

/** True when both identity headers are present (a cheap check before the body is read). */
export function hasIdentityHeaders(headers: Record<string, string | string[] | undefined>): boolean {
  return typeof headers[IDENTITY_HEADER] === 'string' && typeof headers[SIGNATURE_HEADER] === 'string';
}

/**
 * Checks the HMAC (constant time), that the headers were signed for this subgraph
 * (`target.audience`, its own name) and for the body it received (`target.body`, the raw
 * bytes), and that `iat` is within `maxAgeSeconds` of `now` either way. `ok: false` means
 * the request did not come from a gateway that knows the secret, or is a replay: answer 401.
 */
export function verifyIdentity(
  headers: Record<string, string | string[] | undefined>,
  secret: string,
  target: SignedTarget,
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
  let parsed: Partial<SignedPayload>;
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Partial<SignedPayload>;
  } catch {
    return { ok: false, reason: 'malformed identity' };
  }
  if (parsed.aud !== target.audience) return { ok: false, reason: 'signed for another subgraph' };
  if (typeof parsed.body !== 'string' || parsed.body !== bodyDigest(target.body)) {
    return { ok: false, reason: 'signed for another request body' };
  }
  if (typeof parsed.iat !== 'number' || Math.abs(now / 1000 - parsed.iat) > maxAgeSeconds) {
    return { ok: false, reason: 'expired signature' };
  }
  return { ok: true, identity: parsed.identity ?? null };
}

/** True when the caller's key or token carries `scope` (the `admin` scope implies every scope). */
export function hasScope(identity: Identity, scope: string): boolean {
  return identity.scopes.includes(scope) || identity.scopes.includes('admin');
}
