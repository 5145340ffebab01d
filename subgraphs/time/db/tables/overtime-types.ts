import type { Generated, Selectable } from 'kysely';

/** How overtime of a type is compensated. */
export type Compensation = 'TOIL' | 'PAID';

export interface OvertimeTypesTable {
  id: Generated<string>;
  org_id: string;
  name: string;
  code: string;
  colour: string | null;
  compensation: Compensation;
  /** TOIL hours per hour of overtime (TOIL types only). */
  toil_multiplier: string | null;
  retired_at: Date | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
export type OvertimeTypeRow = Selectable<OvertimeTypesTable>;
