import type { Generated, Selectable } from 'kysely';

export interface PastoralCategoriesTable {
  id: Generated<string>;
  org_id: string;
  parent_id: string | null;
  name: string;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
export type PastoralCategoryRow = Selectable<PastoralCategoriesTable>;

export interface PastoralRecordsTable {
  id: Generated<string>;
  org_id: string;
  student_id: string;
  category_id: string;
  occurred_at: Date;
  description: string;
  action: string | null;
  note: string | null;
  attachments: string[];
  points: number | null;
  watchlist: boolean;
  watchlist_expires_at: Date | null;
  sensitive: boolean;
  created_by: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
export type PastoralRecordRow = Selectable<PastoralRecordsTable>;
