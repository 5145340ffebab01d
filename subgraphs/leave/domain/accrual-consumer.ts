import type { Insertable, Transaction } from 'kysely';
import type { DatabaseHandle } from '../../shared/database.ts';
import { appendEvents, consumerCursor, createOutboxConsumer, hasUnappliedEvents, type OutboxConsumer, type OutboxEvent } from '../../shared/outbox.ts';
import { isId, uniqueIds } from '../../shared/validation.ts';
import { LEAVE_SCHEMA, type LeaveDb } from '../db/database.ts';
import {
  findAllowancesOfUsers,
  findAppliedSourceIds,
  insertAllowancesIfMissing,
  insertLedgerEntriesOnce,
  sumLedgerOfSourceGroups,
  touchAllowances,
} from '../db/repositories/allowances.ts';
import type { AllowanceLedgerTable, AllowanceRow } from '../db/tables/allowances.ts';
import type { DirectoryUserRow } from '../db/tables/directory.ts';
import { findDirectoryOrganization, findDirectoryUsers } from '../db/repositories/directory.ts';
import { findDefaultAccrualLeaveType, findLeaveTypes } from '../db/repositories/leave-types.ts';
import type { LeaveTypeRow, LeaveUnit } from '../db/tables/leave-types.ts';
import { allowanceChangedEvent } from '../events.ts';
import { newAllowanceRow } from './allowance-balance.ts';
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

/** One valid `hours_worked.recorded` event with its payload. */
interface HoursWorkedEvent {
  readonly event: OutboxEvent;
  readonly payload: HoursWorkedPayload;
}

/**
 * Applies one `hours_worked.recorded` event inside the consumer's transaction: the batch
 * of one (`applyHoursWorkedBatch`).
 */
export async function applyHoursWorked(event: OutboxEvent, trx: Transaction<unknown>): Promise<void> {
  await applyHoursWorkedBatch([event], trx);
}

/**
 * Applies a batch of `hours_worked.recorded` events inside the consumer's transaction, in
 * outbox order, a few statements per organization in the batch rather than per event. For
 * an IRREGULAR_HOURS worker each event accrues `accrualAmount` into the allowance of its
 * leave type (else the organization's default accrual type) for the leave year containing
 * the date:
 *
 * - without an `entryId`, an ACCRUAL line whose `source_id` is the submission id;
 * - with one (a day of hours worked across its revisions), the day's lines are summed by
 *   allowance and the target allowance gets the difference (the day's first line is an
 *   ACCRUAL, later ones ACCRUAL_CORRECTION), while an allowance that held the day under
 *   another leave type gives its share back. Revisions of one day in one batch are applied
 *   in order, each against what the earlier ones left.
 *
 * Every line's `source_id` is unique per submission, so a replayed or duplicated event adds
 * nothing. Each allowance that changed publishes one `allowance.changed` (cause ACCRUED)
 * per batch: its state as this transaction leaves it. Other workers accrue nothing.
 * Malformed events and unknown people are skipped with a warning; a person whose people
 * events the directory has not applied yet makes the batch fail, to be retried.
 */
export async function applyHoursWorkedBatch(events: readonly OutboxEvent[], trx: Transaction<unknown>): Promise<void> {
  const byOrg = new Map<string, HoursWorkedEvent[]>();
  for (const event of events) {
    if (event.type !== 'hours_worked.recorded') continue;
    const payload = parsePayload(event.payload);
    if (!payload) {
      console.warn(`accrual: skipping malformed event ${event.id}`);
      continue;
    }
    const list = byOrg.get(event.orgId) ?? [];
    list.push({ event, payload });
    byOrg.set(event.orgId, list);
  }
  const db = trx.withSchema(LEAVE_SCHEMA) as unknown as LeaveDb;
  const changed: AllowanceRow[] = [];
  for (const [orgId, list] of byOrg) changed.push(...(await applyOrganizationBatch(trx, db, orgId, list)));
  if (changed.length > 0) await appendEvents(trx, changed.map((row) => allowanceChangedEvent(row, 'ACCRUED', null)));
}

/** A ledger line the batch will write, before it is inserted. */
type PlannedLine = Insertable<AllowanceLedgerTable> & { source_id: string; allowance_id: string };

