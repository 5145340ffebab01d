import type { Generated, Selectable } from 'kysely';

export type CoverageEnforcement = 'WARN' | 'BLOCK';

export interface CoverageRulesTable {
  id: Generated<string>;
  org_id: string;
  department_id: string;
  name: string;
  minimum_percent: string | null;
  minimum_count: number | null;
  enforcement: CoverageEnforcement;
  deleted_at: Date | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
export type CoverageRuleRow = Selectable<CoverageRulesTable>;
