import { conflict } from '../../shared/errors.ts';
import { formatUnits, toUnits } from '../../shared/decimal.ts';
import { addDays } from '../../shared/dates.ts';
import { appendEvents } from '../../shared/outbox.ts';
import type { TimeDb } from '../db/database.ts';
import { findLiveToilLots, insertToilLot, insertToilMovements, revokeToilLot, setToilLotUsed, findToilMovementsOfSource } from '../db/repositories/toil.ts';
import type { ToilLotRow, ToilLotSource } from '../db/tables/toil.ts';
import { toilChangedEvent, type ToilChangeCause } from '../events.ts';

/** Default months after the overtime date until TOIL expires (common practice). */
export const DEFAULT_TOIL_EXPIRY_MONTHS = 3;

/** `date` plus `months` calendar months, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb). */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = [Number(date.slice(0, 4)), Number(date.slice(5, 7)), Number(date.slice(8, 10))];
  const index = y * 12 + (m - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}

/** A person's TOIL as of a day, in hours (decimal strings, exact). */
export interface ToilBalance {
  readonly asOf: string;
  /** Every hour earned by lots earned on or before `asOf` (revoked lots excluded). */
  readonly accrued: string;
  readonly used: string;
  /** Hours of lots that expire on or before `asOf`, unused. */
  readonly expired: string;
  readonly available: string;
  /** Unused hours of lots that expire after `asOf` and within the window. */
  readonly hoursExpiringSoon: string;
  readonly nextExpiry: { date: string; hours: string } | null;
}

/** True when a lot can no longer be used on `date` (it expires at the start of `expires_on`). */
export function isExpired(lot: Pick<ToilLotRow, 'expires_on'>, date: string): boolean {
  return lot.expires_on !== null && lot.expires_on <= date;
}

/**
 * The balance of `lots` (one person's live lots) as of `asOf`, with `windowDays` for
 * `hoursExpiringSoon`. Sums in ten-thousandths of an hour, never floats. Use recorded so far
 * counts whatever its date, so a forecast shows what is left if nothing else is used.
 */
export function toilBalance(lots: readonly ToilLotRow[], asOf: string, windowDays: number): ToilBalance {
  const windowEnd = addDays(asOf, windowDays);
  let accrued = 0;
  let used = 0;
  let expired = 0;
  let available = 0;
  let soon = 0;
  const byExpiry = new Map<string, number>();
  for (const lot of lots) {
    if (lot.earned_on > asOf) continue;
    const hours = toUnits(lot.hours);
    const lotUsed = toUnits(lot.used);
    const left = hours - lotUsed;
    accrued += hours;
    used += lotUsed;
    if (isExpired(lot, asOf)) {
      expired += left;
      continue;
    }
    available += left;
    if (left > 0 && lot.expires_on !== null) {
      if (lot.expires_on <= windowEnd) soon += left;
      byExpiry.set(lot.expires_on, (byExpiry.get(lot.expires_on) ?? 0) + left);
    }
  }
  const next = [...byExpiry.keys()].sort()[0];
  return {
    asOf,
    accrued: formatUnits(accrued),
    used: formatUnits(used),
    expired: formatUnits(expired),
    available: formatUnits(available),
    hoursExpiringSoon: formatUnits(soon),
    nextExpiry: next === undefined ? null : { date: next, hours: formatUnits(byExpiry.get(next) ?? 0) },
  };
}

/** Hours of `lots` usable on `date`: unexpired, unused hours. */
export function usableHours(lots: readonly ToilLotRow[], date: string): number {
  return lots.filter((l) => !isExpired(l, date)).reduce((sum, l) => sum + toUnits(l.hours) - toUnits(l.used), 0);
}

async function publishToil(db: TimeDb, orgId: string, userId: string, cause: ToilChangeCause, actorId: string | null, sourceId: string | null): Promise<void> {
  const lots = await findLiveToilLots(db, orgId, userId, false);
  await appendEvents(db, [toilChangedEvent(orgId, userId, cause, actorId, lots, sourceId)]);
}

export interface NewLot {
  readonly orgId: string;
  readonly userId: string;
  readonly source: ToilLotSource;
  readonly submissionId: string | null;
  readonly earnedOn: string;
  /** Hours, decimal string, > 0. */
  readonly hours: string;
  /** Months until expiry; null: never. */
  readonly expiryMonths: number | null;
  readonly reason: string;
  readonly actorId: string | null;
}

/** Adds a lot and its ACCRUED movement and publishes `toil.changed`; call inside the write's transaction, last. */
export async function accrueToil(db: TimeDb, lot: NewLot): Promise<ToilLotRow> {
  const row = await insertToilLot(db, {
    org_id: lot.orgId,
    user_id: lot.userId,
    source: lot.source,
    submission_id: lot.submissionId,
    earned_on: lot.earnedOn,
    hours: lot.hours,
    expires_on: lot.expiryMonths === null ? null : addMonths(lot.earnedOn, lot.expiryMonths),
  });
  await insertToilMovements(db, [
    { org_id: lot.orgId, user_id: lot.userId, lot_id: row.id, kind: 'ACCRUED', hours: lot.hours, effective_date: lot.earnedOn, reason: lot.reason, source_id: lot.submissionId ?? row.id, created_by: lot.actorId },
  ]);
  await publishToil(db, lot.orgId, lot.userId, 'ACCRUED', lot.actorId, lot.submissionId ?? row.id);
  return row;
}

/**
 * Takes back an unused lot (its submission was cancelled); CONFLICT `TOIL_ALREADY_USED`
 * naming the hours used when some of it has been used. Call with the person locked.
 */
