import type { Generated, Selectable } from 'kysely';
import type { LeaveUnit } from './leave-types.ts';

export type LeaveRequestStatus = 'PENDING' | 'APPROVED' | 'REJECTED' | 'CANCELLED';
export type DayPortion = 'FULL_DAY' | 'MORNING' | 'AFTERNOON';

export interface LeaveRequestsTable {
  id: Generated<string>;
  org_id: string;
  user_id: string;
  leave_type_id: string;
  department_id: string | null;
  allowance_id: string | null;
  status: LeaveRequestStatus;
  start_date: string;
  end_date: string;
  first_day_portion: DayPortion;
  last_day_portion: DayPortion;
  first_day_hours: string | null;
  last_day_hours: string | null;
  unit: LeaveUnit;
  /** Deducted amount in the type's unit. */
  amount: string;
  /** Hours of absence (for reports in hours whatever the unit). */
  hours: string;
  reason: string | null;
  comment: string | null;
  decided_by: string | null;
  decided_at: Date | null;
  decision_note: string | null;
  created_by: string | null;
  /** For a type that draws on TOIL: the time subgraph has consumed the lots of this approved request. */
  toil_applied: Generated<boolean>;
  version: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
export type LeaveRequestRow = Selectable<LeaveRequestsTable>;

export type ExcludedReason = 'NON_WORKING_DAY' | 'PUBLIC_HOLIDAY' | 'CLOSURE_DAY';

export interface LeaveRequestDaysTable {
  org_id: string;
  request_id: string;
  date: string;
  amount: string;
  hours: string;
  portion: DayPortion;
  excluded_reason: ExcludedReason | null;
  holiday_name: string | null;
}
export type LeaveRequestDayRow = Selectable<LeaveRequestDaysTable>;

export interface LeaveRequestHistoryTable {
  id: Generated<string>;
  org_id: string;
  request_id: string;
  /** CREATED, UPDATED, APPROVED, REJECTED, CANCELLED. */
  action: string;
  from_status: LeaveRequestStatus | null;
  to_status: LeaveRequestStatus;
  actor_id: string | null;
  note: string | null;
  occurred_at: Generated<Date>;
}
export type LeaveRequestHistoryRow = Selectable<LeaveRequestHistoryTable>;
