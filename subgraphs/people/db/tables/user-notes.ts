import type { Generated, Selectable } from 'kysely';

export interface UserNotesTable {
  id: Generated<string>;
  org_id: string;
  user_id: string;
  author_id: string | null;
  body: string;
  created_at: Generated<Date>;
}
export type UserNoteRow = Selectable<UserNotesTable>;
