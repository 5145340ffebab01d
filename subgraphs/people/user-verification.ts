import type { Role } from '../shared/identity.ts';
import type { PeopleDb } from './db/database.ts';
import { findUsers } from './db/repositories/users.ts';

/** The verdict the gateway caches for a token's person: their stored role, or why they were refused. */
export type UserVerdict = { valid: true; role: Role } | { valid: false; reason: string };

/**
 * Whether the person a JWT names may act: they must be a user of the organization the token
 * names and not deactivated. A valid verdict carries the role stored in people, which the
 * gateway uses instead of the token's role claim (unless the operator trusts that claim).
 */
export async function verifyUser(db: PeopleDb, orgId: string, userId: string): Promise<UserVerdict> {
  const [user] = await findUsers(db, orgId, [userId]);
  if (!user) return { valid: false, reason: 'the person this JWT names is not a user of its organization' };
  if (user.deactivated_at) return { valid: false, reason: 'the person this JWT names has been deactivated' };
  return { valid: true, role: user.role };
}
