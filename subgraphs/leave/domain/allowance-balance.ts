import DataLoader from 'dataloader';
import type { Insertable } from 'kysely';
import { isId, uniqueIds } from '../../shared/validation.ts';
import type { LeaveContext } from '../context.ts';
import type { LeaveDb } from '../db/database.ts';
import {
  findAllowance,
  findDefaultAllowancesOfType,
  insertAllowancesIfMissing,
  selectAllowanceForUpdate,
  findAllowancesWithSums,
  setEntitlements,
  type AllowanceWithSums,
} from '../db/repositories/allowances.ts';
import { findDirectoryUsers } from '../db/repositories/directory.ts';
import type { AllowanceRow, AllowancesTable } from '../db/tables/allowances.ts';
import type { DirectoryOrganizationRow, DirectoryUserRow } from '../db/tables/directory.ts';
import type { LeaveTypeRow, LeaveUnit } from '../db/tables/leave-types.ts';
import { daysBetween, leaveYear, leaveYearOf, todayIn } from './dates.ts';
import { formatUnits, roundHalfUp, toUnits, UNITS } from './decimal.ts';

/** The amounts of an allowance, in its type's unit. remaining = entitlement + carriedOver + adjustments + accrued - used - pending. */
export interface AllowanceBalance {
  readonly entitlement: number;
  readonly carriedOver: number;
  readonly adjustments: number;
  readonly accrued: number;
  /** Sum of APPROVED requests booked against the allowance. */
  readonly used: number;
  /** Sum of PENDING requests booked against the allowance. */
  readonly pending: number;
  readonly remaining: number;
}


function ceilDiv(numerator: bigint, denominator: bigint): bigint {
  return (numerator + denominator - 1n) / denominator;
}

/** Hundredths of an hour of a working pattern (hours Monday..Sunday as decimal strings). */
function patternHundredths(pattern: readonly (string | number)[]): number[] {
  return pattern.map((h) => Math.round(toUnits(h) / 100));
}

/** The person's fields that decide a pro-rated entitlement. */
export type EntitlementPerson = Pick<DirectoryUserRow, 'employment_type' | 'working_pattern' | 'employment_start_date'>;

/**
 * The entitlement of `person` for a leave year, pro-rated from a full-time `base`:
 *
 *     entitlement = base × pattern factor × employment factor
 *
 * - base: the allowance's own base entitlement, else the type's default, else 0.
 * - pattern factor, DAYS: working days per week (days with hours in the pattern) / 5;
 *   HOURS: weekly hours / the organization's full-time week (`fullTimeWeeklyHours`, 40 by
 *   default). Both capped at 1 (working more than full time earns no more).
 * - employment factor: 1, or, when employment starts inside the leave year, the days from
 *   the start date to the year's end (inclusive) / the days of the leave year; 0 when it
 *   starts after the year.
 * - IRREGULAR_HOURS workers get 0: their holiday accrues from hours worked instead.
 * - Rounding: days round UP to the next half day (UK practice: never below the statutory
 *   minimum); hours round half up to 2 decimals.
 *
 * Computed exactly in integers. Returns a decimal string with 2 places.
 */
export function proRatedEntitlement(
  base: string | null,
  unit: LeaveUnit,
  person: EntitlementPerson,
  period: { readonly startDate: string; readonly endDate: string },
  fullTimeWeeklyHours: string,
): string {
  if (person.employment_type === 'IRREGULAR_HOURS' || base === null) return '0.00';
  const baseCents = BigInt(Math.round(toUnits(base) / 100));
  let employedDays = 1n;
  let yearDays = 1n;
  const start = person.employment_start_date;
  if (start !== null && start > period.endDate) return '0.00';
  if (start !== null && start > period.startDate) {
    employedDays = BigInt(daysBetween(start, period.endDate) + 1);
    yearDays = BigInt(daysBetween(period.startDate, period.endDate) + 1);
  }
  const hundredths = patternHundredths(person.working_pattern);
  if (unit === 'DAYS') {
    const workingDays = BigInt(Math.min(5, hundredths.filter((h) => h > 0).length));
    // In half days: base (cents) × days/5 × employed/yearDays × 2 / 100.
    const halfDays = ceilDiv(baseCents * workingDays * employedDays * 2n, 100n * 5n * yearDays);
    return formatUnits(Number(halfDays) * (UNITS / 2), 2);
  }
  const fullTime = BigInt(Math.round(toUnits(fullTimeWeeklyHours) / 100));
  if (fullTime <= 0n) throw new Error(`full-time week of ${fullTimeWeeklyHours} hours`);
  const weekly = BigInt(hundredths.reduce((sum, h) => sum + h, 0));
  const capped = weekly < fullTime ? weekly : fullTime;
  const cents = roundHalfUp(baseCents * capped * employedDays, fullTime * yearDays);
  return formatUnits(Number(cents) * 100, 2);
}

/** The leave year (labelled by the calendar year it starts in) containing today in the organization's time zone. */
export function currentLeaveYear(org: DirectoryOrganizationRow, now: Date): number {
  return leaveYearOf(todayIn(org.time_zone, now), org.leave_year_start_month).year;
}

/**
 * A new allowance row as it is created by default: the leave year's dates, no base of its
 * own (it follows the type's default) and the pro-rated type default (`proRatedEntitlement`).
 */
