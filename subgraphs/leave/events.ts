import type { NewEvent } from '../shared/outbox.ts';
import type { AllowanceRow } from './db/tables/allowances.ts';
import type { LeaveRequestRow } from './db/tables/leave-requests.ts';

/** Transitions a leave request publishes, as `leave_request.<action>`. */
export type LeaveRequestAction = 'created' | 'updated' | 'approved' | 'rejected' | 'cancelled';

/**
 * The event of a leave request transition. The payload carries what subscribers filter on
 * (user, department, type, status) so a filter never needs another query.
 */
export function leaveRequestEvent(row: LeaveRequestRow, action: LeaveRequestAction, actorId: string | null, note?: string | null): NewEvent {
  return {
    orgId: row.org_id,
    type: `leave_request.${action}`,
    entityType: 'LeaveRequest',
    entityId: row.id,
    actorId,
    payload: {
      userId: row.user_id,
      departmentId: row.department_id,
      leaveTypeId: row.leave_type_id,
      status: row.status,
      startDate: row.start_date,
      endDate: row.end_date,
      amount: row.amount,
      unit: row.unit,
      ...(note ? { note } : {}),
    },
  };
}

/**
 * Why an allowance changed. RECOMPUTED: its entitlement followed a change of the person's
 * working pattern, employment type or start date, or of the organization's full-time week.
 */
export type AllowanceChangeCause =
  | 'SET'
  | 'ADJUSTED'
  | 'ACCRUED'
  | 'RECOMPUTED'
  | 'REQUEST_CREATED'
  | 'REQUEST_UPDATED'
  | 'REQUEST_DECIDED'
  | 'REQUEST_CANCELLED';

/** The event of a change to an allowance's entitlement, ledger, used or pending amounts. */
export function allowanceChangedEvent(row: AllowanceRow, cause: AllowanceChangeCause, actorId: string | null, requestId?: string): NewEvent {
  return {
    orgId: row.org_id,
    type: 'allowance.changed',
    entityType: 'Allowance',
    entityId: row.id,
    actorId,
    payload: { userId: row.user_id, leaveTypeId: row.leave_type_id, year: row.year, cause, ...(requestId ? { leaveRequestId: requestId } : {}) },
  };
}
