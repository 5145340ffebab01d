import type { ActivityStatus } from '../../../shared/activity-status.ts';
import { sql, type Insertable, type Updateable } from 'kysely';
import { cursorConditions, readOrder, type PageArgs } from '../../../shared/pagination.ts';
import type { TimeDb } from '../database.ts';
import type { OvertimeTypeRow, OvertimeTypesTable } from '../tables/overtime-types.ts';

export async function insertOvertimeType(db: TimeDb, values: Insertable<OvertimeTypesTable>): Promise<OvertimeTypeRow> {
  return db.insertInto('overtime_types').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function updateOvertimeType(db: TimeDb, orgId: string, id: string, values: Updateable<OvertimeTypesTable>): Promise<OvertimeTypeRow | undefined> {
  return db
    .updateTable('overtime_types')
    .set({ ...values, updated_at: sql`now()` })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

export async function findOvertimeTypes(db: TimeDb, orgId: string, ids: readonly string[]): Promise<OvertimeTypeRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('overtime_types').selectAll().where('org_id', '=', orgId).where('id', 'in', ids).execute();
}

/** Sort key of the types list: name (case-insensitive), then id. */
export function overtimeTypeSortKey(row: OvertimeTypeRow): [string, string] {
  return [row.name.toLowerCase(), row.id];
}

/** A page of types by name with the given activity (DEACTIVATED: retired); `limit + 1` rows. */
export async function listOvertimeTypes(db: TimeDb, orgId: string, status: ActivityStatus, limit: number, args: PageArgs): Promise<OvertimeTypeRow[]> {
  let query = db.selectFrom('overtime_types').selectAll().where('org_id', '=', orgId);
  if (status === 'ACTIVE') query = query.where('retired_at', 'is', null);
  if (status === 'DEACTIVATED') query = query.where('retired_at', 'is not', null);
  const dir = readOrder(args);
  return query.where(cursorConditions([sql`lower(name)`, sql`id`], args)).orderBy(sql`lower(name)`, dir).orderBy('id', dir).limit(limit).execute();
}

export async function countOvertimeTypes(db: TimeDb, orgId: string, status: ActivityStatus): Promise<number> {
  let query = db.selectFrom('overtime_types').select((eb) => eb.fn.countAll<number>().as('n')).where('org_id', '=', orgId);
  if (status === 'ACTIVE') query = query.where('retired_at', 'is', null);
  if (status === 'DEACTIVATED') query = query.where('retired_at', 'is not', null);
  return Number((await query.executeTakeFirstOrThrow()).n);
}

/** True when a submission uses the type. */
export async function overtimeTypeHasSubmissions(db: TimeDb, orgId: string, id: string): Promise<boolean> {
  const row = await db.selectFrom('overtime_submissions').select('id').where('org_id', '=', orgId).where('overtime_type_id', '=', id).limit(1).executeTakeFirst();
  return row !== undefined;
}

export async function deleteOvertimeType(db: TimeDb, orgId: string, id: string): Promise<void> {
  await db.deleteFrom('overtime_types').where('org_id', '=', orgId).where('id', '=', id).execute();
}

/**
 * The type `id`, locked: `update` (a delete holds it until commit) or `share` (a new
 * submission holds it, so the type cannot be deleted under it).
 */
export async function lockOvertimeType(db: TimeDb, orgId: string, id: string, mode: 'update' | 'share'): Promise<OvertimeTypeRow | undefined> {
  const query = db.selectFrom('overtime_types').selectAll().where('org_id', '=', orgId).where('id', '=', id);
  return (mode === 'update' ? query.forUpdate() : query.forShare()).executeTakeFirst();
}
