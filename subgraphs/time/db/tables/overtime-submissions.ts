import type { Generated, Selectable } from 'kysely';

export type OvertimeStatus = 'PENDING' | 'APPROVED' | 'REJECTED' | 'CANCELLED';
export type OvertimeAction = 'CREATED' | 'UPDATED' | 'APPROVED' | 'REJECTED' | 'CANCELLED';

export interface OvertimeSubmissionsTable {
  id: Generated<string>;
  org_id: string;
  user_id: string;
  department_id: string | null;
  overtime_type_id: string;
  date: string;
  hours: string;
  /** `HH:MM`, optional. */
  start_time: string | null;
  end_time: string | null;
  description: string | null;
  status: OvertimeStatus;
  /** TOIL hours the approval accrued (hours × multiplier); null until approved, or for PAID types. */
  toil_hours_accrued: string | null;
  decided_by: string | null;
  decided_at: Date | null;
  decision_note: string | null;
  created_by: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
export type OvertimeSubmissionRow = Selectable<OvertimeSubmissionsTable>;

export interface OvertimeSubmissionHistoryTable {
  id: Generated<string>;
  org_id: string;
  submission_id: string;
  action: OvertimeAction;
  /** The status after the transition. */
  status: OvertimeStatus;
  actor_id: string | null;
  note: string | null;
  created_at: Generated<Date>;
}
export type OvertimeSubmissionHistoryRow = Selectable<OvertimeSubmissionHistoryTable>;
