import type { Transaction } from 'kysely';
import type { DatabaseHandle } from '../../shared/database.ts';
import { appendEvents, consumerCursor, createOutboxConsumer, hasUnappliedEvents, type OutboxConsumer, type OutboxEvent } from '../../shared/outbox.ts';
import { isId } from '../../shared/validation.ts';
import { LEAVE_SCHEMA, type LeaveDb } from '../db/database.ts';
import { insertLedgerEntryOnce, sumLedgerOfSourceGroup, updateAllowance } from '../db/repositories/allowances.ts';
import type { AllowanceRow } from '../db/tables/allowances.ts';
import type { DirectoryOrganizationRow, DirectoryUserRow } from '../db/tables/directory.ts';
import { findDirectoryOrganization, findDirectoryUsers } from '../db/repositories/directory.ts';
import { findDefaultAccrualLeaveType, findLeaveTypes } from '../db/repositories/leave-types.ts';
import type { LeaveTypeRow, LeaveUnit } from '../db/tables/leave-types.ts';
import { allowanceChangedEvent } from '../events.ts';
import { ensureAllowance } from './allowance-balance.ts';
import { formatUnits, roundHalfUp, toUnits } from './decimal.ts';
import { DIRECTORY_CONSUMER_NAME, hasPeopleEventsBetween } from './directory-consumer.ts';
import { isIsoDate, leaveYearOf } from './dates.ts';

/** Name (and cursor) of the accrual consumer. */
export const ACCRUAL_CONSUMER_NAME = 'leave.accruals';
/** Holiday accrued per hour worked: 12.07% (the UK rule for irregular-hours workers, leave years from April 2024). */
export const ACCRUAL_RATE = '0.1207';
/** Hours of a working day assumed when converting to days for a pattern with no hours at all. */
export const DEFAULT_DAY_HOURS = 8;

/** Payload of `hours_worked.recorded`, published by the time subgraph. */
export interface HoursWorkedPayload {
  readonly userId: string;
  /** The day worked, `YYYY-MM-DD`. */
  readonly date: string;
  /** Hours worked, a decimal string. */
  readonly hoursWorked: string;
  /** The leave type to accrue into; null: the organization's default (see `findDefaultAccrualLeaveType`). */
  readonly leaveTypeId: string | null;
  /** The submission's id: accruals are idempotent by it. */
  readonly submissionId: string;
  /**
   * The day's id across its revisions (time's hours-worked entry). With it, a revision
   * moves the day's accrual by the difference (an ACCRUAL_CORRECTION line) instead of
   * accruing again; without it, every submission accrues on its own.
   */
  readonly entryId: string | null;
  /** The day's hours before this revision, if it had any (for the correction's reason). */
  readonly previousHoursWorked?: string | null;
}

/** The payload if it has the expected shape, else null. */
function parsePayload(payload: Record<string, unknown>): HoursWorkedPayload | null {
  const { userId, date, hoursWorked, leaveTypeId, submissionId, entryId } = payload;
  if (typeof userId !== 'string' || typeof date !== 'string' || !isIsoDate(date)) return null;
  if (typeof hoursWorked !== 'string' || !/^\d+(\.\d+)?$/.test(hoursWorked)) return null;
  if (leaveTypeId !== null && leaveTypeId !== undefined && typeof leaveTypeId !== 'string') return null;
  if (typeof submissionId !== 'string' || submissionId.length === 0) return null;
  if (entryId !== null && entryId !== undefined && (typeof entryId !== 'string' || entryId.length === 0)) return null;
  const previous = typeof payload['previousHoursWorked'] === 'string' ? payload['previousHoursWorked'] : null;
  return { userId, date, hoursWorked, leaveTypeId: leaveTypeId ?? null, submissionId, entryId: entryId ?? null, previousHoursWorked: previous };
}

/**
 * Holiday accrued by `hoursWorked`, in `unit`, as a decimal string with 4 places:
 *
 * - HOURS: hoursWorked × 0.1207.
 * - DAYS: hoursWorked × 0.1207 / the person's average working-day hours (total weekly
 *   hours / days with hours in the pattern), or / 8 when the pattern has no hours at all
 *   (the usual case for irregular-hours workers).
 *
 * Computed exactly in integers, rounded half up.
 */
