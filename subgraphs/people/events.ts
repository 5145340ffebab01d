import type { NewEvent } from '../shared/outbox.ts';
import type { DepartmentSnapshot, OrganizationSnapshot, UserSnapshot } from '../shared/people-events.ts';
import type { DepartmentRow } from './db/tables/departments.ts';
import type { OrganizationRow } from './db/tables/organizations.ts';
import type { UserRow } from './db/tables/users.ts';
import type { PeopleDb } from './db/database.ts';
import { findDepartmentsOfOrganization } from './db/repositories/departments.ts';
import { findOrganizations } from './db/repositories/organizations.ts';
import { findUsersOfOrganization } from './db/repositories/users.ts';

/** The event of a write to an organization. */
export function organizationEvent(row: OrganizationRow, type: 'created' | 'updated', actorId: string | null): NewEvent {
  const payload: OrganizationSnapshot = {
    id: row.id,
    name: row.name,
    timeZone: row.time_zone,
    country: row.country,
    leaveYearStartMonth: row.leave_year_start_month,
    fullTimeWeeklyHours: row.full_time_weekly_hours,
  };
  return { orgId: row.id, type: `organization.${type}`, entityType: 'Organization', entityId: row.id, actorId, payload: { ...payload } };
}

/** The event of a write to a user. */
export function userEvent(
  row: UserRow,
  type: 'created' | 'updated' | 'deactivated' | 'reactivated',
  actorId: string | null,
): NewEvent {
  const payload: UserSnapshot = {
    id: row.id,
    email: row.email,
    name: `${row.first_name} ${row.last_name}`,
    role: row.role,
    departmentId: row.department_id,
    managerId: row.manager_id,
    country: row.country,
    region: row.region,
    workingPattern: row.working_pattern,
    employmentType: row.employment_type,
    employmentStartDate: row.employment_start_date,
    externalId: row.external_id,
    active: row.deactivated_at === null,
  };
  return { orgId: row.org_id, type: `user.${type}`, entityType: 'User', entityId: row.id, actorId, payload: { ...payload } };
}

/** The event of a write to a department. */
export function departmentEvent(row: DepartmentRow, type: 'created' | 'updated' | 'deactivated', actorId: string | null): NewEvent {
  const payload: DepartmentSnapshot = { id: row.id, name: row.name, managerId: row.manager_id, active: row.deactivated_at === null };
  return { orgId: row.org_id, type: `department.${type}`, entityType: 'Department', entityId: row.id, actorId, payload: { ...payload } };
}

/**
 * Snapshot events of a whole organization: the organization, then every department and
 * user, as if each had just been created. Published after bulk writes that bypass the
 * mutations (the demo seed), so consumers learn the same facts.
 */
export async function organizationSnapshotEvents(db: PeopleDb, orgId: string): Promise<NewEvent[]> {
  const [org] = await findOrganizations(db, [orgId]);
  if (!org) return [];
  const departments = await findDepartmentsOfOrganization(db, orgId);
  const users = await findUsersOfOrganization(db, orgId);
  return [
    organizationEvent(org, 'created', null),
    ...departments.map((d) => departmentEvent(d, 'created', null)),
    ...users.map((u) => userEvent(u, 'created', null)),
  ];
}
