import type { Generated, Selectable } from 'kysely';

/** A blackout day on which leave may not be requested (organization-wide or one department). */
export interface RestrictedDaysTable {
  id: Generated<string>;
  org_id: string;
  department_id: string | null;
  date: string;
  name: string;
  note: string | null;
  created_by: string | null;
  created_at: Generated<Date>;
}
export type RestrictedDayRow = Selectable<RestrictedDaysTable>;

/** A day the whole organization is closed: never deducted from allowances. */
export interface ClosureDaysTable {
  id: Generated<string>;
  org_id: string;
  date: string;
  name: string;
  created_by: string | null;
  created_at: Generated<Date>;
}
export type ClosureDayRow = Selectable<ClosureDaysTable>;
