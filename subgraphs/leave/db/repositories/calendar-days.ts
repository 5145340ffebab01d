import { sql, type Insertable } from 'kysely';
import { cursorConditions, readOrder, type PageArgs } from '../../../shared/pagination.ts';
import type { LeaveDb } from '../database.ts';
import type { ClosureDayRow, ClosureDaysTable, RestrictedDayRow, RestrictedDaysTable } from '../tables/calendar-days.ts';

/** Restricted days between two dates that apply to a department (its own and organization-wide ones). */
export async function findRestrictedDaysFor(
  db: LeaveDb,
  orgId: string,
  departmentId: string | null,
  from: string,
  to: string,
): Promise<RestrictedDayRow[]> {
  // Without a department, only organization-wide days (restrictedIn alone would give every day).
  let q = restrictedIn(db, orgId, { from, to, departmentId }).selectAll();
  if (!departmentId) q = q.where('department_id', 'is', null);
  return q.orderBy('date').execute();
}

/** The organization's closure days between two dates. */
export async function findClosureDaysBetween(db: LeaveDb, orgId: string, from: string, to: string): Promise<ClosureDayRow[]> {
  return closuresIn(db, orgId, from, to).selectAll().orderBy('date').execute();
}

/** Sort key of restricted and closure day lists: date, id. */
export const calendarDaySortKey = (row: { date: string; id: string }): unknown[] => [row.date, row.id];
const sortColumns = [sql.ref('date'), sql.ref('id')];

/** Conditions of the `restrictedDays` query, already validated. */
export interface RestrictedDayFilter {
  readonly from: string;
  readonly to: string;
  /** That department's days and organization-wide ones; omitted: every day. */
  readonly departmentId?: string | null | undefined;
}

function restrictedIn(db: LeaveDb, orgId: string, filter: RestrictedDayFilter) {
  let q = db.selectFrom('restricted_days').where('org_id', '=', orgId).where('date', '>=', filter.from).where('date', '<=', filter.to);
  const departmentId = filter.departmentId;
  if (departmentId) q = q.where((eb) => eb.or([eb('department_id', 'is', null), eb('department_id', '=', departmentId)]));
  return q;
}

/** One page (`limit + 1` rows) of restricted days matching `filter`, by date and id. */
export async function listRestrictedDays(
  db: LeaveDb,
  orgId: string,
  filter: RestrictedDayFilter,
  limit: number,
  args: PageArgs,
): Promise<RestrictedDayRow[]> {
  const q = restrictedIn(db, orgId, filter).selectAll();
  const dir = readOrder(args);
  return q.where(cursorConditions(sortColumns, args, ['date', 'uuid'])).orderBy('date', dir).orderBy('id', dir).limit(limit + 1).execute();
}

/** Number of restricted days matching `filter`. */
export async function countRestrictedDays(db: LeaveDb, orgId: string, filter: RestrictedDayFilter): Promise<number> {
  const row = await restrictedIn(db, orgId, filter).select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
  return row.n;
}

/** Inserts a restricted day and returns it. */
export async function insertRestrictedDay(db: LeaveDb, values: Insertable<RestrictedDaysTable>): Promise<RestrictedDayRow> {
  return db.insertInto('restricted_days').values(values).returningAll().executeTakeFirstOrThrow();
}

/** Deletes a restricted day of the organization and returns it; undefined when there is none. */
export async function deleteRestrictedDay(db: LeaveDb, orgId: string, id: string): Promise<RestrictedDayRow | undefined> {
  return db.deleteFrom('restricted_days').where('org_id', '=', orgId).where('id', '=', id).returningAll().executeTakeFirst();
}

function closuresIn(db: LeaveDb, orgId: string, from: string, to: string) {
  return db.selectFrom('closure_days').where('org_id', '=', orgId).where('date', '>=', from).where('date', '<=', to);
}

/** One page (`limit + 1` rows) of the organization's closure days between two dates, by date and id. */
export async function listClosureDays(db: LeaveDb, orgId: string, from: string, to: string, limit: number, args: PageArgs): Promise<ClosureDayRow[]> {
  const q = closuresIn(db, orgId, from, to).selectAll();
  const dir = readOrder(args);
  return q.where(cursorConditions(sortColumns, args, ['date', 'uuid'])).orderBy('date', dir).orderBy('id', dir).limit(limit + 1).execute();
}

/** Number of the organization's closure days between two dates. */
export async function countClosureDays(db: LeaveDb, orgId: string, from: string, to: string): Promise<number> {
  const row = await closuresIn(db, orgId, from, to).select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
  return row.n;
}

/** Unique constraint that allows one closure day per organization and date. */
export const CLOSURE_DAY_DATE_CONSTRAINT = 'closure_days_org_date_key';

/** Inserts a closure day and returns it; a second one on the same date violates `CLOSURE_DAY_DATE_CONSTRAINT`. */
export async function insertClosureDay(db: LeaveDb, values: Insertable<ClosureDaysTable>): Promise<ClosureDayRow> {
  return db.insertInto('closure_days').values(values).returningAll().executeTakeFirstOrThrow();
}

/** Deletes a closure day of the organization and returns it; undefined when there is none. */
export async function deleteClosureDay(db: LeaveDb, orgId: string, id: string): Promise<ClosureDayRow | undefined> {
  return db.deleteFrom('closure_days').where('org_id', '=', orgId).where('id', '=', id).returningAll().executeTakeFirst();
}
