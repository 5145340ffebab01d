import type { ColumnType, Generated, Selectable } from 'kysely';

export interface StudentLeaveTypesTable {
  id: Generated<string>;
  org_id: string;
  name: string;
  short_code: string;
  description: string | null;
  deactivated_at: Date | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
export type StudentLeaveTypeRow = Selectable<StudentLeaveTypesTable>;

export interface StudentLeavesTable {
  id: Generated<string>;
  org_id: string;
  student_id: string;
  leave_type_id: string;
  starts_at: Date;
  ends_at: Date;
  location_id: string | null;
  note: string | null;
  cancelled_at: Date | null;
  /** When `student_leave.activated` was published (claimed by one instance); null before. */
  activation_published_at: Date | null;
  created_by: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
export type StudentLeaveRow = Selectable<StudentLeavesTable>;

export type StudentLeaveAction = 'CREATED' | 'UPDATED' | 'CANCELLED';

export interface StudentLeaveHistoryTable {
  id: Generated<string>;
  /** Insertion order (bigint, read as a string). */
  seq: Generated<string>;
  org_id: string;
  leave_id: string;
  action: StudentLeaveAction;
  comment: string | null;
  actor_id: string | null;
  changes: ColumnType<Record<string, unknown>, string, string>;
  at: Date;
}
export type StudentLeaveHistoryRow = Selectable<StudentLeaveHistoryTable>;
