import { sql } from 'kysely';
import { cursorConditions, readOrder, type CursorKind, type PageArgs } from '../../../shared/pagination.ts';
import type { LeaveDb } from '../database.ts';
import type { LeaveRequestRow, LeaveRequestStatus } from '../tables/leave-requests.ts';

/** Which absences count: requests overlapping `from`..`to` in the statuses asked for. */
export interface AbsenceWindow {
  readonly from: string;
  readonly to: string;
  /** Also PENDING requests (APPROVED always count). */
  readonly includePending: boolean;
}

/** `AbsenceWindow` limited, optionally, to the current members of one department. */
export interface AbsenceFilter extends AbsenceWindow {
  readonly departmentId?: string | null | undefined;
}

/** A request counted as a department's absence, with the department it was found for. */
export type DepartmentAbsenceRow = LeaveRequestRow & { member_department_id: string };

/** Sort key of absence lists: start date, id. */
export const absenceSortKey = (row: LeaveRequestRow): unknown[] => [row.start_date, row.id];
const sortColumns = [sql.ref('r.start_date'), sql.ref('r.id')];
/** What the values of an absence cursor look like. */
export const ABSENCE_CURSOR: readonly CursorKind[] = ['date', 'uuid'];

function statuses(window: AbsenceWindow): LeaveRequestStatus[] {
  return window.includePending ? ['APPROVED', 'PENDING'] : ['APPROVED'];
}

// Requests of the organization's active people overlapping the window; the department is
// the person's current one in the directory (people move, their absences move with them).
function overlapping(db: LeaveDb, orgId: string, window: AbsenceWindow) {
  return db
    .selectFrom('leave_requests as r')
    .innerJoin('directory_users as u', (j) => j.onRef('u.org_id', '=', 'r.org_id').onRef('u.id', '=', 'r.user_id'))
    .where('r.org_id', '=', orgId)
    .where('u.active', '=', true)
    .where('r.status', 'in', statuses(window))
    .where('r.start_date', '<=', window.to)
    .where('r.end_date', '>=', window.from);
}

function filtered(db: LeaveDb, orgId: string, filter: AbsenceFilter) {
  const q = overlapping(db, orgId, filter);
  return filter.departmentId ? q.where('u.department_id', '=', filter.departmentId) : q;
}

/** One page (`limit + 1` rows) of absences (leave requests) matching `filter`, by start date and id. */
export async function listAbsences(
  db: LeaveDb,
  orgId: string,
  filter: AbsenceFilter,
  limit: number,
  args: PageArgs,
): Promise<LeaveRequestRow[]> {
  const q = filtered(db, orgId, filter).selectAll('r');
  const dir = readOrder(args);
  return q.where(cursorConditions(sortColumns, args, ABSENCE_CURSOR)).orderBy('r.start_date', dir).orderBy('r.id', dir).limit(limit + 1).execute();
}

/** Number of absences matching `filter`. */
export async function countAbsences(db: LeaveDb, orgId: string, filter: AbsenceFilter): Promise<number> {
  const row = await filtered(db, orgId, filter).select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
  return row.n;
}

/**
 * The first `limit + 1` absences after the cursor of each of several departments, in one
 * statement (a window function ranks each department's rows by start date and id).
 */
export async function listDepartmentsAbsences(
  db: LeaveDb,
  orgId: string,
  departmentIds: readonly string[],
  window: AbsenceWindow,
  limit: number,
  args: PageArgs,
): Promise<DepartmentAbsenceRow[]> {
  if (departmentIds.length === 0) return [];
  const dir = readOrder(args);
  const ranked = overlapping(db, orgId, window)
    .where('u.department_id', 'in', departmentIds)
    .selectAll('r')
    .select([
      sql<string>`u.department_id`.as('member_department_id'),
      sql<number>`row_number() over (partition by u.department_id order by r.start_date ${sql.raw(dir)}, r.id ${sql.raw(dir)})`.as('position'),
    ])
    .where(cursorConditions(sortColumns, args, ABSENCE_CURSOR));
  const rows = await db
    .selectFrom(ranked.as('ranked'))
    .selectAll()
    .where('position', '<=', limit + 1)
    .orderBy('member_department_id')
    .orderBy('position')
    .execute();
  return rows.map(({ position: _position, ...row }) => row);
}

/** Number of absences of each of several departments, in one statement (departments without any are absent from the map). */
export async function countDepartmentsAbsences(
  db: LeaveDb,
  orgId: string,
  departmentIds: readonly string[],
  window: AbsenceWindow,
): Promise<Map<string, number>> {
  if (departmentIds.length === 0) return new Map();
  const rows = await overlapping(db, orgId, window)
    .where('u.department_id', 'in', departmentIds)
    .select([sql<string>`u.department_id`.as('department_id'), sql<number>`count(*)::int`.as('n')])
    .groupBy('u.department_id')
    .execute();
  return new Map(rows.map((r) => [r.department_id, r.n]));
}

/**
 * Who of `userIds` is away on which day between `from` and `to`: days with an amount above
 * zero of their APPROVED or PENDING requests, except the request `excludeRequestId`.
 * One row per person and day.
 */
export async function findAbsentDays(
  db: LeaveDb,
  orgId: string,
  userIds: readonly string[],
  from: string,
  to: string,
  excludeRequestId?: string | null,
): Promise<{ user_id: string; date: string }[]> {
  if (userIds.length === 0) return [];
  let q = db
    .selectFrom('leave_request_days as d')
    .innerJoin('leave_requests as r', (j) => j.onRef('r.org_id', '=', 'd.org_id').onRef('r.id', '=', 'd.request_id'))
    .select(['r.user_id', 'd.date'])
    .distinct()
    .where('d.org_id', '=', orgId)
    .where('d.date', '>=', from)
    .where('d.date', '<=', to)
    .where('d.amount', '>', '0')
    .where('r.status', 'in', ['APPROVED', 'PENDING'])
    .where('r.user_id', 'in', userIds);
  if (excludeRequestId) q = q.where('r.id', '<>', excludeRequestId);
  return q.execute();
}
