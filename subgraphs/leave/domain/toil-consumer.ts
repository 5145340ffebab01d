import type { Transaction } from 'kysely';
import { conflict } from '../../shared/errors.ts';
import { formatUnits, toUnits } from '../../shared/decimal.ts';
import type { DatabaseHandle } from '../../shared/database.ts';
import { createOutboxConsumer, hasUnappliedEvents, type NewEvent, type OutboxConsumer, type OutboxEvent } from '../../shared/outbox.ts';
import { isId } from '../../shared/validation.ts';
import { LEAVE_SCHEMA, type LeaveDb } from '../db/database.ts';
import { findToilBalance, markToilApplied, unappliedToilHours, upsertToilBalance } from '../db/repositories/toil-balances.ts';
import type { LeaveRequestRow } from '../db/tables/leave-requests.ts';
import type { ToilLotSnapshot } from '../db/tables/toil-balances.ts';
import { serviceLogger } from '../../shared/logger.ts';

const log = serviceLogger('leave');

/** Name (and cursor) of the consumer that keeps leave's TOIL projection. */
export const TOIL_CONSUMER_NAME = 'leave.toil';

function parseLots(value: unknown): ToilLotSnapshot[] | null {
  if (!Array.isArray(value)) return null;
  const lots: ToilLotSnapshot[] = [];
  for (const lot of value as Record<string, unknown>[]) {
    const { id, earnedOn, hours, used, expiresOn } = lot ?? {};
    if (typeof id !== 'string' || typeof earnedOn !== 'string' || typeof hours !== 'string' || typeof used !== 'string') return null;
    if (expiresOn !== null && typeof expiresOn !== 'string') return null;
    lots.push({ id, earnedOn, hours, used, expiresOn });
  }
  return lots;
}

/**
 * Applies one `toil.changed` (time's snapshot of a person's live lots) to the projection;
 * a snapshot caused by using or giving back TOIL for a leave request marks that request
 * applied, so its hours stop counting as not yet consumed.
 */
export async function applyToilEvent(event: OutboxEvent, trx: Transaction<unknown>): Promise<void> {
  if (event.type !== 'toil.changed') return;
  const { userId, lots, sourceId, cause } = event.payload;
  const parsed = parseLots(lots);
  if (typeof userId !== 'string' || !isId(userId) || !parsed) {
    log.warn({ eventId: event.id }, 'toil projection: skipping a malformed event');
    return;
  }
  const db = trx.withSchema(LEAVE_SCHEMA) as unknown as LeaveDb;
  await upsertToilBalance(db, event.orgId, userId, parsed, event.id);
  if (cause === 'USED' && typeof sourceId === 'string' && isId(sourceId)) await markToilApplied(db, event.orgId, sourceId);
}

/** The consumer of time's `toil.*` events. */
export function createToilConsumer(database: DatabaseHandle): OutboxConsumer {
  return createOutboxConsumer({ database, name: TOIL_CONSUMER_NAME, typePrefixes: ['toil.'], handle: applyToilEvent });
}

/** Unused hours of `lots` that can still be used on `date` (a lot expires at the start of its `expiresOn`), in ten-thousandths. */
export function usableToilUnits(lots: readonly ToilLotSnapshot[], date: string): number {
  return lots.filter((l) => l.expiresOn === null || l.expiresOn > date).reduce((sum, l) => sum + toUnits(l.hours) - toUnits(l.used), 0);
}

/**
 * Refuses a request of a TOIL-drawing type that needs more hours than the person's TOIL
 * usable on its start date minus their other pending and approved-but-not-yet-applied TOIL
 * requests: CONFLICT `INSUFFICIENT_TOIL` with `available` and `requested`. Call with the
 * person's requests locked (so two requests for the last hours serialize).
 */
export async function checkToil(trx: LeaveDb, orgId: string, userId: string, startDate: string, requestedUnits: number, exceptId: string | null): Promise<void> {
  const balance = await findToilBalance(trx, orgId, userId);
  const usable = usableToilUnits(balance?.lots ?? [], startDate);
  const reserved = toUnits(await unappliedToilHours(trx, orgId, userId, exceptId));
  const available = Math.max(0, usable - reserved);
  if (requestedUnits > available) {
    throw conflict(`only ${formatUnits(available)} TOIL hours are available on ${startDate} (after other pending and approved TOIL leave); ${formatUnits(requestedUnits)} requested`, {
      rule: 'INSUFFICIENT_TOIL',
      available: Number(formatUnits(available)),
      requested: Number(formatUnits(requestedUnits)),
    });
  }
}

/**
 * The events that ask the time subgraph to use (on approval) or give back (on cancelling an
 * approved request) the request's TOIL: `toil_use.requested` and `toil_use.cancelled`, keyed
 * by the request id, which time uses exactly once each.
 */
export function toilUseEvents(row: LeaveRequestRow, transition: 'APPROVED' | 'CANCELLED', actorId: string | null): NewEvent[] {
  return [
    {
      orgId: row.org_id,
      type: transition === 'APPROVED' ? 'toil_use.requested' : 'toil_use.cancelled',
      entityType: 'LeaveRequest',
      entityId: row.id,
      actorId,
      payload: { userId: row.user_id, leaveRequestId: row.id, hours: row.amount, date: row.start_date },
    },
  ];
}

/** Read-your-writes for the projection: applies the organization's `toil.*` events not applied yet (one statement when none). */
export function createToilCatchUp(database: DatabaseHandle, toil: OutboxConsumer): (orgId: string) => Promise<void> {
  return async (orgId) => {
    if (await hasUnappliedEvents(database.root, TOIL_CONSUMER_NAME, ['toil.'], orgId)) await toil.catchUp();
  };
}
