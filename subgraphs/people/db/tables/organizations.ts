import type { Generated, Selectable } from 'kysely';

export interface OrganizationsTable {
  id: Generated<string>;
  name: string;
  time_zone: string;
  country: string;
  leave_year_start_month: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
export type OrganizationRow = Selectable<OrganizationsTable>;
