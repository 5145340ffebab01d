import { sql, type Insertable, type Updateable } from 'kysely';
import type { ActivityStatus } from '../../../shared/activity-status.ts';
import type { BoardingDb } from '../database.ts';
import type { StudentLeaveHistoryRow, StudentLeaveHistoryTable, StudentLeaveRow, StudentLeavesTable, StudentLeaveTypeRow, StudentLeaveTypesTable } from '../tables/student-leave.ts';
import { cursorConditions, readOrder, type PageArgs } from '../../../shared/pagination.ts';

export const LEAVE_TYPE_NAME_INDEX = 'student_leave_types_org_name_key';
export const LEAVE_TYPE_CODE_INDEX = 'student_leave_types_org_code_key';

export const leaveTypeSortKey = (row: StudentLeaveTypeRow): unknown[] => [row.name.toLowerCase(), row.id];
export const leaveSortKey = (row: StudentLeaveRow): unknown[] => [row.starts_at.toISOString(), row.id];

export type StudentLeaveStatus = 'SCHEDULED' | 'ACTIVE' | 'PAST' | 'CANCELLED';

export async function findStudentLeaveTypes(db: BoardingDb, orgId: string, ids: readonly string[]): Promise<StudentLeaveTypeRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('student_leave_types').selectAll().where('org_id', '=', orgId).where('id', 'in', ids).execute();
}

function types(db: BoardingDb, orgId: string, status: ActivityStatus) {
  let q = db.selectFrom('student_leave_types').where('org_id', '=', orgId);
  if (status === 'ACTIVE') q = q.where('deactivated_at', 'is', null);
  if (status === 'DEACTIVATED') q = q.where('deactivated_at', 'is not', null);
  return q;
}

export async function listStudentLeaveTypes(db: BoardingDb, orgId: string, status: ActivityStatus, limit: number, args: PageArgs): Promise<StudentLeaveTypeRow[]> {
  const dir = readOrder(args);
  return types(db, orgId, status)
    .selectAll()
    .where(cursorConditions([sql`lower(name)`, sql.ref('id')], args, ['text', 'uuid']))
    .orderBy(sql`lower(name)`, dir)
    .orderBy('id', dir)
    .limit(limit + 1)
    .execute();
}

export async function countStudentLeaveTypes(db: BoardingDb, orgId: string, status: ActivityStatus): Promise<number> {
  return (await types(db, orgId, status).select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow()).n;
}

