import type { ColumnType, Generated, Selectable } from 'kysely';

export type RollCodeType = 'PRESENT' | 'EXPLAINED_ABSENCE' | 'ABSENT';
export type RollKind = 'DAILY' | 'EMERGENCY';
export type RollMode = 'MANUAL' | 'AUTOMATIC';
export type RollStatus = 'SCHEDULED' | 'ACTIVE' | 'COMPLETE';
export type PassState = 'ALL' | 'IN' | 'OUT';

/** A code of a roll type (and of each roll, copied when it starts). */
export interface RollCode {
  readonly name: string;
  readonly type: RollCodeType;
}
/** jsonb: read as parsed JSON, written as a JSON string. */
type Codes = ColumnType<RollCode[], string, string>;

export interface RollTypesTable {
  id: Generated<string>;
  org_id: string;
  name: string;
  codes: Codes;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
export type RollTypeRow = Selectable<RollTypesTable>;

export interface RollsTable {
  id: Generated<string>;
  org_id: string;
  roll_type_id: string;
  roll_type_name: string;
  kind: RollKind;
  mode: RollMode;
  status: RollStatus;
  reference_label: string | null;
  house_filter_id: string | null;
  group_filter: string | null;
  pass_state_filter: PassState;
  codes: Codes;
  starts_at: Date;
  late_at: Date | null;
  ends_at: Date | null;
  completed_at: Date | null;
  created_by: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
export type RollRow = Selectable<RollsTable>;

export interface RollAssignmentsTable {
  org_id: string;
  roll_id: string;
  student_id: string;
  code_name: string | null;
  code_type: RollCodeType | null;
  marked_at: Date | null;
  marked_by: string | null;
  note: string | null;
}
export type RollAssignmentRow = Selectable<RollAssignmentsTable>;
