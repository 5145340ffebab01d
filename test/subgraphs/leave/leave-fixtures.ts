// Test data written straight into the leave schema, so suites of coverage, who-is-out,
// reports and documents do not depend on the leave-request service.
import type { LeaveDb } from '../../../subgraphs/leave/db/database.ts';
import { insertLeaveType as insertLeaveTypeRow } from '../../../subgraphs/leave/db/repositories/leave-types.ts';
import type { LeaveRequestStatus } from '../../../subgraphs/leave/db/tables/leave-requests.ts';
import { eachDay, weekdayIndex } from '../../../subgraphs/leave/domain/dates.ts';

export { dataOf, expectError } from '../../helpers/assertions.ts';

/** The leave type the suites start from: VACATION in days, needs approval, half days, no allowance, no negative balance. */
export const LEAVE_TYPE_DEFAULTS = {
  unit: 'DAYS',
  category: 'VACATION',
  paid: true,
  requires_approval: true,
  requires_document: false,
  requires_comment: false,
  half_days_allowed: true,
  deducts_from_allowance: false,
  allow_negative_balance: false,
  private: false,
  default_entitlement: null,
} as const;

/** Inserts a leave type (the defaults, but a negative balance allowed) and returns its id. */
export async function insertLeaveType(
  db: LeaveDb,
  orgId: string,
  values: { name: string; private?: boolean; unit?: 'DAYS' | 'HOURS' },
): Promise<string> {
  const row = await insertLeaveTypeRow(db, {
    ...LEAVE_TYPE_DEFAULTS,
    org_id: orgId,
    name: values.name,
    code: values.name.replace(/[^A-Za-z0-9]/g, '').slice(0, 10).toUpperCase(),
    unit: values.unit ?? 'DAYS',
    allow_negative_balance: true,
    private: values.private ?? false,
  });
  return row.id;
}

export interface TestLeave {
  userId: string;
  leaveTypeId: string;
  startDate: string;
  endDate: string;
  status?: LeaveRequestStatus;
  /** The requester's department when requesting. */
  departmentId?: string | null;
  unit?: 'DAYS' | 'HOURS';
  /** Hours of a working day (default 8). */
  dayHours?: number;
}

/**
 * Inserts a leave request with one day row per calendar day: Monday to Friday deduct 1 day
 * (or `dayHours` hours for the hours unit), weekends nothing. Returns the request id.
 */
export async function insertLeave(db: LeaveDb, orgId: string, leave: TestLeave): Promise<string> {
  const unit = leave.unit ?? 'DAYS';
  const dayHours = leave.dayHours ?? 8;
  const days = eachDay(leave.startDate, leave.endDate).map((date) => {
    const working = weekdayIndex(date) < 5;
    return {
      date,
      amount: working ? (unit === 'DAYS' ? '1' : String(dayHours)) : '0',
      hours: working ? String(dayHours) : '0',
      excluded_reason: working ? null : ('NON_WORKING_DAY' as const),
    };
  });
  const amount = days.reduce((sum, d) => sum + Number(d.amount), 0);
  const hours = days.reduce((sum, d) => sum + Number(d.hours), 0);
  const request = await db
    .insertInto('leave_requests')
    .values({
      org_id: orgId,
      user_id: leave.userId,
      leave_type_id: leave.leaveTypeId,
      department_id: leave.departmentId ?? null,
      status: leave.status ?? 'APPROVED',
      start_date: leave.startDate,
      end_date: leave.endDate,
      first_day_portion: 'FULL_DAY',
      last_day_portion: 'FULL_DAY',
      unit,
      amount: String(amount),
      hours: String(hours),
      created_by: leave.userId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('leave_request_days')
    .values(days.map((d) => ({ ...d, org_id: orgId, request_id: request.id, portion: 'FULL_DAY' as const, holiday_name: null })))
    .execute();
  return request.id;
}
