import type { Generated, Selectable } from 'kysely';

export interface TagsTable {
  id: Generated<string>;
  org_id: string;
  name: string;
  colour: string | null;
  created_at: Generated<Date>;
}
export type TagRow = Selectable<TagsTable>;
