import { sql, type QueryExecutorProvider, type Transaction } from 'kysely';
import type { DatabaseHandle } from '../../shared/database.ts';
import { EVENTS_SCHEMA } from '../../shared/events-migrations/index.ts';
import { createOutboxConsumer, type OutboxConsumer, type OutboxEvent } from '../../shared/outbox.ts';
import { DEFAULT_FULL_TIME_WEEKLY_HOURS, PEOPLE_EVENT_PREFIXES, type DepartmentSnapshot, type OrganizationSnapshot, type UserSnapshot } from '../../shared/people-events.ts';
import { LEAVE_SCHEMA, type LeaveDatabase } from '../db/database.ts';
import {
  findDirectoryOrganization,
  findDirectoryUsers,
  upsertDirectoryDepartment,
  upsertDirectoryOrganization,
  upsertDirectoryUser,
} from '../db/repositories/directory.ts';
import { recomputeAllowancesOfPerson, recomputeHoursAllowancesOfOrganization } from './allowance-recompute.ts';
import { todayIn } from './dates.ts';

/** Name (and cursor) of the consumer that keeps leave's directory in step with people. */
export const DIRECTORY_CONSUMER_NAME = 'leave.directory';

/** Options of the directory consumer. */
export interface DirectoryConsumerOptions {
  /** Clock deciding which leave years are over (in the organization's time zone); default the system clock. */
  readonly now?: () => Date;
}

/**
 * Applies one people event to leave's local directory (idempotent: older snapshots lose),
 * in the consumer's transaction. Allowances follow what changed, in that same transaction:
 * a person's new working pattern, employment type or start date recomputes their allowances
 * of leave years not yet over on `now` (`recomputeAllowancesOfPerson`), a new full-time week
 * the organization's hours allowances (`recomputeHoursAllowancesOfOrganization`), each with a
 * ledger line and an `allowance.changed` event. A snapshot already applied, or one that
 * changes none of those fields, recomputes nothing.
 */
export async function applyPeopleEvent(event: OutboxEvent, trx: Transaction<unknown>, now: Date = new Date()): Promise<void> {
  const db = trx.withSchema(LEAVE_SCHEMA) as unknown as Transaction<LeaveDatabase>;
  if (event.type.startsWith('organization.')) {
    const o = event.payload as unknown as OrganizationSnapshot;
    const before = await findDirectoryOrganization(db, o.id);
    const row = {
      org_id: o.id,
      time_zone: o.timeZone,
      country: o.country,
      leave_year_start_month: o.leaveYearStartMonth,
      full_time_weekly_hours: o.fullTimeWeeklyHours ?? DEFAULT_FULL_TIME_WEEKLY_HOURS,
      last_event_id: event.id,
    };
    await upsertDirectoryOrganization(db, row);
    if (before && before.last_event_id < event.id) {
      await recomputeHoursAllowancesOfOrganization(db, row, before.full_time_weekly_hours, {
        today: todayIn(row.time_zone, now),
        actorId: event.actorId,
      });
    }
  } else if (event.type.startsWith('department.')) {
    const d = event.payload as unknown as DepartmentSnapshot;
    await upsertDirectoryDepartment(db, { id: d.id, org_id: event.orgId, manager_id: d.managerId, active: d.active, last_event_id: event.id });
  } else if (event.type.startsWith('user.')) {
    const u = event.payload as unknown as UserSnapshot;
    const [before] = await findDirectoryUsers(db, event.orgId, [u.id]);
    const row = {
      id: u.id,
      org_id: event.orgId,
      department_id: u.departmentId,
      manager_id: u.managerId,
      role: u.role,
      country: u.country,
      region: u.region,
      working_pattern: [...u.workingPattern],
      employment_type: u.employmentType,
      employment_start_date: u.employmentStartDate,
      active: u.active,
      last_event_id: event.id,
    };
    await upsertDirectoryUser(db, row);
    if (before && before.last_event_id < event.id) {
      const org = await findDirectoryOrganization(db, event.orgId);
      if (org) await recomputeAllowancesOfPerson(db, org, before, row, { today: todayIn(org.time_zone, now), actorId: event.actorId });
    }
  }
}

/** The consumer that keeps leave's directory in step with people (`applyPeopleEvent`). */
export function createDirectoryConsumer(database: DatabaseHandle, options: DirectoryConsumerOptions = {}): OutboxConsumer {
  const now = options.now ?? (() => new Date());
  return createOutboxConsumer({
    database,
    name: DIRECTORY_CONSUMER_NAME,
    typePrefixes: PEOPLE_EVENT_PREFIXES,
    handle: (event, trx) => applyPeopleEvent(event, trx, now()),
  });
}

/**
 * True when the outbox holds a people event (`PEOPLE_EVENT_PREFIXES`) about one of
 * `entityIds` with an id strictly between `afterId` and `beforeId`: one the directory has
 * yet to apply when `afterId` is its cursor.
 */
export async function hasPeopleEventsBetween(db: QueryExecutorProvider, afterId: number, beforeId: number, entityIds: readonly string[]): Promise<boolean> {
  if (afterId + 1 >= beforeId || entityIds.length === 0) return false;
  const types = sql.join(
    PEOPLE_EVENT_PREFIXES.map((prefix) => sql`type like ${`${prefix}%`}`),
    sql` or `,
  );
  const { rows } = await sql<{ pending: boolean }>`
    select exists (
      select 1 from ${sql.id(EVENTS_SCHEMA, 'outbox')}
      where id > ${afterId} and id < ${beforeId}
        and (${types})
        and entity_id in (${sql.join(entityIds)})
    ) as pending`.execute(db);
  return rows[0]?.pending === true;
}
