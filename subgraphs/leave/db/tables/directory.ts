import type { Selectable } from 'kysely';
import type { Role } from '../../../shared/identity.ts';

/** What leave knows of an organization (from people's events). */
export interface DirectoryOrganizationsTable {
  org_id: string;
  time_zone: string;
  country: string;
  leave_year_start_month: number;
  /** Hours of the organization's full-time week (decimal string, 2 places), which hours allowances are pro-rated against. */
  full_time_weekly_hours: string;
  last_event_id: number;
}
export type DirectoryOrganizationRow = Selectable<DirectoryOrganizationsTable>;

/** What leave knows of a department (from people's events). */
export interface DirectoryDepartmentsTable {
  id: string;
  org_id: string;
  manager_id: string | null;
  active: boolean;
  last_event_id: number;
}
export type DirectoryDepartmentRow = Selectable<DirectoryDepartmentsTable>;

export type EmploymentType = 'FULL_TIME' | 'PART_TIME' | 'IRREGULAR_HOURS';

/** What leave knows of a person (from people's events). */
export interface DirectoryUsersTable {
  id: string;
  org_id: string;
  department_id: string | null;
  manager_id: string | null;
  role: Role;
  country: string | null;
  region: string | null;
  /** Hours Monday..Sunday as decimal strings. */
  working_pattern: string[];
  employment_type: EmploymentType;
  employment_start_date: string | null;
  active: boolean;
  last_event_id: number;
}
export type DirectoryUserRow = Selectable<DirectoryUsersTable>;
