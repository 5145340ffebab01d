import type { Generated, Selectable } from 'kysely';

/** An organization's time settings; no row: the defaults. */
export interface TimeSettingsTable {
  org_id: string;
  /** Months after the overtime date until TOIL expires; null: never. */
  toil_expiry_months: number | null;
  updated_at: Generated<Date>;
}
export type TimeSettingsRow = Selectable<TimeSettingsTable>;
