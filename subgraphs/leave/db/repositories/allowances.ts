import { sql, type Insertable, type Updateable } from 'kysely';
import { toUnits } from '../../../shared/decimal.ts';
import { cursorConditions, readOrder, type PageArgs } from '../../../shared/pagination.ts';
import { LEAVE_SCHEMA, type LeaveDb } from '../database.ts';
import type { AllowanceLedgerRow, AllowanceLedgerTable, AllowanceRow, AllowancesTable } from '../tables/allowances.ts';
import type { LeaveTypeRow, LeaveUnit } from '../tables/leave-types.ts';

/**
 * Inserts allowances in one statement, skipping each one that exists for its (user, type,
 * year): two first readers may race here.
 */
export async function insertAllowancesIfMissing(db: LeaveDb, rows: readonly Insertable<AllowancesTable>[]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('allowances')
    .values([...rows])
    .onConflict((oc) => oc.columns(['org_id', 'user_id', 'leave_type_id', 'year']).doNothing())
    .execute();
}

/** The allowance of a person for a type and leave year, if it exists; with `forUpdate`, locked until the transaction ends. */
export async function findAllowance(
  db: LeaveDb,
  orgId: string,
  userId: string,
  leaveTypeId: string,
  year: number,
  forUpdate = false,
): Promise<AllowanceRow | undefined> {
  const q = db
    .selectFrom('allowances')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('user_id', '=', userId)
    .where('leave_type_id', '=', leaveTypeId)
    .where('year', '=', year);
  return (forUpdate ? q.forUpdate() : q).executeTakeFirst();
}

/** Allowances of the organization by id. */
export async function findAllowances(db: LeaveDb, orgId: string, ids: readonly string[]): Promise<AllowanceRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('allowances').selectAll().where('org_id', '=', orgId).where('id', 'in', ids).execute();
}

/** Allowances of several people for one leave year (for a per-request loader grouped by user). */
export async function findAllowancesOfUsers(db: LeaveDb, orgId: string, userIds: readonly string[], year: number): Promise<AllowanceRow[]> {
  if (userIds.length === 0) return [];
  return db
    .selectFrom('allowances')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('user_id', 'in', userIds)
    .where('year', '=', year)
    .orderBy('user_id')
    .orderBy('leave_type_id')
    .execute();
}

/** The allowance row locked `for update` until the transaction ends. */
export async function selectAllowanceForUpdate(db: LeaveDb, orgId: string, id: string): Promise<AllowanceRow | undefined> {
  return db.selectFrom('allowances').selectAll().where('org_id', '=', orgId).where('id', '=', id).forUpdate().executeTakeFirst();
}

