import type { Transaction } from 'kysely';
import type { DatabaseHandle } from '../../shared/database.ts';
import { formatUnits } from '../../shared/decimal.ts';
import { isIsoDate } from '../../shared/dates.ts';
import { createOutboxConsumer, hasUnappliedEvents, type OutboxConsumer, type OutboxEvent } from '../../shared/outbox.ts';
import { isId } from '../../shared/validation.ts';
import { TIME_SCHEMA, type TimeDb } from '../db/database.ts';
import { lockPeople } from '../db/repositories/time-settings.ts';
import { returnToil, useToil } from './toil.ts';
import { serviceLogger } from '../../shared/logger.ts';

const log = serviceLogger('time');

/** Name (and cursor) of the consumer that uses and gives back TOIL for leave requests. */
export const TOIL_USE_CONSUMER_NAME = 'time.toil-uses';

/**
 * Applies `toil_use.requested` (a TOIL leave request was approved: use its hours, oldest
 * unexpired lots on its start date first) and `toil_use.cancelled` (an approved one was
 * cancelled: give back to the same lots what it took). Each is keyed by the leave request,
 * and applied in the consumer's transaction with the cursor, so exactly once and in order.
 * TOIL never goes negative: if the lots hold less than the request when it is applied
 * (expiry or an admin's use raced it), what there is is used and the shortfall is logged.
 */
export async function applyToilUse(event: OutboxEvent, trx: Transaction<unknown>): Promise<void> {
  const { userId, leaveRequestId, hours, date } = event.payload;
  if (typeof userId !== 'string' || !isId(userId) || typeof leaveRequestId !== 'string' || !isId(leaveRequestId) || typeof date !== 'string' || !isIsoDate(date)) {
    log.warn({ eventId: event.id }, 'toil use: skipping a malformed event');
    return;
  }
  const db = trx.withSchema(TIME_SCHEMA) as unknown as TimeDb;
  await lockPeople(db, event.orgId, [userId]);
  if (event.type === 'toil_use.requested') {
    if (typeof hours !== 'string' || !/^\d+(\.\d+)?$/.test(hours)) {
      log.warn({ eventId: event.id }, 'toil use: skipping a malformed event');
      return;
    }
    const result = await useToil(db, { orgId: event.orgId, userId, hours, date, sourceId: leaveRequestId, reason: `TOIL leave from ${date}`, actorId: event.actorId, allowPartial: true });
    if (result.shortfallUnits > 0) log.warn({ leaveRequestId, shortfallHours: formatUnits(result.shortfallUnits) }, 'toil use: the leave request found fewer TOIL hours than it asked for');
  } else if (event.type === 'toil_use.cancelled') {
    await returnToil(db, { orgId: event.orgId, userId, sourceId: leaveRequestId, date, reason: `TOIL leave from ${date} cancelled`, actorId: event.actorId });
  }
}

/** The durable consumer of leave's `toil_use.*` events. */
export function createToilUseConsumer(database: DatabaseHandle): OutboxConsumer {
  return createOutboxConsumer({ database, name: TOIL_USE_CONSUMER_NAME, typePrefixes: ['toil_use.'], handle: applyToilUse });
}

/** Read-your-writes for TOIL balances: applies the organization's `toil_use.*` events not applied yet (one statement when none). */
export function createToilUseCatchUp(database: DatabaseHandle, uses: OutboxConsumer): (orgId: string) => Promise<void> {
  return async (orgId) => {
    if (await hasUnappliedEvents(database.root, TOIL_USE_CONSUMER_NAME, ['toil_use.'], orgId)) await uses.catchUp();
  };
}
