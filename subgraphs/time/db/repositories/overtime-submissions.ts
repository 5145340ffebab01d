import { sql, type Insertable, type SelectQueryBuilder, type Updateable } from 'kysely';
import { cursorConditions, readOrder, type PageArgs } from '../../../shared/pagination.ts';
import type { TimeDatabase, TimeDb } from '../database.ts';
import type {
  OvertimeStatus,
  OvertimeSubmissionHistoryRow,
  OvertimeSubmissionHistoryTable,
  OvertimeSubmissionRow,
  OvertimeSubmissionsTable,
} from '../tables/overtime-submissions.ts';

/** Conditions of a submissions list (all optional, combined with AND). */
export interface OvertimeSubmissionFilter {
  readonly userIds?: readonly string[] | undefined;
  readonly departmentId?: string | undefined;
  readonly statuses?: readonly OvertimeStatus[] | undefined;
  readonly overtimeTypeId?: string | undefined;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  /** Restricts to these people (a manager's reports and themself); undefined: no restriction. */
  readonly visibleUserIds?: readonly string[] | undefined;
}

export async function insertOvertimeSubmission(db: TimeDb, values: Insertable<OvertimeSubmissionsTable>): Promise<OvertimeSubmissionRow> {
  return db.insertInto('overtime_submissions').values(values).returningAll().executeTakeFirstOrThrow();
}

/** Updates a submission only while it has `status`; undefined when it no longer has it. */
export async function updateOvertimeSubmissionIf(
  db: TimeDb,
  orgId: string,
  id: string,
  status: OvertimeStatus,
  values: Updateable<OvertimeSubmissionsTable>,
): Promise<OvertimeSubmissionRow | undefined> {
  return db
    .updateTable('overtime_submissions')
    .set({ ...values, updated_at: sql`now()` })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .where('status', '=', status)
    .returningAll()
    .executeTakeFirst();
}

export async function deleteOvertimeSubmissionIfPending(db: TimeDb, orgId: string, id: string): Promise<OvertimeSubmissionRow | undefined> {
  return db.deleteFrom('overtime_submissions').where('org_id', '=', orgId).where('id', '=', id).where('status', '=', 'PENDING').returningAll().executeTakeFirst();
}

export async function findOvertimeSubmissions(db: TimeDb, orgId: string, ids: readonly string[]): Promise<OvertimeSubmissionRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('overtime_submissions').selectAll().where('org_id', '=', orgId).where('id', 'in', ids).execute();
}

export async function insertOvertimeHistory(db: TimeDb, values: Insertable<OvertimeSubmissionHistoryTable>): Promise<void> {
  await db.insertInto('overtime_submission_history').values(values).execute();
}

