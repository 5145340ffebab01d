import type { NewEvent } from '../shared/outbox.ts';
import type { HoursWorkedRow } from './db/tables/hours-worked.ts';
import type { OvertimeSubmissionRow } from './db/tables/overtime-submissions.ts';
import type { ToilLotRow } from './db/tables/toil.ts';

/** Transitions an overtime submission publishes, as `overtime.<action>`. */
export type OvertimeAction = 'created' | 'updated' | 'deleted' | 'approved' | 'rejected' | 'cancelled';

/** The event of an overtime submission transition; the payload carries what subscribers filter on. */
export function overtimeEvent(row: OvertimeSubmissionRow, action: OvertimeAction, actorId: string | null, note?: string | null): NewEvent {
  return {
    orgId: row.org_id,
    type: `overtime.${action}`,
    entityType: 'OvertimeSubmission',
    entityId: row.id,
    actorId,
    payload: {
      userId: row.user_id,
      departmentId: row.department_id,
      overtimeTypeId: row.overtime_type_id,
      status: row.status,
      date: row.date,
      hoursWorked: row.hours,
      toilHoursAccrued: row.toil_hours_accrued,
      ...(note ? { note } : {}),
    },
  };
}

/** Why a person's TOIL changed. */
export type ToilChangeCause = 'ACCRUED' | 'REVOKED' | 'USED' | 'RETURNED' | 'ADJUSTED';

/**
 * `toil.changed`: the person's TOIL after a write, with a snapshot of every live lot
 * (hours, used, expiry), so a consumer can keep a projection without asking time.
 */
export function toilChangedEvent(orgId: string, userId: string, cause: ToilChangeCause, actorId: string | null, lots: readonly ToilLotRow[], sourceId: string | null): NewEvent {
  return {
    orgId,
    type: 'toil.changed',
    entityType: 'User',
    entityId: userId,
    actorId,
    payload: {
      userId,
      cause,
      sourceId,
      lots: lots.map((l) => ({ id: l.id, earnedOn: l.earned_on, hours: l.hours, used: l.used, expiresOn: l.expires_on })),
    },
  };
}

/**
 * `hours_worked.recorded`, as leave's accrual consumer reads it: `submissionId` is unique per
 * revision of the day (`<entry id>:<revision>`), so a replay accrues nothing twice; `entryId`
 * names the day, so a correction moves the accrual by the difference.
 */
export function hoursWorkedEvent(row: HoursWorkedRow, actorId: string | null, previousHours: string | null): NewEvent {
  return {
    orgId: row.org_id,
    type: 'hours_worked.recorded',
    entityType: 'HoursWorked',
    entityId: row.id,
    actorId,
    payload: {
      userId: row.user_id,
      date: row.date,
      hoursWorked: row.hours,
      leaveTypeId: row.leave_type_id,
      submissionId: `${row.id}:${row.revision}`,
      entryId: row.id,
      revision: row.revision,
      previousHoursWorked: previousHours,
    },
  };
}