/** Updates an allowance and its `updated_at`. */
export async function updateAllowance(db: LeaveDb, orgId: string, id: string, patch: Updateable<AllowancesTable>): Promise<AllowanceRow> {
  return db
    .updateTable('allowances')
    .set({ ...patch, updated_at: new Date() })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Sets several allowances' entitlements in one statement; returns the updated rows. */
export async function setEntitlements(db: LeaveDb, orgId: string, values: readonly { id: string; entitlement: string }[]): Promise<AllowanceRow[]> {
  if (values.length === 0) return [];
  const cases = sql.join(
    values.map((v) => sql`when ${v.id}::uuid then ${v.entitlement}::numeric`),
    sql` `,
  );
  return db
    .updateTable('allowances')
    .set({ entitlement: sql<string>`case ${sql.ref('id')} ${cases} end`, updated_at: new Date() })
    .where('org_id', '=', orgId)
    .where('id', 'in', values.map((v) => v.id))
    .returningAll()
    .execute();
}

/** Allowances of a type whose entitlement follows the type's default, for leave years ending on or after `fromDate`. */
export async function findDefaultAllowancesOfType(db: LeaveDb, orgId: string, leaveTypeId: string, fromDate: string): Promise<AllowanceRow[]> {
  return db
    .selectFrom('allowances')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('leave_type_id', '=', leaveTypeId)
    .where('base_entitlement', 'is', null)
    .where('end_date', '>=', fromDate)
    .execute();
}

/** An allowance with what its entitlement is computed from: its type's unit and default. */
export type AllowanceWithType = AllowanceRow & Pick<LeaveTypeRow, 'unit' | 'default_entitlement'>;

/**
 * Allowances of leave years ending on or after `fromDate` (not yet over), with their type's
 * unit and default: of one person (`userId`), or of every person in the organization whose
 * type is in `unit`. Locked `for update` until the transaction ends, so a recomputation and a
 * request booking against the allowance serialize.
 */
export async function findOpenAllowancesWithTypes(
  db: LeaveDb,
  orgId: string,
  which: { readonly userId?: string; readonly unit?: LeaveUnit },
  fromDate: string,
): Promise<AllowanceWithType[]> {
  let q = db
    .selectFrom('allowances as a')
    .innerJoin('leave_types as t', (j) => j.onRef('t.id', '=', 'a.leave_type_id').onRef('t.org_id', '=', 'a.org_id'))
    .selectAll('a')
    .select(['t.unit', 't.default_entitlement'])
    .where('a.org_id', '=', orgId)
    .where('a.end_date', '>=', fromDate);
  if (which.userId !== undefined) q = q.where('a.user_id', '=', which.userId);
  if (which.unit !== undefined) q = q.where('t.unit', '=', which.unit);
  return q.orderBy('a.user_id').orderBy('a.year').orderBy('a.leave_type_id').forUpdate('a').execute();
}

/** True when an allowance of the type holds amounts in the type's unit: a set entitlement, carry-over or ledger entries. */
export async function typeHasCustomizedAllowances(db: LeaveDb, orgId: string, leaveTypeId: string): Promise<boolean> {
  const row = await db
    .selectFrom('allowances as a')
    .select('a.id')
    .where('a.org_id', '=', orgId)
    .where('a.leave_type_id', '=', leaveTypeId)
    .where((eb) =>
      eb.or([
        eb('a.base_entitlement', 'is not', null),
        eb('a.carried_over', '<>', '0'),
        eb.exists(eb.selectFrom('allowance_ledger as l').select('l.id').whereRef('l.allowance_id', '=', 'a.id').whereRef('l.org_id', '=', 'a.org_id')),
      ]),
    )
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** What an allowance's balance is summed from besides its own columns, as numeric strings. */
export interface AllowanceSums {
  /** Sum of its ADJUSTMENT ledger entries. */
  readonly adjustments: string;
  /** Sum of its ACCRUAL and ACCRUAL_CORRECTION ledger entries. */
  readonly accrued: string;
  /** Sum of the amounts of its APPROVED requests. */
  readonly used: string;
  /** Sum of the amounts of its PENDING requests. */
  readonly pending: string;
}

/** An allowance row with the sums of its ledger and requests. */
export type AllowanceWithSums = AllowanceRow & AllowanceSums;

/**
 * The organization's allowances, each with its ledger sums and request sums (`AllowanceSums`),
 * in one statement: two lateral aggregates (an aggregate always yields one row, zeros when
 * nothing matches), each an index lookup by allowance.
 */
function allowancesWithSums(db: LeaveDb, orgId: string) {
  return db
    .selectFrom('allowances as a')
    .innerJoinLateral(
      (eb) =>
        eb
          .selectFrom('allowance_ledger as l')
          .select([
            sql<string>`coalesce(sum(l.amount) filter (where l.kind = 'ADJUSTMENT'), 0)`.as('adjustments'),
            sql<string>`coalesce(sum(l.amount) filter (where l.kind in ('ACCRUAL', 'ACCRUAL_CORRECTION')), 0)`.as('accrued'),
          ])
          .whereRef('l.allowance_id', '=', 'a.id')
          .whereRef('l.org_id', '=', 'a.org_id')
          .as('ledger'),
      (join) => join.onTrue(),
    )
    .innerJoinLateral(
      (eb) =>
        eb
          .selectFrom('leave_requests as r')
          .select([
            sql<string>`coalesce(sum(r.amount) filter (where r.status = 'APPROVED'), 0)`.as('used'),
            sql<string>`coalesce(sum(r.amount) filter (where r.status = 'PENDING'), 0)`.as('pending'),
          ])
          .whereRef('r.allowance_id', '=', 'a.id')
          .whereRef('r.org_id', '=', 'a.org_id')
          .where('r.status', 'in', ['APPROVED', 'PENDING'])
          .as('requests'),
      (join) => join.onTrue(),
    )
    .selectAll('a')
    .select(['ledger.adjustments', 'ledger.accrued', 'requests.used', 'requests.pending'])
    .where('a.org_id', '=', orgId);
}

/** Allowances of the organization by id with their sums, in one statement (none for an empty list). */
export async function findAllowancesWithSums(db: LeaveDb, orgId: string, ids: readonly string[]): Promise<AllowanceWithSums[]> {
  if (ids.length === 0) return [];
  return allowancesWithSums(db, orgId).where('a.id', 'in', ids).execute();
}

/**
 * `findAllowancesOfUsers` with each allowance's sums, in one statement: what a batch of
 * people's allowances and their balances need.
 */
export async function findAllowancesWithSumsOfUsers(db: LeaveDb, orgId: string, userIds: readonly string[], year: number): Promise<AllowanceWithSums[]> {
  if (userIds.length === 0) return [];
  return allowancesWithSums(db, orgId).where('a.user_id', 'in', userIds).where('a.year', '=', year).orderBy('a.user_id').orderBy('a.leave_type_id').execute();
}

/** Inserts a ledger entry (an adjustment) and returns it. */
export async function insertLedgerEntry(db: LeaveDb, values: Insertable<AllowanceLedgerTable>): Promise<AllowanceLedgerRow> {
  return db.insertInto('allowance_ledger').values(values).returningAll().executeTakeFirstOrThrow();
}

/** Inserts ledger entries in one statement (none for an empty list). */
export async function insertLedgerEntries(db: LeaveDb, values: readonly Insertable<AllowanceLedgerTable>[]): Promise<void> {
  if (values.length === 0) return;
  await db.insertInto('allowance_ledger').values([...values]).execute();
}

/**
 * Inserts entries in one statement, each unless one with its `source_id` exists in the
 * organization; returns the ones written (none for an empty list).
 */
export async function insertLedgerEntriesOnce(
  db: LeaveDb,
  values: readonly (Insertable<AllowanceLedgerTable> & { source_id: string })[],
): Promise<{ id: string; allowance_id: string; source_id: string | null }[]> {
  if (values.length === 0) return [];
  return db
    .insertInto('allowance_ledger')
    .values([...values])
    .onConflict((oc) => oc.columns(['org_id', 'source_id']).where('source_id', 'is not', null).doNothing())
    .returning(['id', 'allowance_id', 'source_id'])
    .execute();
}

/** Which of `sourceIds` already have a ledger line in the organization (one statement; none for an empty list). */
export async function findAppliedSourceIds(db: LeaveDb, orgId: string, sourceIds: readonly string[]): Promise<Set<string>> {
  if (sourceIds.length === 0) return new Set();
  const rows = await db.selectFrom('allowance_ledger').select('source_id').where('org_id', '=', orgId).where('source_id', 'in', [...new Set(sourceIds)]).execute();
  return new Set(rows.map((r) => r.source_id).filter((id): id is string => id !== null));
}

/** Marks allowances changed (their `updated_at`) in one statement and returns them (none for an empty list). */
export async function touchAllowances(db: LeaveDb, orgId: string, ids: readonly string[]): Promise<AllowanceRow[]> {
  if (ids.length === 0) return [];
  return db.updateTable('allowances').set({ updated_at: new Date() }).where('org_id', '=', orgId).where('id', 'in', [...ids]).returningAll().execute();
}

/** Sort key of ledger pages: effective date, creation time (ms), id. */
export const ledgerSortKey = (row: AllowanceLedgerRow): unknown[] => [row.effective_date, row.created_at.toISOString(), row.id];

/**
 * One page (`limit + 1` rows) of each allowance's ledger, oldest effective date first, in
 * one statement for all of them; the page's cursors (`ledgerSortKey` cursors) apply to each;
 * a backward page comes in reverse order, for `toConnection`.
 */
export async function listLedgerEntriesOfAllowances(
  db: LeaveDb,
  orgId: string,
  allowanceIds: readonly string[],
  limit: number,
  args: PageArgs,
): Promise<AllowanceLedgerRow[]> {
  if (allowanceIds.length === 0) return [];
  const dir = readOrder(args);
  // Cursors carry milliseconds; the database keeps microseconds: compare at the cursor's precision.
  const createdMs = sql`date_trunc('milliseconds', created_at)`;
  const entries = db
    .selectFrom('allowance_ledger')
    .selectAll()
    .select(sql<number>`row_number() over (partition by allowance_id order by effective_date ${sql.raw(dir)}, ${createdMs} ${sql.raw(dir)}, id ${sql.raw(dir)})`.as('position'))
    .where('org_id', '=', orgId)
    .where('allowance_id', 'in', allowanceIds)
    .where(cursorConditions([sql.ref('effective_date'), createdMs, sql.ref('id')], args, ['date', 'timestamp', 'uuid']));
  const rows = await db
    .selectFrom(entries.as('l'))
    .selectAll()
    .where('position', '<=', limit + 1)
    .orderBy('allowance_id')
    .orderBy('position')
    .execute();
  return rows.map(({ position: _position, ...row }) => row);
}

/** Number of ledger entries per allowance, in one statement (allowances without entries are absent). */
export async function countLedgerEntriesOfAllowances(db: LeaveDb, orgId: string, allowanceIds: readonly string[]): Promise<Map<string, number>> {
  if (allowanceIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('allowance_ledger')
    .select(['allowance_id', sql<number>`count(*)::int`.as('n')])
    .where('org_id', '=', orgId)
    .where('allowance_id', 'in', allowanceIds)
    .groupBy('allowance_id')
    .execute();
  return new Map(rows.map((r) => [r.allowance_id, r.n]));
}

/**
 * What each allowance holds from each source group (an hours-worked day), in ten-thousandths:
 * group -> allowance -> sum of its lines. One statement (none for an empty list).
 */
export async function sumLedgerOfSourceGroups(db: LeaveDb, orgId: string, groups: readonly string[]): Promise<Map<string, Map<string, number>>> {
  const held = new Map<string, Map<string, number>>();
  if (groups.length === 0) return held;
  const rows = await db
    .selectFrom('allowance_ledger')
    .select(['source_group', 'allowance_id', sql<string>`sum(amount)::text`.as('total')])
    .where('org_id', '=', orgId)
    .where('source_group', 'in', [...groups])
    .groupBy(['source_group', 'allowance_id'])
    .execute();
  for (const row of rows) {
    if (row.source_group === null) continue;
    const day = held.get(row.source_group) ?? new Map<string, number>();
    day.set(row.allowance_id, toUnits(row.total));
    held.set(row.source_group, day);
  }
  return held;
}

/**
 * For each source group (an hours-worked day), the allowance that holds its accrual: the
 * one whose lines do not sum to zero (a day moved to another type leaves zero behind), else
 * the one with the newest line; with what it holds. One statement.
 */
export async function findAllowanceIdsOfSourceGroups(db: LeaveDb, orgId: string, groups: readonly string[]): Promise<Map<string, { allowanceId: string; accrued: string }>> {
  if (groups.length === 0) return new Map();
  const { rows } = await sql<{ source_group: string; allowance_id: string; total: string }>`
    select distinct on (source_group) source_group, allowance_id::text as allowance_id, total::text as total
    from (
      select source_group, allowance_id, sum(amount) as total, max(created_at) as last
      from ${sql.id(LEAVE_SCHEMA, 'allowance_ledger')}
      where org_id = ${orgId} and source_group in (${sql.join(groups)})
      group by source_group, allowance_id
    ) as held
    order by source_group, (total <> 0) desc, last desc`.execute(db);
  return new Map(rows.map((r) => [r.source_group, { allowanceId: r.allowance_id, accrued: r.total }]));
}