export async function revokeLot(db: TimeDb, lot: ToilLotRow, date: string, reason: string, actorId: string | null): Promise<void> {
  const used = toUnits(lot.used);
  if (used > 0) {
    throw conflict(`${formatUnits(used)} of the ${formatUnits(toUnits(lot.hours))} TOIL hours this submission accrued have already been used; give them back before cancelling`, {
      rule: 'TOIL_ALREADY_USED',
      hoursUsed: Number(formatUnits(used)),
    });
  }
  await revokeToilLot(db, lot.org_id, lot.id);
  await insertToilMovements(db, [
    { org_id: lot.org_id, user_id: lot.user_id, lot_id: lot.id, kind: 'REVOKED', hours: formatUnits(-toUnits(lot.hours), 4), effective_date: date, reason, source_id: lot.submission_id, created_by: actorId },
  ]);
  await publishToil(db, lot.org_id, lot.user_id, 'REVOKED', actorId, lot.submission_id);
}

/** What a use took from each lot. */
export interface LotUse {
  readonly lotId: string;
  /** Ten-thousandths of an hour. */
  readonly units: number;
}

/**
 * Plans a use of `units` on `date` oldest lot first, skipping lots expired on that date.
 * Returns the parts and the shortfall (units that no lot could give).
 */
export function planUse(lots: readonly ToilLotRow[], units: number, date: string): { parts: LotUse[]; shortfall: number } {
  const parts: LotUse[] = [];
  let left = units;
  for (const lot of lots) {
    if (left <= 0) break;
    if (isExpired(lot, date)) continue;
    const free = toUnits(lot.hours) - toUnits(lot.used);
    if (free <= 0) continue;
    const take = Math.min(free, left);
    parts.push({ lotId: lot.id, units: take });
    left -= take;
  }
  return { parts, shortfall: left };
}

/**
 * Uses `hours` of the person's TOIL on `date`, oldest unexpired lots first, once per
 * `sourceId` (a second call with the same source changes nothing and returns false). With
 * `allowPartial` it uses what there is and reports the shortfall; otherwise a shortfall is
 * CONFLICT `INSUFFICIENT_TOIL`. Locks the person's lots; publishes `toil.changed`.
 */
export async function useToil(
  db: TimeDb,
  use: { orgId: string; userId: string; hours: string; date: string; sourceId: string; reason: string; actorId: string | null; allowPartial: boolean },
): Promise<{ applied: boolean; usedUnits: number; shortfallUnits: number }> {
  const lots = await findLiveToilLots(db, use.orgId, use.userId, true);
  const earlier = await findToilMovementsOfSource(db, use.orgId, use.sourceId);
  if (earlier.some((m) => m.kind === 'USED')) return { applied: false, usedUnits: 0, shortfallUnits: 0 };
  const wanted = toUnits(use.hours);
  const { parts, shortfall } = planUse(lots, wanted, use.date);
  if (shortfall > 0 && !use.allowPartial) {
    throw conflict(`only ${formatUnits(wanted - shortfall)} TOIL hours are available on ${use.date}; ${formatUnits(wanted)} requested`, {
      rule: 'INSUFFICIENT_TOIL',
      available: Number(formatUnits(wanted - shortfall)),
      requested: Number(formatUnits(wanted)),
    });
  }
  const byId = new Map(lots.map((l) => [l.id, l]));
  for (const part of parts) {
    const lot = byId.get(part.lotId);
    if (lot) await setToilLotUsed(db, use.orgId, lot.id, formatUnits(toUnits(lot.used) + part.units, 4));
  }
  await insertToilMovements(
    db,
    parts.map((p) => ({ org_id: use.orgId, user_id: use.userId, lot_id: p.lotId, kind: 'USED' as const, hours: formatUnits(-p.units, 4), effective_date: use.date, reason: use.reason, source_id: use.sourceId, created_by: use.actorId })),
  );
  // Published even when nothing could be used, so a consumer waiting for this use learns it is done.
  await publishToil(db, use.orgId, use.userId, 'USED', use.actorId, use.sourceId);
  return { applied: true, usedUnits: wanted - shortfall, shortfallUnits: shortfall };
}

/**
 * Gives back to the same lots (which keep their expiry) what `sourceId` used, once: a
 * second call, or a call for a source that used nothing, changes nothing. Publishes `toil.changed`.
 */
export async function returnToil(db: TimeDb, use: { orgId: string; userId: string; sourceId: string; date: string; reason: string; actorId: string | null }): Promise<number> {
  const lots = await findLiveToilLots(db, use.orgId, use.userId, true);
  const movements = await findToilMovementsOfSource(db, use.orgId, use.sourceId);
  if (movements.some((m) => m.kind === 'RETURNED')) return 0;
  const usedMovements = movements.filter((m) => m.kind === 'USED');
  if (usedMovements.length === 0) return 0;
  const byId = new Map(lots.map((l) => [l.id, l]));
  let total = 0;
  for (const m of usedMovements) {
    const lot = byId.get(m.lot_id);
    const units = -toUnits(m.hours);
    total += units;
    if (lot) await setToilLotUsed(db, use.orgId, lot.id, formatUnits(Math.max(0, toUnits(lot.used) - units), 4));
  }
  await insertToilMovements(
    db,
    usedMovements.map((m) => ({ org_id: use.orgId, user_id: use.userId, lot_id: m.lot_id, kind: 'RETURNED' as const, hours: formatUnits(-toUnits(m.hours), 4), effective_date: use.date, reason: use.reason, source_id: use.sourceId, created_by: use.actorId })),
  );
  await publishToil(db, use.orgId, use.userId, 'RETURNED', use.actorId, use.sourceId);
  return total;
}
