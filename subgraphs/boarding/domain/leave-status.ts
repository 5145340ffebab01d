import type { StudentLeaveRow } from '../db/tables/student-leave.ts';
import type { StudentLeaveStatus } from '../db/repositories/student-leave.ts';

/**
 * A leave's status at `now`: CANCELLED once cancelled; else SCHEDULED before its start,
 * ACTIVE from its start (inclusive) until its end (exclusive), PAST from its end.
 */
export function statusAt(row: Pick<StudentLeaveRow, 'starts_at' | 'ends_at' | 'cancelled_at'>, now: Date): StudentLeaveStatus {
  if (row.cancelled_at !== null) return 'CANCELLED';
  const t = now.getTime();
  if (t < row.starts_at.getTime()) return 'SCHEDULED';
  if (t < row.ends_at.getTime()) return 'ACTIVE';
  return 'PAST';
}
