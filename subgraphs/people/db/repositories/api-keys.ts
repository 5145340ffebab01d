import { sql, type Insertable } from 'kysely';
import { afterCursor, type PageArgs } from '../../../shared/pagination.ts';
import type { PeopleDb } from '../database.ts';
import type { ApiKeyRow, ApiKeysTable } from '../tables/api-keys.ts';
import type { UserRow } from '../tables/users.ts';

/** Sort key of key lists: newest first, by creation time then id. */
export const apiKeySortKey = (row: ApiKeyRow): unknown[] => [row.created_at.toISOString(), row.id];

function filtered(db: PeopleDb, orgId: string, includeInactive: boolean) {
  let q = db.selectFrom('api_keys').where('org_id', '=', orgId);
  if (!includeInactive) {
    q = q.where('revoked_at', 'is', null).where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', new Date())]));
  }
  return q;
}

export async function listApiKeys(
  db: PeopleDb,
  orgId: string,
  includeInactive: boolean,
  limit: number,
  args: PageArgs,
): Promise<ApiKeyRow[]> {
  let q = filtered(db, orgId, includeInactive).selectAll();
  // Cursors carry milliseconds (`apiKeySortKey`); the database keeps microseconds, so order
  // and compare at the cursor's precision. Descending order: rows strictly before the cursor.
  const createdMs = sql`date_trunc('milliseconds', created_at)`;
  if (args.after) q = q.where(afterCursor([createdMs, sql.ref('id')], args.after, ['timestamp', 'uuid'], true));
  return q.orderBy(createdMs, 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
}

export async function countApiKeys(db: PeopleDb, orgId: string, includeInactive: boolean): Promise<number> {
  const row = await filtered(db, orgId, includeInactive).select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
  return row.n;
}

export async function findApiKey(db: PeopleDb, orgId: string, id: string): Promise<ApiKeyRow | undefined> {
  return db.selectFrom('api_keys').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

export async function insertApiKey(db: PeopleDb, values: Insertable<ApiKeysTable>): Promise<ApiKeyRow> {
  return db.insertInto('api_keys').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function revokeApiKey(db: PeopleDb, orgId: string, id: string): Promise<ApiKeyRow> {
  return db
    .updateTable('api_keys')
    .set({ revoked_at: sql<Date>`coalesce(revoked_at, now())` })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Keys whose secret starts with `prefix`, each with its user (if any): candidates for verification. */
export async function findApiKeysByPrefix(
  db: PeopleDb,
  prefix: string,
): Promise<{ key: ApiKeyRow; user: Pick<UserRow, 'role' | 'deactivated_at'> | null }[]> {
  const rows = await db
    .selectFrom('api_keys as k')
    .leftJoin('users as u', (join) => join.onRef('u.id', '=', 'k.user_id').onRef('u.org_id', '=', 'k.org_id'))
    .selectAll('k')
    .select(['u.role as user_role', 'u.deactivated_at as user_deactivated_at'])
    .where('k.prefix', '=', prefix)
    .execute();
  return rows.map(({ user_role, user_deactivated_at, ...key }) => ({
    key,
    user: user_role ? { role: user_role, deactivated_at: user_deactivated_at } : null,
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