/** One organization's events of a batch; returns the allowances that changed, updated. */
async function applyOrganizationBatch(trx: Transaction<unknown>, db: LeaveDb, orgId: string, list: readonly HoursWorkedEvent[]): Promise<AllowanceRow[]> {
  const org = await findDirectoryOrganization(db, orgId);
  const users = new Map((org ? await findDirectoryUsers(db, orgId, uniqueIds(list.map((e) => e.payload.userId).filter(isId))) : []).map((u) => [u.id, u]));
  const accruing: { item: HoursWorkedEvent; user: DirectoryUserRow }[] = [];
  let directoryCursor: number | null = null;
  for (const item of list) {
    const user = users.get(item.payload.userId);
    if (!org || !user) {
      // The person's creation precedes this event in the outbox: if it is still waiting for
      // the directory consumer, fail the batch (it is retried) rather than lose the accrual.
      directoryCursor ??= await consumerCursor(trx, DIRECTORY_CONSUMER_NAME);
      if (await hasPeopleEventsBetween(trx, directoryCursor, item.event.id, [item.payload.userId, orgId])) {
        throw new Error(`accrual: directory has not caught up with event ${item.event.id} yet`);
      }
      console.warn(`accrual: skipping event ${item.event.id}: ${item.payload.userId} is not a user of org ${orgId}`);
      continue;
    }
    if (user.employment_type === 'IRREGULAR_HOURS') accruing.push({ item, user });
  }
  if (!org || accruing.length === 0) return [];

  // The leave types named, and the default, in at most two statements.
  const named = new Map(
    (await findLeaveTypes(db, orgId, uniqueIds(accruing.map((a) => a.item.payload.leaveTypeId).filter((id): id is string => id !== null && isId(id))))).map((t) => [t.id, t]),
  );
  let fallback: LeaveTypeRow | undefined | null = null;
  const planned: { item: HoursWorkedEvent; user: DirectoryUserRow; type: LeaveTypeRow; year: number; amount: string }[] = [];
  for (const { item, user } of accruing) {
    const wanted = item.payload.leaveTypeId;
    let type = wanted !== null ? named.get(wanted) : undefined;
    if (wanted !== null && !(type && type.deactivated_at === null && type.deducts_from_allowance)) {
      console.warn(`accrual: leave type ${wanted} of org ${orgId} cannot accrue; using the default type`);
      type = undefined;
    }
    if (!type) {
      if (fallback === null) fallback = await findDefaultAccrualLeaveType(db, orgId);
      type = fallback;
    }
    if (!type) {
      console.warn(`accrual: skipping event ${item.event.id}: org ${orgId} has no active VACATION type to accrue into`);
      continue;
    }
    const amount = accrualAmount(item.payload.hoursWorked, type.unit, user.working_pattern);
    const year = leaveYearOf(item.payload.date, org.leave_year_start_month).year;
    if (item.payload.entryId === null && toUnits(amount) === 0) continue;
    planned.push({ item, user, type, year, amount });
  }
  if (planned.length === 0) return [];

  // Replays: a submission whose line is already in the ledger was applied before.
  const applied = await findAppliedSourceIds(db, orgId, planned.map((p) => p.item.payload.submissionId));
  const fresh = planned.filter((p) => !applied.has(p.item.payload.submissionId));
  if (fresh.length === 0) return [];

  // Every allowance the batch accrues into, created when missing: one insert, one read per leave year.
  const key = (userId: string, typeId: string, year: number) => `${userId}|${typeId}|${year}`;
  const wantedAllowances = new Map<string, (typeof fresh)[number]>();
  for (const p of fresh) wantedAllowances.set(key(p.user.id, p.type.id, p.year), p);
  await insertAllowancesIfMissing(db, [...wantedAllowances.values()].map((p) => newAllowanceRow(org, p.user, p.type, p.year)));
  const allowances = new Map<string, AllowanceRow>();
  for (const year of new Set(fresh.map((p) => p.year))) {
    const rows = await findAllowancesOfUsers(db, orgId, uniqueIds(fresh.filter((p) => p.year === year).map((p) => p.user.id)), year);
    for (const row of rows) allowances.set(key(row.user_id, row.leave_type_id, row.year), row);
  }

  // What each day (source group) already holds, by allowance, in ten-thousandths; revisions in the batch move it on.
  const groups = uniqueIds(fresh.map((p) => p.item.payload.entryId).filter((id): id is string => id !== null));
  const held = await sumLedgerOfSourceGroups(db, orgId, groups);
  const lines: PlannedLine[] = [];
  for (const p of fresh) {
    const allowance = allowances.get(key(p.user.id, p.type.id, p.year));
    if (!allowance) throw new Error(`accrual: the allowance of ${p.user.id} for ${p.type.id} in ${p.year} vanished after insert`);
    const { payload } = p.item;
    if (payload.entryId === null) {
      lines.push({
        org_id: orgId, allowance_id: allowance.id, kind: 'ACCRUAL', amount: p.amount, reason: `12.07% of ${payload.hoursWorked} hours worked on ${payload.date}`,
        effective_date: payload.date, source_id: payload.submissionId, created_by: null,
      });
      continue;
    }
    const day = held.get(payload.entryId) ?? new Map<string, number>();
    held.set(payload.entryId, day);
    const first = day.size === 0;
    for (const [otherId, total] of day) {
      if (otherId === allowance.id || total === 0) continue;
      lines.push({
        org_id: orgId, allowance_id: otherId, kind: 'ACCRUAL_CORRECTION', amount: formatUnits(-total, 4),
        reason: `hours worked on ${payload.date} recorded again for another leave type: accrual moved`,
        effective_date: payload.date, source_id: `${payload.submissionId}:from:${otherId}`, source_group: payload.entryId, created_by: null,
      });
      day.set(otherId, 0);
    }
    const difference = toUnits(p.amount) - (day.get(allowance.id) ?? 0);
    if (difference === 0) continue;
    const previous = typeof payload.previousHoursWorked === 'string' ? payload.previousHoursWorked : null;
    lines.push({
      org_id: orgId, allowance_id: allowance.id, kind: first ? 'ACCRUAL' : 'ACCRUAL_CORRECTION', amount: formatUnits(difference, 4),
      reason: first
        ? `12.07% of ${payload.hoursWorked} hours worked on ${payload.date}`
        : `hours worked on ${payload.date} corrected${previous ? ` from ${previous}` : ''} to ${payload.hoursWorked}: accrual moved by the difference`,
      effective_date: payload.date, source_id: payload.submissionId, source_group: payload.entryId, created_by: null,
    });
    day.set(allowance.id, toUnits(p.amount));
  }
  const written = await insertLedgerEntriesOnce(db, lines);
  return touchAllowances(db, orgId, uniqueIds(written.map((w) => w.allowance_id)));
}

/** The durable consumer of `hours_worked.*` events that accrues holiday for irregular-hours workers (`applyHoursWorked`). */
export function createAccrualConsumer(database: DatabaseHandle): OutboxConsumer {
  return createOutboxConsumer({
    database,
    name: ACCRUAL_CONSUMER_NAME,
    typePrefixes: ['hours_worked.'],
    handleBatch: applyHoursWorkedBatch,
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
