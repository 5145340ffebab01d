import type { Selectable } from 'kysely';
import type { Role } from '../../../shared/identity.ts';

/** What time knows of an organization (from people's events). */
export interface DirectoryOrganizationsTable {
  org_id: string;
  time_zone: string;
  last_event_id: number;
}
export type DirectoryOrganizationRow = Selectable<DirectoryOrganizationsTable>;

/** What time knows of a department (from people's events). */
export interface DirectoryDepartmentsTable {
  id: string;
  org_id: string;
  manager_id: string | null;
  active: boolean;
  last_event_id: number;
}
export type DirectoryDepartmentRow = Selectable<DirectoryDepartmentsTable>;

export type EmploymentType = 'FULL_TIME' | 'PART_TIME' | 'IRREGULAR_HOURS';

/** What time knows of a person (from people's events). */
export interface DirectoryUsersTable {
  id: string;
  org_id: string;
  department_id: string | null;
  manager_id: string | null;
  role: Role;
  employment_type: EmploymentType;
  /** Id in another HR or rostering system, for hours worked by external id. */
  external_id: string | null;
  active: boolean;
  last_event_id: number;
}
export type DirectoryUserRow = Selectable<DirectoryUsersTable>;