/** How many times a submission was changed while pending (its UPDATED history entries). */
export async function countOvertimeUpdates(db: TimeDb, orgId: string, submissionId: string): Promise<number> {
  const row = await db
    .selectFrom('overtime_submission_history')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('org_id', '=', orgId)
    .where('submission_id', '=', submissionId)
    .where('action', '=', 'UPDATED')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function findOvertimeHistory(db: TimeDb, orgId: string, submissionIds: readonly string[]): Promise<OvertimeSubmissionHistoryRow[]> {
  if (submissionIds.length === 0) return [];
  return db
    .selectFrom('overtime_submission_history')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('submission_id', 'in', submissionIds)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/** Overtime hours of PENDING and APPROVED submissions of a person on a day, except `exceptId`. */
export async function overtimeHoursOn(db: TimeDb, orgId: string, userId: string, date: string, exceptId?: string): Promise<string> {
  let query = db
    .selectFrom('overtime_submissions')
    .select(sql<string>`coalesce(sum(hours), 0)::text`.as('total'))
    .where('org_id', '=', orgId)
    .where('user_id', '=', userId)
    .where('date', '=', date)
    .where('status', 'in', ['PENDING', 'APPROVED']);
  if (exceptId) query = query.where('id', '!=', exceptId);
  return (await query.executeTakeFirstOrThrow()).total;
}

/** Overtime hours of PENDING and APPROVED submissions per person and day, for many pairs at once. */
export async function overtimeHoursOnDays(db: TimeDb, orgId: string, pairs: readonly { userId: string; date: string }[]): Promise<Map<string, string>> {
  if (pairs.length === 0) return new Map();
  const rows = await db
    .selectFrom('overtime_submissions')
    .select(['user_id', 'date', sql<string>`sum(hours)::text`.as('total')])
    .where('org_id', '=', orgId)
    .where('status', 'in', ['PENDING', 'APPROVED'])
    .where((eb) => eb(eb.refTuple('user_id', 'date'), 'in', pairs.map((p) => eb.tuple(p.userId, sql<string>`${p.date}::date`))))
    .groupBy(['user_id', 'date'])
    .execute();
  return new Map(rows.map((r) => [`${r.user_id}|${r.date}`, r.total]));
}

function filtered<O>(query: SelectQueryBuilder<TimeDatabase, 'overtime_submissions', O>, orgId: string, filter: OvertimeSubmissionFilter) {
  let q = query.where('org_id', '=', orgId);
  if (filter.userIds) q = q.where('user_id', 'in', filter.userIds.length > 0 ? filter.userIds : [sql<string>`null`]);
  if (filter.visibleUserIds) q = q.where('user_id', 'in', filter.visibleUserIds.length > 0 ? filter.visibleUserIds : [sql<string>`null`]);
  if (filter.departmentId) q = q.where('department_id', '=', filter.departmentId);
  if (filter.statuses && filter.statuses.length > 0) q = q.where('status', 'in', filter.statuses);
  if (filter.overtimeTypeId) q = q.where('overtime_type_id', '=', filter.overtimeTypeId);
  if (filter.from) q = q.where('date', '>=', filter.from);
  if (filter.to) q = q.where('date', '<=', filter.to);
  return q;
}

/** Sort key of submission lists: date (newest first), then id. */
export function overtimeSubmissionSortKey(row: OvertimeSubmissionRow): [string, string] {
  return [row.date, row.id];
}

/** A page of submissions, newest date first; `limit + 1` rows. */
export async function listOvertimeSubmissions(db: TimeDb, orgId: string, filter: OvertimeSubmissionFilter, limit: number, args: PageArgs): Promise<OvertimeSubmissionRow[]> {
  const dir = readOrder(args, true);
  const query = filtered(db.selectFrom('overtime_submissions').selectAll(), orgId, filter).where(cursorConditions([sql`date`, sql`id`], args, ['date', 'uuid'], true));
  return query.orderBy('date', dir).orderBy('id', dir).limit(limit).execute();
}

export async function countOvertimeSubmissions(db: TimeDb, orgId: string, filter: OvertimeSubmissionFilter): Promise<number> {
  const row = await filtered(db.selectFrom('overtime_submissions').select((eb) => eb.fn.countAll<number>().as('n')), orgId, filter).executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * The first `limit` submissions of each of `userIds` (newest date first), in one statement
 * whatever the number of people (a window over the filtered rows).
 */
export async function listOvertimeSubmissionsOfUsers(
  db: TimeDb,
  orgId: string,
  userIds: readonly string[],
  filter: OvertimeSubmissionFilter,
  limit: number,
  args: PageArgs,
): Promise<OvertimeSubmissionRow[]> {
  if (userIds.length === 0) return [];
  const dir = sql.raw(readOrder(args, true));
  const inner = filtered(
    db.selectFrom('overtime_submissions').selectAll().select(sql<number>`row_number() over (partition by user_id order by date ${dir}, id ${dir})`.as('rank')),
    orgId,
    { ...filter, userIds },
  ).where(cursorConditions([sql`date`, sql`id`], args, ['date', 'uuid'], true));
  const rows = await db
    .selectFrom(inner.as('s'))
    .selectAll()
    .where('rank', '<=', limit)
    .orderBy('user_id')
    .orderBy('rank')
    .execute();
  return rows.map(({ rank: _rank, ...row }) => row as OvertimeSubmissionRow);
}

/** Counts of submissions per person for `userIds`, in one statement. */
export async function countOvertimeSubmissionsOfUsers(db: TimeDb, orgId: string, userIds: readonly string[], filter: OvertimeSubmissionFilter): Promise<Map<string, number>> {
  if (userIds.length === 0) return new Map();
  const rows = await filtered(db.selectFrom('overtime_submissions').select(['user_id', (eb) => eb.fn.countAll<number>().as('n')]), orgId, { ...filter, userIds })
    .groupBy('user_id')
    .execute();
  return new Map(rows.map((r) => [r.user_id, Number(r.n)]));
}