export function accrualAmount(hoursWorked: string, unit: LeaveUnit, workingPattern: readonly (string | number)[]): string {
  const hours = BigInt(toUnits(hoursWorked)); // ten-thousandths of an hour
  const rate = BigInt(toUnits(ACCRUAL_RATE)); // ten-thousandths
  let numerator = hours * rate; // 1e-8 hours
  let denominator = 10_000n;
  if (unit === 'DAYS') {
    const dayHours = workingPattern.map((h) => BigInt(toUnits(h))).filter((h) => h > 0n);
    const total = dayHours.reduce((sum, h) => sum + h, 0n);
    // Divide by the average day (total / count), both in ten-thousandths of an hour.
    if (dayHours.length > 0) {
      numerator *= BigInt(dayHours.length) * 10_000n;
      denominator *= total;
    } else {
      denominator *= BigInt(DEFAULT_DAY_HOURS);
    }
  }
  return formatUnits(Number(roundHalfUp(numerator, denominator)), 4);
}

/** The explicit type when it is the organization's, active and deducting; else the organization's default. */
async function accrualLeaveType(db: LeaveDb, orgId: string, leaveTypeId: string | null): Promise<LeaveTypeRow | undefined> {
  if (leaveTypeId !== null) {
    const [type] = isId(leaveTypeId) ? await findLeaveTypes(db, orgId, [leaveTypeId]) : [];
    if (type && type.deactivated_at === null && type.deducts_from_allowance) return type;
    console.warn(`accrual: leave type ${leaveTypeId} of org ${orgId} cannot accrue; using the default type`);
  }
  return findDefaultAccrualLeaveType(db, orgId);
}

/**
 * Applies one `hours_worked.recorded` event inside the consumer's transaction: for an
 * IRREGULAR_HOURS worker, adds an ACCRUAL ledger entry of `accrualAmount` to the allowance
 * of the event's leave type (else the default accrual type) for the leave year containing
 * the date, and publishes `allowance.changed` (cause ACCRUED). The entry's `source_id` is
 * the submission id, so replays and duplicates add nothing. Other workers accrue nothing.
 * Malformed events and unknown people are skipped with a warning; a person whose people
 * events the directory has not applied yet makes the batch fail, to be retried.
 */
export async function applyHoursWorked(event: OutboxEvent, trx: Transaction<unknown>): Promise<void> {
  if (event.type !== 'hours_worked.recorded') return;
  const payload = parsePayload(event.payload);
  if (!payload) {
    console.warn(`accrual: skipping malformed event ${event.id}`);
    return;
  }
  const db = trx.withSchema(LEAVE_SCHEMA) as unknown as LeaveDb;
  const org = await findDirectoryOrganization(db, event.orgId);
  const [user] = isId(payload.userId) ? await findDirectoryUsers(db, event.orgId, [payload.userId]) : [];
  if (!org || !user) {
    // The person's creation precedes this event in the outbox: if it is still waiting for
    // the directory consumer, fail the batch (it is retried) rather than lose the accrual.
    const directoryCursor = await consumerCursor(trx, DIRECTORY_CONSUMER_NAME);
    if (await hasPeopleEventsBetween(trx, directoryCursor, event.id, [payload.userId, event.orgId])) {
      throw new Error(`accrual: directory has not caught up with event ${event.id} yet`);
    }
    console.warn(`accrual: skipping event ${event.id}: ${payload.userId} is not a user of org ${event.orgId}`);
    return;
  }
  if (user.employment_type !== 'IRREGULAR_HOURS') return;
  const type = await accrualLeaveType(db, org.org_id, payload.leaveTypeId);
  if (!type) {
    console.warn(`accrual: skipping event ${event.id}: org ${org.org_id} has no active VACATION type to accrue into`);
    return;
  }
  const amount = accrualAmount(payload.hoursWorked, type.unit, user.working_pattern);
  const year = leaveYearOf(payload.date, org.leave_year_start_month).year;
  if (payload.entryId === null) {
    if (toUnits(amount) === 0) return;
    const allowance = await ensureAllowance(db, org, user, type, year);
    const entry = await insertLedgerEntryOnce(db, {
      org_id: org.org_id,
      allowance_id: allowance.id,
      kind: 'ACCRUAL',
      amount,
      reason: `12.07% of ${payload.hoursWorked} hours worked on ${payload.date}`,
      effective_date: payload.date,
      source_id: payload.submissionId,
      created_by: null,
    });
    if (!entry) return;
    const updated = await updateAllowance(db, org.org_id, allowance.id, {});
    await appendEvents(trx, [allowanceChangedEvent(updated, 'ACCRUED', null)]);
    return;
  }
  await applyDayRevision(trx, db, { org, user, type, year, amount, payload, entryId: payload.entryId });
}

