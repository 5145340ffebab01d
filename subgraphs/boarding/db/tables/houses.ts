import type { Generated, Selectable } from 'kysely';

export interface HousesTable {
  id: Generated<string>;
  org_id: string;
  sis_id: string | null;
  name: string;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
export type HouseRow = Selectable<HousesTable>;
