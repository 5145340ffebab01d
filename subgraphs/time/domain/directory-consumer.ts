import type { Transaction } from 'kysely';
import type { DatabaseHandle } from '../../shared/database.ts';
import { createOutboxConsumer, type OutboxConsumer, type OutboxEvent } from '../../shared/outbox.ts';
import { PEOPLE_EVENT_PREFIXES, type DepartmentSnapshot, type OrganizationSnapshot, type UserSnapshot } from '../../shared/people-events.ts';
import { TIME_SCHEMA, type TimeDb } from '../db/database.ts';
import { upsertDirectoryDepartment, upsertDirectoryOrganization, upsertDirectoryUser } from '../db/repositories/directory.ts';

/** Name (and cursor) of the consumer that keeps time's directory in step with people. */
export const TIME_DIRECTORY_CONSUMER_NAME = 'time.directory';

/** Applies one people event to time's local directory (idempotent: older snapshots lose). */
export async function applyPeopleEvent(event: OutboxEvent, trx: Transaction<unknown>): Promise<void> {
  const db = trx.withSchema(TIME_SCHEMA) as unknown as TimeDb;
  if (event.type.startsWith('organization.')) {
    const o = event.payload as unknown as OrganizationSnapshot;
    await upsertDirectoryOrganization(db, { org_id: o.id, time_zone: o.timeZone, last_event_id: event.id });
  } else if (event.type.startsWith('department.')) {
    const d = event.payload as unknown as DepartmentSnapshot;
    await upsertDirectoryDepartment(db, { id: d.id, org_id: event.orgId, manager_id: d.managerId, active: d.active, last_event_id: event.id });
  } else if (event.type.startsWith('user.')) {
    const u = event.payload as unknown as UserSnapshot;
    await upsertDirectoryUser(db, {
      id: u.id,
      org_id: event.orgId,
      department_id: u.departmentId,
      manager_id: u.managerId,
      role: u.role,
      employment_type: u.employmentType,
      external_id: u.externalId ?? null,
      active: u.active,
      last_event_id: event.id,
    });
  }
}

/** The consumer that keeps time's directory in step with people. */
export function createTimeDirectoryConsumer(database: DatabaseHandle): OutboxConsumer {
  return createOutboxConsumer({ database, name: TIME_DIRECTORY_CONSUMER_NAME, typePrefixes: PEOPLE_EVENT_PREFIXES, handle: applyPeopleEvent });
}
