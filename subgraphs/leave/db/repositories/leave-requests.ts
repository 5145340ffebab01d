import { sql, type Expression, type Insertable, type SqlBool, type Updateable } from 'kysely';
import { cursorConditions, readOrder, type PageArgs } from '../../../shared/pagination.ts';
import type { LeaveDb } from '../database.ts';
import type {
  LeaveRequestDayRow,
  LeaveRequestDaysTable,
  LeaveRequestHistoryRow,
  LeaveRequestHistoryTable,
  LeaveRequestRow,
  LeaveRequestStatus,
  LeaveRequestsTable,
} from '../tables/leave-requests.ts';

/** Conditions of a leave request list, already validated (ids are uuids). */
export interface LeaveRequestFilter {
  readonly statuses?: readonly LeaveRequestStatus[] | null | undefined;
  readonly userId?: string | null | undefined;
  readonly leaveTypeId?: string | null | undefined;
  /** Requests of the department's current members. */
  readonly departmentId?: string | null | undefined;
  readonly startDateFrom?: string | null | undefined;
  readonly startDateTo?: string | null | undefined;
  /** Requests with a day on or after this date (end date on or after it). */
  readonly endDateFrom?: string | null | undefined;
}

/** Sort key of leave request lists (newest start date first): start date, id. */
export const leaveRequestSortKey = (row: LeaveRequestRow): unknown[] => [row.start_date, row.id];

/** Rows between the cursors of a list ordered `start_date desc, id desc`. */
function requestCursors(args: PageArgs): Expression<SqlBool> {
  return cursorConditions([sql.ref('leave_requests.start_date'), sql.ref('leave_requests.id')], args, ['date', 'uuid'], true);
}

/**
 * The organization's requests matching `filter`; `visibleUserIds` null means every
 * person's, otherwise only those people's (an empty list matches nothing).
 */
function filtered(db: LeaveDb, orgId: string, visibleUserIds: readonly string[] | null, filter: LeaveRequestFilter) {
  let q = db.selectFrom('leave_requests').where('leave_requests.org_id', '=', orgId);
  if (visibleUserIds !== null) {
    if (visibleUserIds.length === 0) return q.where(sql<SqlBool>`false`);
    q = q.where('leave_requests.user_id', 'in', visibleUserIds);
  }
  if (filter.statuses && filter.statuses.length > 0) q = q.where('leave_requests.status', 'in', filter.statuses);
  if (filter.userId) q = q.where('leave_requests.user_id', '=', filter.userId);
  if (filter.leaveTypeId) q = q.where('leave_requests.leave_type_id', '=', filter.leaveTypeId);
  if (filter.departmentId) {
    const departmentId = filter.departmentId;
    q = q.where('leave_requests.user_id', 'in', (eb) =>
      eb.selectFrom('directory_users').select('directory_users.id').where('directory_users.org_id', '=', orgId).where('directory_users.department_id', '=', departmentId),
    );
  }
  if (filter.startDateFrom) q = q.where('leave_requests.start_date', '>=', filter.startDateFrom);
  if (filter.startDateTo) q = q.where('leave_requests.start_date', '<=', filter.startDateTo);
  if (filter.endDateFrom) q = q.where('leave_requests.end_date', '>=', filter.endDateFrom);
  return q;
}

/**
 * One page (`limit + 1` rows) of the requests matching `filter` among those of
 * `visibleUserIds` (null: everyone's), newest start date first, then id descending.
 * A malformed `after` is a BAD_USER_INPUT on `after`.
 */
export async function listLeaveRequests(
  db: LeaveDb,
  orgId: string,
  visibleUserIds: readonly string[] | null,
  filter: LeaveRequestFilter,
  limit: number,
  args: PageArgs,
): Promise<LeaveRequestRow[]> {
  const dir = readOrder(args, true);
  const q = filtered(db, orgId, visibleUserIds, filter).selectAll('leave_requests').where(requestCursors(args));
  return q.orderBy('leave_requests.start_date', dir).orderBy('leave_requests.id', dir).limit(limit + 1).execute();
}

/** Number of requests matching `filter` among those of `visibleUserIds` (null: everyone's). */
export async function countLeaveRequests(db: LeaveDb, orgId: string, visibleUserIds: readonly string[] | null, filter: LeaveRequestFilter): Promise<number> {
  const row = await filtered(db, orgId, visibleUserIds, filter).select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
  return row.n;
}

