import type { ColumnType, Generated, Selectable } from 'kysely';
import type { Role } from '../../../shared/identity.ts';

export type EmploymentType = 'FULL_TIME' | 'PART_TIME' | 'IRREGULAR_HOURS';

export interface UsersTable {
  id: Generated<string>;
  org_id: string;
  email: string;
  first_name: string;
  last_name: string;
  role: Role;
  department_id: string | null;
  manager_id: string | null;
  site_id: string | null;
  country: string | null;
  region: string | null;
  employment_start_date: string | null;
  employment_type: Generated<EmploymentType>;
  /** Hours for Monday..Sunday as decimal strings. */
  working_pattern: ColumnType<string[], string[] | undefined, string[]>;
  external_id: string | null;
  deactivated_at: Date | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
export type UserRow = Selectable<UsersTable>;
