import type { Transaction } from 'kysely';
import type { DatabaseHandle } from '../../shared/database.ts';
import { createOutboxConsumer, type OutboxConsumer, type OutboxEvent } from '../../shared/outbox.ts';
import type { OrganizationSnapshot, UserSnapshot } from '../../shared/people-events.ts';
import { BOARDING_SCHEMA, type BoardingDatabase } from '../db/database.ts';
import { upsertDirectoryOrganization, upsertDirectoryUser } from '../db/repositories/directory.ts';

/** Name (and cursor) of the consumer that keeps boarding's staff directory in step with people. */
export const DIRECTORY_CONSUMER_NAME = 'boarding.directory';

/** Applies one people event to boarding's directory (idempotent: older snapshots lose). */
export async function applyPeopleEvent(event: OutboxEvent, trx: Transaction<unknown>): Promise<void> {
  const db = trx.withSchema(BOARDING_SCHEMA) as unknown as Transaction<BoardingDatabase>;
  if (event.type.startsWith('organization.')) {
    const o = event.payload as unknown as OrganizationSnapshot;
    await upsertDirectoryOrganization(db, { org_id: o.id, time_zone: o.timeZone, last_event_id: event.id });
  } else if (event.type.startsWith('user.')) {
    const u = event.payload as unknown as UserSnapshot;
    await upsertDirectoryUser(db, { id: u.id, org_id: event.orgId, role: u.role, active: u.active, last_event_id: event.id });
  }
}

/** The consumer that keeps boarding's staff directory in step with people (organizations and users). */
export function createDirectoryConsumer(database: DatabaseHandle): OutboxConsumer {
  return createOutboxConsumer({ database, name: DIRECTORY_CONSUMER_NAME, typePrefixes: ['organization.', 'user.'], handle: applyPeopleEvent });
}
