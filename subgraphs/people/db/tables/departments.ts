import type { Generated, Selectable } from 'kysely';

export interface DepartmentsTable {
  id: Generated<string>;
  org_id: string;
  name: string;
  manager_id: string | null;
  deactivated_at: Date | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
export type DepartmentRow = Selectable<DepartmentsTable>;
