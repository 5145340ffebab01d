import type { Generated, GeneratedAlways, Selectable } from 'kysely';

export interface OrganizationsTable {
  id: Generated<string>;
  name: string;
  time_zone: string;
  country: string;
  leave_year_start_month: Generated<number>;
  /** Hours of the organization's full-time week (numeric(5,2), > 0, <= 168, default 40), which hours-unit allowances are pro-rated against. */
  full_time_weekly_hours: Generated<string>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  /** The live organization this one is the sandbox (test-mode data) of; null for a live organization. */
  sandbox_of: string | null;
  /** `sandbox_of is not null`, kept by the database. */
  is_sandbox: GeneratedAlways<boolean>;
  /** False for a sandbox, null otherwise: with `is_sandbox`, lets a foreign key refuse a sandbox of a sandbox. */
  sandbox_of_is_sandbox: GeneratedAlways<boolean | null>;
}
export type OrganizationRow = Selectable<OrganizationsTable>;