/**
 * One revision of an hours-worked day: the day's lines (all revisions, any allowance) are
 * summed; the target allowance gets `amount` minus what it already holds from the day, and
 * any other allowance that holds some (the day named another leave type before) gives it
 * back. The first line of a day is an ACCRUAL, later ones ACCRUAL_CORRECTION; each line's
 * `source_id` is unique per revision, so a replayed event adds nothing.
 */
async function applyDayRevision(
  trx: Transaction<unknown>,
  db: LeaveDb,
  day: { org: DirectoryOrganizationRow; user: DirectoryUserRow; type: LeaveTypeRow; year: number; amount: string; payload: HoursWorkedPayload; entryId: string },
): Promise<void> {
  const { org, payload } = day;
  const held = await sumLedgerOfSourceGroup(db, org.org_id, day.entryId);
  const first = held.length === 0;
  const allowance = await ensureAllowance(db, org, day.user, day.type, day.year);
  const changed: AllowanceRow[] = [];
  for (const other of held) {
    if (other.allowance_id === allowance.id || toUnits(other.total) === 0) continue;
    const entry = await insertLedgerEntryOnce(db, {
      org_id: org.org_id,
      allowance_id: other.allowance_id,
      kind: 'ACCRUAL_CORRECTION',
      amount: formatUnits(-toUnits(other.total), 4),
      reason: `hours worked on ${payload.date} recorded again for another leave type: accrual moved`,
      effective_date: payload.date,
      source_id: `${payload.submissionId}:from:${other.allowance_id}`,
      source_group: day.entryId,
      created_by: null,
    });
    if (entry) changed.push(await updateAllowance(db, org.org_id, other.allowance_id, {}));
  }
  const already = toUnits(held.find((h) => h.allowance_id === allowance.id)?.total ?? '0');
  const difference = toUnits(day.amount) - already;
  if (difference !== 0) {
    const previous = typeof payload.previousHoursWorked === 'string' ? payload.previousHoursWorked : null;
    const entry = await insertLedgerEntryOnce(db, {
      org_id: org.org_id,
      allowance_id: allowance.id,
      kind: first ? 'ACCRUAL' : 'ACCRUAL_CORRECTION',
      amount: formatUnits(difference, 4),
      reason: first
        ? `12.07% of ${payload.hoursWorked} hours worked on ${payload.date}`
        : `hours worked on ${payload.date} corrected${previous ? ` from ${previous}` : ''} to ${payload.hoursWorked}: accrual moved by the difference`,
      effective_date: payload.date,
      source_id: payload.submissionId,
      source_group: day.entryId,
      created_by: null,
    });
    if (entry) changed.push(await updateAllowance(db, org.org_id, allowance.id, {}));
  }
  if (changed.length > 0) await appendEvents(trx, changed.map((row) => allowanceChangedEvent(row, 'ACCRUED', null)));
}

/** The durable consumer of `hours_worked.*` events that accrues holiday for irregular-hours workers (`applyHoursWorked`). */
export function createAccrualConsumer(database: DatabaseHandle): OutboxConsumer {
  return createOutboxConsumer({
    database,
    name: ACCRUAL_CONSUMER_NAME,
    typePrefixes: ['hours_worked.'],
    handle: applyHoursWorked,
  });
}

/**
 * Read-your-writes across the event boundary: returns a function that, for an
 * organization, applies every `hours_worked.*` event committed before the call (and the
 * people events before them) when the accrual consumer has not applied them yet. One
 * statement when there is nothing to apply. Every deployment shares one database, so a
 * write that the time subgraph has acknowledged is in the outbox when this runs.
 */
export function createAccrualCatchUp(database: DatabaseHandle, accruals: OutboxConsumer, directory: OutboxConsumer): (orgId: string) => Promise<void> {
  return async (orgId) => {
    if (!(await hasUnappliedEvents(database.root, ACCRUAL_CONSUMER_NAME, ['hours_worked.'], orgId))) return;
    await directory.catchUp();
    await accruals.catchUp();
  };
}
