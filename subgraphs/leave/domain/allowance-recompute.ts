// Allowances follow the person: when leave learns (from people's snapshots) that a
// person's working pattern, employment type or employment start date changed, or that the
// organization's full-time week changed, the entitlements of leave years not yet over are
// recomputed, each change with a RECOMPUTED ledger line saying why and an
// `allowance.changed` event (cause RECOMPUTED).
import type { Insertable } from 'kysely';
import { appendEvents } from '../../shared/outbox.ts';
import type { LeaveDb } from '../db/database.ts';
import { findOpenAllowancesWithTypes, insertLedgerEntries, setEntitlements, type AllowanceWithType } from '../db/repositories/allowances.ts';
import { findDirectoryUsers } from '../db/repositories/directory.ts';
import type { AllowanceLedgerTable, AllowanceRow } from '../db/tables/allowances.ts';
import type { DirectoryOrganizationRow, DirectoryUserRow } from '../db/tables/directory.ts';
import type { LeaveUnit } from '../db/tables/leave-types.ts';
import { allowanceChangedEvent } from '../events.ts';
import { proRatedEntitlement, type EntitlementPerson } from './allowance-balance.ts';
import { formatUnits, toUnits } from './decimal.ts';

/** The organization's fields a recomputation needs. */
export type RecomputeOrganization = Pick<DirectoryOrganizationRow, 'org_id' | 'full_time_weekly_hours'>;

/** Who caused a recomputation (the actor of people's event; null for the system) and on which day. */
export interface RecomputeContext {
  /** Today in the organization's time zone: leave years ending before it are over and never touched. */
  readonly today: string;
  readonly actorId: string | null;
}

const unitName = (unit: LeaveUnit): string => (unit === 'DAYS' ? 'days' : 'hours');

/** Days with hours in a working pattern. */
function workingDays(pattern: readonly string[]): number {
  return pattern.filter((h) => toUnits(h) > 0).length;
}

/** Total weekly hours of a working pattern, canonical (`37.5`). */
function weeklyHours(pattern: readonly string[]): string {
  return formatUnits(pattern.reduce((sum, h) => sum + toUnits(h), 0));
}

/** True when a change of the person's fields can change an entitlement. */
export function entitlementFieldsChanged(before: EntitlementPerson, after: EntitlementPerson): boolean {
  return (
    before.employment_type !== after.employment_type ||
    before.employment_start_date !== after.employment_start_date ||
    before.working_pattern.length !== after.working_pattern.length ||
    before.working_pattern.some((h, i) => toUnits(h) !== toUnits(after.working_pattern[i] ?? '0'))
  );
}

/**
 * Why a person's allowance in `unit` changed, one clause per changed field that matters for
 * the unit (`Working pattern changed: 5 to 3 days a week`, `Employment type changed:
 * FULL_TIME to IRREGULAR_HOURS (holiday accrues from hours worked)`, `Employment start date
 * changed: 2020-01-06 to 2026-07-01`), joined with `; `.
 */
export function personChangeReason(before: EntitlementPerson, after: EntitlementPerson, unit: LeaveUnit): string {
  const clauses: string[] = [];
  if (unit === 'DAYS' && workingDays(before.working_pattern) !== workingDays(after.working_pattern)) {
    clauses.push(`Working pattern changed: ${workingDays(before.working_pattern)} to ${workingDays(after.working_pattern)} days a week`);
  }
  if (unit === 'HOURS' && weeklyHours(before.working_pattern) !== weeklyHours(after.working_pattern)) {
    clauses.push(`Working pattern changed: ${weeklyHours(before.working_pattern)} to ${weeklyHours(after.working_pattern)} hours a week`);
  }
  if (before.employment_type !== after.employment_type) {
    const note = after.employment_type === 'IRREGULAR_HOURS' ? ' (holiday accrues from hours worked)' : '';
    clauses.push(`Employment type changed: ${before.employment_type} to ${after.employment_type}${note}`);
  }
  if (before.employment_start_date !== after.employment_start_date) {
    clauses.push(`Employment start date changed: ${before.employment_start_date ?? 'none'} to ${after.employment_start_date ?? 'none'}`);
  }
  // A pattern change that moved neither measure of this unit cannot change it alone, so a
  // changed entitlement always has a clause; this fallback only guards the wording.
  return clauses.length > 0 ? clauses.join('; ') : 'Working pattern changed';
}

