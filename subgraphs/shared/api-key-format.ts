import crypto from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** Random characters after the `lv_live_` marker. */
export const SECRET_RANDOM_LENGTH = 32;
/** Characters of the secret kept in clear (marker plus 4) to recognise and look up a key. */
export const PREFIX_LENGTH = 12;
const KEY_RE = /^lv_(live|test)_[0-9A-Za-z]{32}$/;

/** Every scope a key or token can carry. */
export const SCOPES = [
  'read:people',
  'write:people',
  'read:leave',
  'write:leave',
  'approve:leave',
  'read:time',
  'write:time',
  'approve:time',
  'read:boarding',
  'write:boarding',
  'read:pastoral-sensitive',
  'read:webhooks',
  'write:webhooks',
  'admin',
] as const;
export type Scope = (typeof SCOPES)[number];

const KNOWN_SCOPES: ReadonlySet<string> = new Set(SCOPES);

/** True when `value` names one of the graph's scopes. */
export function isScope(value: string): value is Scope {
  return KNOWN_SCOPES.has(value);
}

/** A new secret: `lv_live_` and 32 base62 characters from a CSPRNG (rejection sampling keeps them uniform). */
export function generateApiKeySecret(mode: 'live' | 'test' = 'live'): string {
  let random = '';
  while (random.length < SECRET_RANDOM_LENGTH) {
    for (const byte of crypto.randomBytes(48)) {
      if (byte < 248 && random.length < SECRET_RANDOM_LENGTH) random += BASE62[byte % 62];
    }
  }
  return `lv_${mode}_${random}`;
}

/** True when `value` has the shape of one of our secrets (checked before any lookup). */
export function looksLikeApiKey(value: string): boolean {
  return KEY_RE.test(value);
}

/** The clear prefix stored beside the hash. */
export function apiKeyPrefix(secret: string): string {
  return secret.slice(0, PREFIX_LENGTH);
}

/** SHA-256 of the secret: the only form in which a secret is stored or leaves the gateway. */
export function hashApiKeySecret(secret: string): Buffer {
  return crypto.createHash('sha256').update(secret).digest();
}
