import { sql } from 'kysely';
import { cursorConditions, readOrder, type PageArgs } from '../../../shared/pagination.ts';
import type { TimeDb } from '../database.ts';
import type { HoursWorkedRow } from '../tables/hours-worked.ts';

/** The recorded days of many (person, date) pairs, in one statement. */
export async function findHoursWorkedOnDays(db: TimeDb, orgId: string, pairs: readonly { userId: string; date: string }[]): Promise<HoursWorkedRow[]> {
  if (pairs.length === 0) return [];
  return db
    .selectFrom('hours_worked')
    .selectAll()
    .where('org_id', '=', orgId)
    .where((eb) => eb(eb.refTuple('user_id', 'date'), 'in', pairs.map((p) => eb.tuple(p.userId, sql<string>`${p.date}::date`))))
    .execute();
}

/** Hours recorded for a person on a day ('0' when none). */
export async function hoursWorkedOn(db: TimeDb, orgId: string, userId: string, date: string): Promise<string> {
  const row = await db.selectFrom('hours_worked').select('hours').where('org_id', '=', orgId).where('user_id', '=', userId).where('date', '=', date).executeTakeFirst();
  return row?.hours ?? '0';
}

/** A new or replaced day to write. */
export interface HoursWorkedWrite {
  readonly userId: string;
  readonly date: string;
  readonly hours: string;
  readonly leaveTypeId: string | null;
}

/**
 * Inserts or replaces days in one statement; a replaced day's revision goes up by one.
 * Returns the rows written.
 */
export async function upsertHoursWorked(db: TimeDb, orgId: string, recordedBy: string | null, writes: readonly HoursWorkedWrite[]): Promise<HoursWorkedRow[]> {
  if (writes.length === 0) return [];
  return db
    .insertInto('hours_worked')
    .values(writes.map((w) => ({ org_id: orgId, user_id: w.userId, date: w.date, hours: w.hours, leave_type_id: w.leaveTypeId, recorded_by: recordedBy })))
    .onConflict((oc) =>
      oc.columns(['org_id', 'user_id', 'date']).doUpdateSet((eb) => ({
        hours: eb.ref('excluded.hours'),
        leave_type_id: eb.ref('excluded.leave_type_id'),
        recorded_by: eb.ref('excluded.recorded_by'),
        revision: sql<number>`hours_worked.revision + 1`,
        updated_at: sql`now()`,
      })),
    )
    .returningAll()
    .execute();
}

export async function findHoursWorkedByIds(db: TimeDb, orgId: string, ids: readonly string[]): Promise<HoursWorkedRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('hours_worked').selectAll().where('org_id', '=', orgId).where('id', 'in', ids).execute();
}

/** Sort key of hours-worked lists: date, then id. */
export function hoursWorkedSortKey(row: HoursWorkedRow): [string, string] {
  return [row.date, row.id];
}

/** The days of many people in a range, oldest first, first `limit` per person: one statement. */
export async function listHoursWorkedOfUsers(
  db: TimeDb,
  orgId: string,
  userIds: readonly string[],
  from: string,
  to: string,
  limit: number,
  args: PageArgs,
): Promise<HoursWorkedRow[]> {
  if (userIds.length === 0) return [];
  const dir = readOrder(args);
  const inner = db
    .selectFrom('hours_worked')
    .selectAll()
    .select(sql<number>`row_number() over (partition by user_id order by date ${sql.raw(dir)}, id ${sql.raw(dir)})`.as('rank'))
    .where('org_id', '=', orgId)
    .where('user_id', 'in', userIds)
    .where('date', '>=', from)
    .where('date', '<=', to)
    .where(cursorConditions([sql`date`, sql`id`], args, ['date', 'uuid']));
  const rows = await db.selectFrom(inner.as('h')).selectAll().where('rank', '<=', limit).orderBy('user_id').orderBy('rank').execute();
  return rows.map(({ rank: _rank, ...row }) => row as HoursWorkedRow);
}

/** Days and total hours per person in a range, for many people: one statement. */
export async function summarizeHoursWorkedOfUsers(db: TimeDb, orgId: string, userIds: readonly string[], from: string, to: string): Promise<Map<string, { days: number; hours: string }>> {
  if (userIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('hours_worked')
    .select(['user_id', (eb) => eb.fn.countAll<number>().as('n'), sql<string>`sum(hours)::text`.as('total')])
    .where('org_id', '=', orgId)
    .where('user_id', 'in', userIds)
    .where('date', '>=', from)
    .where('date', '<=', to)
    .groupBy('user_id')
    .execute();
  return new Map(rows.map((r) => [r.user_id, { days: Number(r.n), hours: r.total }]));
}
