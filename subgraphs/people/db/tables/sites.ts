import type { Generated, Selectable } from 'kysely';

export interface SitesTable {
  id: Generated<string>;
  org_id: string;
  name: string;
  time_zone: string | null;
  country: string | null;
  region: string | null;
  address: string | null;
  deactivated_at: Date | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
export type SiteRow = Selectable<SitesTable>;
