import { sql, type Insertable, type Updateable } from 'kysely';
import type { ActivityStatus } from '../../../shared/activity-status.ts';
import { cursorConditions, readOrder, type PageArgs } from '../../../shared/pagination.ts';
import type { PeopleDb } from '../database.ts';
import type { ApiKeyRow, ApiKeysTable } from '../tables/api-keys.ts';
import type { OrganizationRow } from '../tables/organizations.ts';
import type { UserRow } from '../tables/users.ts';

/** Sort key of key lists: newest first, by creation time then id. */
export const apiKeySortKey = (row: ApiKeyRow): unknown[] => [row.created_at.toISOString(), row.id];

// `orgIds`: the organizations whose keys the caller manages (its own, and its sandbox).
// ACTIVE: neither revoked nor expired; DEACTIVATED: revoked or expired.
function filtered(db: PeopleDb, orgIds: readonly string[], status: ActivityStatus) {
  let q = db.selectFrom('api_keys').where('org_id', 'in', orgIds);
  const now = new Date();
  if (status === 'ACTIVE') {
    q = q.where('revoked_at', 'is', null).where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]));
  }
  if (status === 'DEACTIVATED') {
    q = q.where((eb) => eb.or([eb('revoked_at', 'is not', null), eb('expires_at', '<=', now)]));
  }
  return q;
}

/** One page of the keys of `orgIds` (at least one), newest first; `limit + 1` rows tell whether a next page exists. */
export async function listApiKeys(
  db: PeopleDb,
  orgIds: readonly string[],
  status: ActivityStatus,
  limit: number,
  args: PageArgs,
): Promise<ApiKeyRow[]> {
  const q = filtered(db, orgIds, status).selectAll();
  // Cursors carry milliseconds (`apiKeySortKey`); the database keeps microseconds, so order
  // and compare at the cursor's precision. Descending order: rows strictly before the cursor.
  const createdMs = sql`date_trunc('milliseconds', created_at)`;
  const dir = readOrder(args, true);
  return q.where(cursorConditions([createdMs, sql.ref('id')], args, ['timestamp', 'uuid'], true)).orderBy(createdMs, dir).orderBy('id', dir).limit(limit + 1).execute();
}

export async function countApiKeys(db: PeopleDb, orgIds: readonly string[], status: ActivityStatus): Promise<number> {
  const row = await filtered(db, orgIds, status).select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
  return row.n;
}

/** The key `id` if it belongs to one of `orgIds`. */
export async function findApiKey(db: PeopleDb, orgIds: readonly string[], id: string): Promise<ApiKeyRow | undefined> {
  return db.selectFrom('api_keys').selectAll().where('org_id', 'in', orgIds).where('id', '=', id).executeTakeFirst();
}

export async function insertApiKey(db: PeopleDb, values: Insertable<ApiKeysTable>): Promise<ApiKeyRow> {
  return db.insertInto('api_keys').values(values).returningAll().executeTakeFirstOrThrow();
}

/** Revokes the key `id` of `orgId`; a revoked key keeps its first revocation time. */
export async function revokeApiKey(db: PeopleDb, orgId: string, id: string): Promise<ApiKeyRow> {
  return db
    .updateTable('api_keys')
    .set({ revoked_at: sql<Date>`coalesce(revoked_at, now())` })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * Changes the key `id` of `orgId` unless it is revoked (checked in the same statement, so a
 * concurrent revocation wins); undefined when no unrevoked key matched.
 */
export async function updateUnrevokedApiKey(
  db: PeopleDb,
  orgId: string,
  id: string,
  patch: Updateable<ApiKeysTable>,
): Promise<ApiKeyRow | undefined> {
  return db
    .updateTable('api_keys')
    .set(patch)
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

/** A verification candidate: the key, its user (if any) and whether its organization is a sandbox. */
export interface ApiKeyCandidate {
  readonly key: ApiKeyRow;
  readonly user: Pick<UserRow, 'role' | 'deactivated_at'> | null;
  readonly organization: Pick<OrganizationRow, 'sandbox_of'>;
}

/** Keys whose secret starts with `prefix`, each with its user (if any) and organization: candidates for verification. */
export async function findApiKeysByPrefix(db: PeopleDb, prefix: string): Promise<ApiKeyCandidate[]> {
  const rows = await db
    .selectFrom('api_keys as k')
    .innerJoin('organizations as o', 'o.id', 'k.org_id')
    .leftJoin('users as u', (join) => join.onRef('u.id', '=', 'k.user_id').onRef('u.org_id', '=', 'k.org_id'))
    .selectAll('k')
    .select(['u.role as user_role', 'u.deactivated_at as user_deactivated_at', 'o.sandbox_of as org_sandbox_of'])
    .where('k.prefix', '=', prefix)
    .execute();
  return rows.map(({ user_role, user_deactivated_at, org_sandbox_of, ...key }) => ({
    key,
    user: user_role ? { role: user_role, deactivated_at: user_deactivated_at } : null,
    organization: { sandbox_of: org_sandbox_of },
  }));
}

/** Records a use of the key, at most once a minute (so verification does not write on every request). */
export async function touchApiKey(db: PeopleDb, id: string): Promise<void> {
  await db
    .updateTable('api_keys')
    .set({ last_used_at: new Date() })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', sql<Date>`now() - interval '1 minute'`)]))
    .execute();
}
