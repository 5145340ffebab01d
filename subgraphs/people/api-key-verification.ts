import crypto from 'node:crypto';
import type { Identity } from '../shared/identity.ts';
import type { PeopleDb } from './db/database.ts';
import { findApiKeysByPrefix, touchApiKey } from './db/repositories/api-keys.ts';

/** The verdict the gateway caches: an identity, or why the key was refused. */
export type ApiKeyVerdict = { valid: true; identity: Identity; expiresAt: string | null } | { valid: false; reason: string };

/**
 * Verifies a presented key by its clear prefix and SHA-256 hash (compared in constant
 * time). Refuses revoked and expired keys and keys of deactivated users; records the use.
 */
export async function verifyApiKey(db: PeopleDb, prefix: string, secretHash: Buffer, now = new Date()): Promise<ApiKeyVerdict> {
  const candidates = await findApiKeysByPrefix(db, prefix);
  const match = candidates.find(
    ({ key }) => key.secret_hash.length === secretHash.length && crypto.timingSafeEqual(key.secret_hash, secretHash),
  );
  if (!match) return { valid: false, reason: 'unknown API key' };
  const { key, user } = match;
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
  };
}
