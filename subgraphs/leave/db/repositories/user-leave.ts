import type { LeaveDb } from '../database.ts';
import type { LeaveRequestRow } from '../tables/leave-requests.ts';
import type { LeaveTypeRow } from '../tables/leave-types.ts';

// Queries behind the fields leave adds to `User`: each serves a whole batch of users.

/** Active leave types counted against an allowance, by name. */
export async function findDeductingLeaveTypes(db: LeaveDb, orgId: string): Promise<LeaveTypeRow[]> {
  return db
    .selectFrom('leave_types')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('deducts_from_allowance', '=', true)
    .where('deactivated_at', 'is', null)
    .orderBy('name')
    .orderBy('id')
    .execute();
}

/** Approved requests covering `date` of any of `userIds` (at most one each, unless they overlap). */
export async function findApprovedLeaveOn(db: LeaveDb, orgId: string, userIds: readonly string[], date: string): Promise<LeaveRequestRow[]> {
  if (userIds.length === 0) return [];
  return db
    .selectFrom('leave_requests')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('user_id', 'in', userIds)
    .where('status', '=', 'APPROVED')
    .where('start_date', '<=', date)
    .where('end_date', '>=', date)
    .orderBy('start_date')
    .execute();
}
