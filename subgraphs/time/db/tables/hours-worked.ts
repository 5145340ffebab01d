import type { Generated, Selectable } from 'kysely';

/** The hours a person worked on one day (the last recorded); `revision` counts replacements. */
export interface HoursWorkedTable {
  id: Generated<string>;
  org_id: string;
  user_id: string;
  date: string;
  hours: string;
  /** Leave type to accrue into; null: the organization's default. */
  leave_type_id: string | null;
  revision: Generated<number>;
  recorded_by: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
export type HoursWorkedRow = Selectable<HoursWorkedTable>;
