import type { Generated, Selectable } from 'kysely';

export interface TeamsTable {
  id: Generated<string>;
  org_id: string;
  name: string;
  description: string | null;
  department_id: string | null;
  deactivated_at: Date | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
export type TeamRow = Selectable<TeamsTable>;