export function newAllowanceRow(
  org: Pick<DirectoryOrganizationRow, 'org_id' | 'leave_year_start_month' | 'full_time_weekly_hours'>,
  user: EntitlementPerson & Pick<DirectoryUserRow, 'id'>,
  type: Pick<LeaveTypeRow, 'id' | 'unit' | 'default_entitlement'>,
  year: number,
): Insertable<AllowancesTable> {
  const period = leaveYear(year, org.leave_year_start_month);
  return {
    org_id: org.org_id,
    user_id: user.id,
    leave_type_id: type.id,
    year,
    start_date: period.startDate,
    end_date: period.endDate,
    base_entitlement: null,
    entitlement: proRatedEntitlement(type.default_entitlement, type.unit, user, period, org.full_time_weekly_hours),
  };
}

/**
 * The allowance of `user` for `type` and the leave year starting in `year`, created when
 * missing (`newAllowanceRow`). Safe under concurrency: the insert does nothing when another
 * transaction created the row first, and the row is then read back. Pass the transaction.
 *
 * With `forUpdate`, the row is read `for update` and stays locked until the transaction
 * ends: two requests racing for the last day serialize here, and the second sees the
 * first's amount.
 */
export async function ensureAllowance(
  db: LeaveDb,
  org: DirectoryOrganizationRow,
  user: DirectoryUserRow,
  type: LeaveTypeRow,
  year: number,
  options: { readonly forUpdate?: boolean } = {},
): Promise<AllowanceRow> {
  const find = () => findAllowance(db, org.org_id, user.id, type.id, year, options.forUpdate ?? false);
  const existing = await find();
  if (existing) return existing;
  await insertAllowancesIfMissing(db, [newAllowanceRow(org, user, type, year)]);
  const row = await find();
  if (!row) throw new Error(`allowance of ${user.id} for ${type.id} in ${year} vanished after insert`);
  return row;
}

/**
 * Locks the allowance row `for update` until the transaction ends and returns it: two
 * requests racing for the last day serialize here, and the second sees the first's amount.
 * Throws when the allowance is not the organization's (a programming error).
 */
export async function lockAllowance(trx: LeaveDb, orgId: string, allowanceId: string): Promise<AllowanceRow> {
  const row = await selectAllowanceForUpdate(trx, orgId, allowanceId);
  if (!row) throw new Error(`allowance ${allowanceId} not found`);
  return row;
}

/** The balance of an allowance read with its sums (`findAllowancesWithSums`, `findAllowancesWithSumsOfUsers`). */
export function balanceOf(row: AllowanceWithSums): AllowanceBalance {
  const units = {
    entitlement: toUnits(row.entitlement),
    carriedOver: toUnits(row.carried_over),
    adjustments: toUnits(row.adjustments),
    accrued: toUnits(row.accrued),
    used: toUnits(row.used),
    pending: toUnits(row.pending),
  };
  const remaining = units.entitlement + units.carriedOver + units.adjustments + units.accrued - units.used - units.pending;
  return {
    entitlement: units.entitlement / UNITS,
    carriedOver: units.carriedOver / UNITS,
    adjustments: units.adjustments / UNITS,
    accrued: units.accrued / UNITS,
    used: units.used / UNITS,
    pending: units.pending / UNITS,
    remaining: remaining / UNITS,
  };
}

/**
 * Balances of allowances by id in one SQL statement, whatever the number of ids (none for
 * an empty list): the allowances with their ledger sums (ADJUSTMENT, ACCRUAL) and request
 * sums (APPROVED = used, PENDING = pending). Ids that are not the organization's allowances
 * are absent from the map.
 */
export async function allowanceBalances(db: LeaveDb, orgId: string, allowanceIds: readonly string[]): Promise<Map<string, AllowanceBalance>> {
  const ids = uniqueIds(allowanceIds).filter(isId);
  const balances = new Map<string, AllowanceBalance>();
  for (const row of await findAllowancesWithSums(db, orgId, ids)) balances.set(row.id, balanceOf(row));
  return balances;
}

/**
 * The per-request loader of allowance balances by allowance id (one `allowanceBalances`
 * call, one statement, per batch; lists of allowances read with their sums prime it). Loading an id that is not one of the organization's
 * allowances rejects. After a write, `clear(id)` before loading again.
 */
export function allowanceBalanceLoader(ctx: LeaveContext): DataLoader<string, AllowanceBalance> {
  return ctx.loaders.get('allowanceBalances', () =>
    new DataLoader<string, AllowanceBalance>(async (ids) => {
      const balances = await allowanceBalances(ctx.db, ctx.identity.orgId, ids);
      return ids.map((id) => balances.get(id) ?? new Error(`allowance ${id} not found`));
    }),
  );
}

/**
 * Recomputes the entitlement of the type's allowances that follow its default (no base of
 * their own) for leave years not yet over on `today`, after the type's default or unit
 * changed. Past years keep what they had. Returns the rows whose entitlement changed.
 */
export async function recomputeDefaultAllowances(
  trx: LeaveDb,
  org: Pick<DirectoryOrganizationRow, 'full_time_weekly_hours'>,
  type: LeaveTypeRow,
  today: string,
): Promise<AllowanceRow[]> {
  const rows = await findDefaultAllowancesOfType(trx, type.org_id, type.id, today);
  if (rows.length === 0) return [];
  const users = new Map((await findDirectoryUsers(trx, type.org_id, uniqueIds(rows.map((r) => r.user_id)))).map((u) => [u.id, u]));
  const changes: { id: string; entitlement: string }[] = [];
  for (const row of rows) {
    const user = users.get(row.user_id);
    if (!user) continue;
    const period = { startDate: row.start_date, endDate: row.end_date };
    const entitlement = proRatedEntitlement(type.default_entitlement, type.unit, user, period, org.full_time_weekly_hours);
    if (toUnits(entitlement) !== toUnits(row.entitlement)) changes.push({ id: row.id, entitlement });
  }
  return setEntitlements(trx, type.org_id, changes);
}
