import crypto from 'node:crypto';
import type { Identity } from '../shared/identity.ts';
import type { KeyPolicy } from '../shared/key-policy.ts';
import type { PeopleDb } from './db/database.ts';
import { findApiKeysByPrefix, touchApiKey } from './db/repositories/api-keys.ts';
import type { ApiKeyRow } from './db/tables/api-keys.ts';

/** The verdict the gateway caches: an identity and the key's policy, or why the key was refused. */
export type ApiKeyVerdict = { valid: true; identity: Identity; expiresAt: string | null; policy: KeyPolicy } | { valid: false; reason: string };

/** The mode a secret's marker claims (`lv_live_`, `lv_test_`), or null for anything else. */
function claimedMode(prefix: string): 'live' | 'test' | null {
  if (prefix.startsWith('lv_live_')) return 'live';
  if (prefix.startsWith('lv_test_')) return 'test';
  return null;
}

/** The policy the gateway enforces for a key. */
export function keyPolicyOf(key: ApiKeyRow): KeyPolicy {
  return {
    mode: key.mode,
    ipAllowlist: key.ip_allowlist,
    requestsPerHour: key.requests_per_hour,
    trustedDocumentsOnly: key.trusted_documents_only,
  };
}

/**
 * Verifies a presented key by its clear prefix and SHA-256 hash (compared in constant
 * time). Refuses revoked and expired keys, keys of deactivated users, and (defence in
 * depth) keys whose secret marker, stored mode and organization disagree: a `lv_test_`
 * secret must be a test key of a sandbox organization, a `lv_live_` one a live key of a
 * live organization. Records the use; a valid verdict carries the key's policy.
 */
export async function verifyApiKey(db: PeopleDb, prefix: string, secretHash: Buffer, now = new Date()): Promise<ApiKeyVerdict> {
  const candidates = await findApiKeysByPrefix(db, prefix);
  const match = candidates.find(
    ({ key }) => key.secret_hash.length === secretHash.length && crypto.timingSafeEqual(key.secret_hash, secretHash),
  );
  if (!match) return { valid: false, reason: 'unknown API key' };
  const { key, user, organization } = match;
  const orgMode = organization.sandbox_of === null ? 'live' : 'test';
  if (claimedMode(prefix) !== key.mode || key.mode !== orgMode) {
    return { valid: false, reason: `API key mode mismatch: a ${claimedMode(prefix) ?? 'unmarked'} secret for a ${key.mode} key of a ${orgMode === 'test' ? 'sandbox' : 'live'} organization` };
  }
  if (key.revoked_at) return { valid: false, reason: 'API key revoked' };
  if (key.expires_at && key.expires_at <= now) return { valid: false, reason: 'API key expired' };
  if (key.user_id && (!user || user.deactivated_at)) return { valid: false, reason: 'API key belongs to a deactivated user' };
  await touchApiKey(db, key.id);
  return {
    valid: true,
    expiresAt: key.expires_at?.toISOString() ?? null,
    identity: {
      orgId: key.org_id,
      userId: key.user_id,
      // A service key acts as an admin of its organization, within its scopes.
      role: user?.role ?? 'ADMIN',
      scopes: key.scopes,
      keyId: key.id,
      authMethod: 'api-key',
    },
    policy: keyPolicyOf(key),
  };
}