export async function insertStudentLeaveType(db: BoardingDb, row: Insertable<StudentLeaveTypesTable>): Promise<StudentLeaveTypeRow> {
  return db.insertInto('student_leave_types').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function updateStudentLeaveType(db: BoardingDb, orgId: string, id: string, changes: Updateable<StudentLeaveTypesTable>): Promise<StudentLeaveTypeRow> {
  return db.updateTable('student_leave_types').set({ ...changes, updated_at: sql`now()` }).where('org_id', '=', orgId).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export async function findStudentLeaves(db: BoardingDb, orgId: string, ids: readonly string[]): Promise<StudentLeaveRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('student_leaves').selectAll().where('org_id', '=', orgId).where('id', 'in', ids).execute();
}

/** Conditions of a leave list; statuses are judged at `now`. */
export interface LeaveConditions {
  readonly studentId?: string | undefined;
  readonly statuses?: readonly StudentLeaveStatus[] | null | undefined;
  readonly leaveTypeId?: string | null | undefined;
  readonly from?: Date | null | undefined;
  readonly to?: Date | null | undefined;
  readonly now: Date;
}

function leaves(db: BoardingDb, orgId: string, c: LeaveConditions) {
  let q = db.selectFrom('student_leaves').where('org_id', '=', orgId);
  if (c.studentId) q = q.where('student_id', '=', c.studentId);
  if (c.leaveTypeId) q = q.where('leave_type_id', '=', c.leaveTypeId);
  if (c.from) q = q.where('ends_at', '>', c.from);
  if (c.to) q = q.where('starts_at', '<', c.to);
  if (c.statuses) {
    const statuses = c.statuses;
    q = q.where((eb) =>
      eb.or(
        statuses.map((status) => {
          if (status === 'CANCELLED') return eb('cancelled_at', 'is not', null);
          const live = eb('cancelled_at', 'is', null);
          // The same boundaries as statusAt: active from its start (inclusive) to its end (exclusive).
          if (status === 'SCHEDULED') return eb.and([live, eb('starts_at', '>', c.now)]);
          if (status === 'ACTIVE') return eb.and([live, eb('starts_at', '<=', c.now), eb('ends_at', '>', c.now)]);
          return eb.and([live, eb('ends_at', '<=', c.now)]);
        }),
      ),
    );
  }
  return q;
}

export async function listStudentLeaves(db: BoardingDb, orgId: string, c: LeaveConditions, limit: number, args: PageArgs): Promise<StudentLeaveRow[]> {
  const dir = readOrder(args, true);
  return leaves(db, orgId, c)
    .selectAll()
    .where(cursorConditions([sql.ref('starts_at'), sql.ref('id')], args, ['timestamp', 'uuid'], true))
    .orderBy('starts_at', dir)
    .orderBy('id', dir)
    .limit(limit + 1)
    .execute();
}

export async function countStudentLeaves(db: BoardingDb, orgId: string, c: LeaveConditions): Promise<number> {
  return (await leaves(db, orgId, c).select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow()).n;
}

/** The first `limit + 1` leave of each student (latest start first), one statement for every student. */
export async function listStudentLeavesOfStudents(db: BoardingDb, orgId: string, studentIds: readonly string[], c: LeaveConditions, limit: number, args: PageArgs): Promise<StudentLeaveRow[]> {
  const dir = sql.raw(readOrder(args, true));
  if (studentIds.length === 0) return [];
  const inner = leaves(db, orgId, c)
    .selectAll()
    .select(sql<number>`row_number() over (partition by student_id order by starts_at ${dir}, id ${dir})`.as('rn'))
    .where('student_id', 'in', studentIds)
    .where(cursorConditions([sql.ref('starts_at'), sql.ref('id')], args, ['timestamp', 'uuid'], true));
  const rows = await db.selectFrom(inner.as('l')).selectAll().where('rn', '<=', limit + 1).orderBy('rn').execute();
  return rows.map(({ rn: _rn, ...row }) => row);
}

/** Each student's number of leave matching, one statement. */
export async function countStudentLeavesOfStudents(db: BoardingDb, orgId: string, studentIds: readonly string[], c: LeaveConditions): Promise<Map<string, number>> {
  if (studentIds.length === 0) return new Map();
  const rows = await leaves(db, orgId, c).select(['student_id', sql<number>`count(*)::int`.as('n')]).where('student_id', 'in', studentIds).groupBy('student_id').execute();
  return new Map(rows.map((r) => [r.student_id, r.n]));
}

/** Each student's leave active at `at` (the latest started, if several), one statement. */
export async function findActiveLeaves(db: BoardingDb, orgId: string, studentIds: readonly string[], at: Date): Promise<StudentLeaveRow[]> {
  if (studentIds.length === 0) return [];
  return db
    .selectFrom('student_leaves')
    .selectAll()
    .distinctOn('student_id')
    .where('org_id', '=', orgId)
    .where('student_id', 'in', studentIds)
    .where('cancelled_at', 'is', null)
    .where('starts_at', '<=', at)
    .where('ends_at', '>', at)
    .orderBy('student_id')
    .orderBy('starts_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

export async function insertStudentLeaves(db: BoardingDb, rows: readonly Insertable<StudentLeavesTable>[]): Promise<StudentLeaveRow[]> {
  if (rows.length === 0) return [];
  return db.insertInto('student_leaves').values([...rows]).returningAll().execute();
}

export async function lockStudentLeave(db: BoardingDb, orgId: string, id: string): Promise<StudentLeaveRow | undefined> {
  return db.selectFrom('student_leaves').selectAll().where('org_id', '=', orgId).where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function updateStudentLeave(db: BoardingDb, orgId: string, id: string, changes: Updateable<StudentLeavesTable>): Promise<StudentLeaveRow> {
  return db.updateTable('student_leaves').set({ ...changes, updated_at: sql`now()` }).where('org_id', '=', orgId).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export async function deleteStudentLeave(db: BoardingDb, orgId: string, id: string): Promise<void> {
  await db.deleteFrom('student_leaves').where('org_id', '=', orgId).where('id', '=', id).execute();
}

export async function insertLeaveHistory(db: BoardingDb, rows: readonly Insertable<StudentLeaveHistoryTable>[]): Promise<void> {
  if (rows.length === 0) return;
  await db.insertInto('student_leave_history').values([...rows]).execute();
}

/** Sort key of a leave's history: insertion order (the sequence zero-padded, so it compares as text). */
export const historySortKey = (row: StudentLeaveHistoryRow): unknown[] => [String(row.seq).padStart(20, '0')];

/** The first `limit + 1` changes of each leave (oldest first), one statement for every leave. */
export async function listLeaveHistory(db: BoardingDb, orgId: string, leaveIds: readonly string[], limit: number, args: PageArgs): Promise<StudentLeaveHistoryRow[]> {
  const dir = sql.raw(readOrder(args));
  if (leaveIds.length === 0) return [];
  const inner = db
    .selectFrom('student_leave_history')
    .selectAll()
    .select(sql<number>`row_number() over (partition by leave_id order by seq ${dir})`.as('rn'))
    .where('org_id', '=', orgId)
    .where('leave_id', 'in', leaveIds)
    .where(cursorConditions([sql`lpad(seq::text, 20, '0')`], args, ['text']));
  const rows = await db.selectFrom(inner.as('h')).selectAll().where('rn', '<=', limit + 1).orderBy('rn').execute();
  return rows.map(({ rn: _rn, ...row }) => row);
}

/** Each leave's number of changes, one statement. */
export async function countLeaveHistory(db: BoardingDb, orgId: string, leaveIds: readonly string[]): Promise<Map<string, number>> {
  if (leaveIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('student_leave_history')
    .select(['leave_id', sql<number>`count(*)::int`.as('n')])
    .where('org_id', '=', orgId)
    .where('leave_id', 'in', leaveIds)
    .groupBy('leave_id')
    .execute();
  return new Map(rows.map((r) => [r.leave_id, r.n]));
}

/**
 * Claims leave whose start has passed and whose activation is unpublished, marking it
 * published, in the caller's transaction. Rows another instance holds are skipped (it is
 * publishing them); a claimed row is never claimed again, so each activation is published once.
 */
export async function claimDueActivations(db: BoardingDb, now: Date, limit: number): Promise<StudentLeaveRow[]> {
  const due = db
    .selectFrom('student_leaves')
    .select('id')
    .where('activation_published_at', 'is', null)
    .where('cancelled_at', 'is', null)
    .where('starts_at', '<=', now)
    .orderBy('starts_at')
    .limit(limit)
    .forUpdate()
    .skipLocked();
  return db.updateTable('student_leaves').set({ activation_published_at: now }).where('id', 'in', due).returningAll().execute();
}
