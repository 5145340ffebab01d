import { sql, type Insertable, type Updateable } from 'kysely';
import type { ActivityStatus } from '../../../shared/activity-status.ts';
import { cursorConditions, readOrder, type PageArgs } from '../../../shared/pagination.ts';
import type { LeaveDb } from '../database.ts';
import type { LeaveTypeRow, LeaveTypesTable } from '../tables/leave-types.ts';

/** Unique index of active types' names, case-insensitive (a race past the check fires it). */
export const LEAVE_TYPE_NAME_INDEX = 'leave_types_org_name_key';
/** Unique index of active types' codes, case-insensitive. */
export const LEAVE_TYPE_CODE_INDEX = 'leave_types_org_code_key';

/** Sort key of leave type lists: name case-insensitively, name, id. */
export const leaveTypeSortKey = (row: LeaveTypeRow): unknown[] => [row.name.toLowerCase(), row.name, row.id];

/** Leave types of the organization by id; ids of other organizations are not found. */
export async function findLeaveTypes(db: LeaveDb, orgId: string, ids: readonly string[]): Promise<LeaveTypeRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('leave_types').selectAll().where('org_id', '=', orgId).where('id', 'in', ids).execute();
}

function filtered(db: LeaveDb, orgId: string, status: ActivityStatus) {
  let q = db.selectFrom('leave_types').where('org_id', '=', orgId);
  if (status === 'ACTIVE') q = q.where('deactivated_at', 'is', null);
  if (status === 'DEACTIVATED') q = q.where('deactivated_at', 'is not', null);
  return q;
}

/** One page (`limit + 1` rows) of the organization's leave types, by name (case-insensitive) then id. */
export async function listLeaveTypes(db: LeaveDb, orgId: string, status: ActivityStatus, limit: number, args: PageArgs): Promise<LeaveTypeRow[]> {
  // `alpha` belongs before `Bravo` whatever the database's collation; lower() in SQL and
  // toLowerCase() in the cursor agree for the names people type.
  const lowerName = sql`lower(name)`;
  const q = filtered(db, orgId, status).selectAll();
  const dir = readOrder(args);
  return q.where(cursorConditions([lowerName, sql.ref('name'), sql.ref('id')], args, ['text', 'text', 'uuid'])).orderBy(lowerName, dir).orderBy('name', dir).orderBy('id', dir).limit(limit + 1).execute();
}

/** Number of the organization's leave types with the given activity status. */
export async function countLeaveTypes(db: LeaveDb, orgId: string, status: ActivityStatus): Promise<number> {
  const row = await filtered(db, orgId, status).select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
  return row.n;
}

/** Serialises the creation of one organization's leave types, so the per-organization cap holds under concurrent creates. */
export async function lockLeaveTypesOf(trx: LeaveDb, orgId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`leave_types:${orgId}`}, 0))`.execute(trx);
}

/** Another active type whose `column` equals `value` case-insensitively, if any. */
export async function findActiveLeaveTypeIdBy(
  db: LeaveDb,
  orgId: string,
  column: 'name' | 'code',
  value: string,
  exceptId?: string,
): Promise<string | undefined> {
  let q = db
    .selectFrom('leave_types')
    .select('id')
    .where('org_id', '=', orgId)
    .where(sql`lower(${sql.ref(column)})`, '=', value.toLowerCase())
    .where('deactivated_at', 'is', null);
  if (exceptId) q = q.where('id', '<>', exceptId);
  return (await q.executeTakeFirst())?.id;
}

/** Inserts a leave type; a clash on the active name or code indexes throws a unique violation. */
export async function insertLeaveType(db: LeaveDb, values: Insertable<LeaveTypesTable>): Promise<LeaveTypeRow> {
  return db.insertInto('leave_types').values(values).returningAll().executeTakeFirstOrThrow();
}

/** Updates a type (and its `updated_at`); undefined when it is not the organization's. */
export async function updateLeaveType(db: LeaveDb, orgId: string, id: string, patch: Updateable<LeaveTypesTable>): Promise<LeaveTypeRow | undefined> {
  return db
    .updateTable('leave_types')
    .set({ ...patch, updated_at: new Date() })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

/**
 * Locks the type's row `for update`. That conflicts with the `for key share` lock a
 * concurrent insert of a leave request takes through its foreign key, so a check for
 * requests made after this lock cannot miss one committed meanwhile.
 */
export async function lockLeaveType(db: LeaveDb, orgId: string, id: string): Promise<LeaveTypeRow | undefined> {
  return db.selectFrom('leave_types').selectAll().where('org_id', '=', orgId).where('id', '=', id).forUpdate().executeTakeFirst();
}

/** True when any leave request, whatever its status, is of this type. */
export async function leaveTypeHasRequests(db: LeaveDb, orgId: string, id: string): Promise<boolean> {
  const row = await db
    .selectFrom('leave_requests')
    .select('id')
    .where('org_id', '=', orgId)
    .where('leave_type_id', '=', id)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * The organization's default type for accruals: the oldest active VACATION type that
 * deducts from an allowance, preferring one counted in hours.
 */
export async function findDefaultAccrualLeaveType(db: LeaveDb, orgId: string): Promise<LeaveTypeRow | undefined> {
  return db
    .selectFrom('leave_types')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('category', '=', 'VACATION')
    .where('deducts_from_allowance', '=', true)
    .where('deactivated_at', 'is', null)
    .orderBy(sql`case when unit = 'HOURS' then 0 else 1 end`)
    .orderBy('created_at')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
}