/**
 * The first `firstPerUser` requests of EACH of `userIds` matching `filter` (its `userId`
 * condition still applies), in one statement: `row_number() over (partition by user_id
 * order by start_date desc, id desc)`, reversed for a backward page). Rows come ordered by
 * user, then in the read order. Pass `limit + 1` to learn whether a user has another page;
 * the page's cursors (`after`, `before`, of this ordering) apply to every user alike. No
 * visibility check: the caller decides whose requests it may list.
 *
 * Without a cursor, the same statement counts each user's matching requests (`count(*)
 * over` the user's partition): `totals` maps every user with any to their number (absent:
 * none), so a first (or last) page's `totalCount` costs no statement of its own. With a
 * cursor the rows are only those past it, so `totals` is null: use `countLeaveRequestsOfUsers`.
 */
export async function listLeaveRequestsOfUsers(
  db: LeaveDb,
  orgId: string,
  userIds: readonly string[],
  filter: LeaveRequestFilter,
  firstPerUser: number,
  args: PageArgs,
): Promise<{ rows: LeaveRequestRow[]; totals: Map<string, number> | null }> {
  // A page without a cursor sees every matching row: it counts them too (no second statement).
  const cursor = Boolean(args.after || args.before);
  if (userIds.length === 0 || firstPerUser < 1) return { rows: [], totals: cursor ? null : new Map() };
  const dir = sql.raw(readOrder(args, true));
  const inner = filtered(db, orgId, userIds, filter)
    .selectAll('leave_requests')
    .select(sql<number>`row_number() over (partition by leave_requests.user_id order by leave_requests.start_date ${dir}, leave_requests.id ${dir})`.as('rank'))
    .select((cursor ? sql<number>`0` : sql<number>`(count(*) over (partition by leave_requests.user_id))::int`).as('total'))
    .where(requestCursors(args));
  const ranked = await db
    .selectFrom(inner.as('ranked'))
    .selectAll('ranked')
    .where('ranked.rank', '<=', firstPerUser)
    .orderBy('ranked.user_id')
    .orderBy('ranked.rank')
    .execute();
  const totals = cursor ? null : new Map<string, number>();
  if (totals) for (const row of ranked) totals.set(row.user_id, row.total);
  // The rows keep their `rank` and `total` columns: a copy of every row without them would cost more than they weigh.
  return { rows: ranked as LeaveRequestRow[], totals };
}

/** Number of requests matching `filter` of each of `userIds`, in one statement (`group by user_id`); users without any are absent. */
export async function countLeaveRequestsOfUsers(
  db: LeaveDb,
  orgId: string,
  userIds: readonly string[],
  filter: LeaveRequestFilter,
): Promise<Map<string, number>> {
  if (userIds.length === 0) return new Map();
  const rows = await filtered(db, orgId, userIds, filter)
    .select(['leave_requests.user_id', sql<number>`count(*)::int`.as('n')])
    .groupBy('leave_requests.user_id')
    .execute();
  return new Map(rows.map((r) => [r.user_id, r.n]));
}

/** Requests of the organization by id; other organizations' ids are not found. */
export async function findLeaveRequests(db: LeaveDb, orgId: string, ids: readonly string[]): Promise<LeaveRequestRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('leave_requests').selectAll().where('org_id', '=', orgId).where('id', 'in', ids).execute();
}

/** One request, locked `for update` until the transaction ends; undefined when not the organization's. */
export async function lockLeaveRequest(trx: LeaveDb, orgId: string, id: string): Promise<LeaveRequestRow | undefined> {
  return trx.selectFrom('leave_requests').selectAll().where('org_id', '=', orgId).where('id', '=', id).forUpdate().executeTakeFirst();
}

/**
 * Serializes writes of one person's requests until the transaction ends (a transaction-level
 * advisory lock on the person's id): two overlapping requests of one person cannot both pass
 * the overlap check.
 */