/**
 * Sets the new entitlements of `rows` (each computed by `entitlementOf`, null to skip),
 * writes a RECOMPUTED ledger line per changed allowance (`<why>, entitlement 25 to 15 days`,
 * amount the difference, effective today or the leave year's first day if later) and an
 * `allowance.changed` event (cause RECOMPUTED), all in `trx`. Allowances whose entitlement
 * stays the same get nothing, so applying the same facts twice writes nothing.
 */
async function applyRecomputation(
  trx: LeaveDb,
  org: RecomputeOrganization,
  rows: readonly AllowanceWithType[],
  entitlementOf: (row: AllowanceWithType) => { entitlement: string; why: string } | null,
  context: RecomputeContext,
): Promise<AllowanceRow[]> {
  const changes: { id: string; entitlement: string }[] = [];
  const lines: Insertable<AllowanceLedgerTable>[] = [];
  for (const row of rows) {
    const next = entitlementOf(row);
    if (next === null) continue;
    const before = toUnits(row.entitlement);
    const after = toUnits(next.entitlement);
    if (before === after) continue;
    changes.push({ id: row.id, entitlement: next.entitlement });
    lines.push({
      org_id: org.org_id,
      allowance_id: row.id,
      kind: 'RECOMPUTED',
      amount: formatUnits(after - before, 4),
      reason: `${next.why}, entitlement ${formatUnits(before)} to ${formatUnits(after)} ${unitName(row.unit)}`,
      effective_date: context.today > row.start_date ? context.today : row.start_date,
      source_id: null,
      created_by: context.actorId,
    });
  }
  if (changes.length === 0) return [];
  const updated = await setEntitlements(trx, org.org_id, changes);
  await insertLedgerEntries(trx, lines);
  await appendEvents(trx, updated.map((a) => allowanceChangedEvent(a, 'RECOMPUTED', context.actorId)));
  return updated;
}

/**
 * Recomputes the allowances of leave years not yet over (ending on or after
 * `context.today`) of a person whose entitlement fields changed from `before` to `after`.
 * Every allowance follows the person, including one whose base an admin set (`setAllowance`
 * sets a full-time base, which is pro-rated like the type's default): the base is kept, its
 * pro-rating follows. Returns the allowances whose entitlement changed.
 */
export async function recomputeAllowancesOfPerson(
  trx: LeaveDb,
  org: RecomputeOrganization,
  before: EntitlementPerson,
  after: DirectoryUserRow,
  context: RecomputeContext,
): Promise<AllowanceRow[]> {
  if (!entitlementFieldsChanged(before, after)) return [];
  const rows = await findOpenAllowancesWithTypes(trx, org.org_id, { userId: after.id }, context.today);
  return applyRecomputation(
    trx,
    org,
    rows,
    (row) => ({
      entitlement: proRatedEntitlement(row.base_entitlement ?? row.default_entitlement, row.unit, after, periodOf(row), org.full_time_weekly_hours),
      why: personChangeReason(before, after, row.unit),
    }),
    context,
  );
}

/**
 * Recomputes every hours-unit allowance of the organization of leave years not yet over
 * after its full-time week changed from `previousFullTimeWeeklyHours` to
 * `org.full_time_weekly_hours`. Returns the allowances whose entitlement changed.
 */
export async function recomputeHoursAllowancesOfOrganization(
  trx: LeaveDb,
  org: RecomputeOrganization,
  previousFullTimeWeeklyHours: string,
  context: RecomputeContext,
): Promise<AllowanceRow[]> {
  if (toUnits(previousFullTimeWeeklyHours) === toUnits(org.full_time_weekly_hours)) return [];
  const rows = await findOpenAllowancesWithTypes(trx, org.org_id, { unit: 'HOURS' }, context.today);
  if (rows.length === 0) return [];
  const users = new Map((await findDirectoryUsers(trx, org.org_id, [...new Set(rows.map((r) => r.user_id))])).map((u) => [u.id, u]));
  const why = `Full-time week changed: ${formatUnits(toUnits(previousFullTimeWeeklyHours))} to ${formatUnits(toUnits(org.full_time_weekly_hours))} hours`;
  return applyRecomputation(
    trx,
    org,
    rows,
    (row) => {
      const user = users.get(row.user_id);
      if (!user) return null;
      return { entitlement: proRatedEntitlement(row.base_entitlement ?? row.default_entitlement, row.unit, user, periodOf(row), org.full_time_weekly_hours), why };
    },
    context,
  );
}

function periodOf(row: AllowanceRow): { startDate: string; endDate: string } {
  return { startDate: row.start_date, endDate: row.end_date };
}