export async function lockRequestsOfUser(trx: LeaveDb, orgId: string, userId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`leave_requests:${orgId}:${userId}`}, 0))`.execute(trx);
}

/** The person's PENDING and APPROVED requests with a day between `from` and `to`, except `excludeId`. */
export async function findActiveRequestsBetween(
  db: LeaveDb,
  orgId: string,
  userId: string,
  from: string,
  to: string,
  excludeId?: string | null,
): Promise<LeaveRequestRow[]> {
  let q = db
    .selectFrom('leave_requests')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('user_id', '=', userId)
    .where('status', 'in', ['PENDING', 'APPROVED'])
    .where('start_date', '<=', to)
    .where('end_date', '>=', from);
  if (excludeId) q = q.where('id', '<>', excludeId);
  return q.orderBy('start_date').orderBy('id').execute();
}

/** Inserts a request and returns its row. */
export async function insertLeaveRequest(trx: LeaveDb, values: Insertable<LeaveRequestsTable>): Promise<LeaveRequestRow> {
  return trx.insertInto('leave_requests').values(values).returningAll().executeTakeFirstOrThrow();
}

/** Rewrites a request's fields, bumping its version and `updated_at`. */
export async function updateLeaveRequest(trx: LeaveDb, orgId: string, id: string, patch: Updateable<LeaveRequestsTable>): Promise<LeaveRequestRow> {
  return trx
    .updateTable('leave_requests')
    .set((eb) => ({ ...patch, version: eb('version', '+', 1), updated_at: sql<Date>`now()` }))
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Replaces the day rows of a request. */
export async function replaceLeaveRequestDays(trx: LeaveDb, orgId: string, requestId: string, days: readonly Omit<Insertable<LeaveRequestDaysTable>, 'org_id' | 'request_id'>[]): Promise<void> {
  await trx.deleteFrom('leave_request_days').where('org_id', '=', orgId).where('request_id', '=', requestId).execute();
  if (days.length > 0) {
    await trx.insertInto('leave_request_days').values(days.map((d) => ({ ...d, org_id: orgId, request_id: requestId }))).execute();
  }
}

/** Appends one transition to a request's history (its time is the clock's at insert). */
export async function insertLeaveRequestHistory(trx: LeaveDb, values: Insertable<LeaveRequestHistoryTable>): Promise<LeaveRequestHistoryRow> {
  return trx.insertInto('leave_request_history').values(values).returningAll().executeTakeFirstOrThrow();
}

/**
 * Approves or rejects a request atomically: only while it is PENDING (a concurrent
 * decision makes this return undefined), bumping its version. Undefined also when the
 * request is not the organization's.
 */
export async function decideLeaveRequest(
  trx: LeaveDb,
  orgId: string,
  id: string,
  decision: { status: 'APPROVED' | 'REJECTED'; decidedBy: string | null; note: string | null },
): Promise<LeaveRequestRow | undefined> {
  return trx
    .updateTable('leave_requests')
    .set((eb) => ({
      status: decision.status,
      version: eb('version', '+', 1),
      decided_by: decision.decidedBy,
      decided_at: sql<Date>`now()`,
      decision_note: decision.note,
      updated_at: sql<Date>`now()`,
    }))
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .where('status', '=', 'PENDING')
    .returningAll()
    .executeTakeFirst();
}

/**
 * Cancels a PENDING or APPROVED request atomically; with `startsAfter`, only if it starts
 * after that date (the requester's own cancellation before the leave begins). Undefined when
 * nothing matched: unknown, already rejected or cancelled, or started.
 */
export async function cancelLeaveRequest(trx: LeaveDb, orgId: string, id: string, startsAfter: string | null): Promise<LeaveRequestRow | undefined> {
  let q = trx
    .updateTable('leave_requests')
    .set((eb) => ({ status: 'CANCELLED' as const, version: eb('version', '+', 1), updated_at: sql<Date>`now()` }))
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .where('status', 'in', ['PENDING', 'APPROVED']);
  if (startsAfter !== null) q = q.where('start_date', '>', startsAfter);
  return q.returningAll().executeTakeFirst();
}

/** Day rows of the requests, by request then date. */
export async function findLeaveRequestDays(db: LeaveDb, orgId: string, requestIds: readonly string[]): Promise<LeaveRequestDayRow[]> {
  if (requestIds.length === 0) return [];
  return db.selectFrom('leave_request_days').selectAll().where('org_id', '=', orgId).where('request_id', 'in', requestIds).orderBy('request_id').orderBy('date').execute();
}

/** Number of `action` transitions in a request's history. */
export async function countLeaveRequestTransitions(db: LeaveDb, orgId: string, requestId: string, action: LeaveRequestHistoryRow['action']): Promise<number> {
  const row = await db
    .selectFrom('leave_request_history')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('org_id', '=', orgId)
    .where('request_id', '=', requestId)
    .where('action', '=', action)
    .executeTakeFirstOrThrow();
  return row.n;
}

/** History rows of the requests, oldest first. */
export async function findLeaveRequestHistory(db: LeaveDb, orgId: string, requestIds: readonly string[]): Promise<LeaveRequestHistoryRow[]> {
  if (requestIds.length === 0) return [];
  return db
    .selectFrom('leave_request_history')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('request_id', 'in', requestIds)
    .orderBy('occurred_at')
    .orderBy('id')
    .execute();
}
