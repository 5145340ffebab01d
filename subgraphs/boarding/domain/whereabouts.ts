import type { BoardingDb } from '../db/database.ts';
import { findCurrentRecords, findLocations } from '../db/repositories/locations.ts';
import { findActiveLeaves } from '../db/repositories/student-leave.ts';
import type { LocationState } from '../db/tables/locations.ts';
import type { StudentLeaveRow } from '../db/tables/student-leave.ts';

/** Where a student is taken to be at a time. */
export interface Whereabouts {
  /** State of the zone of the location, or null when nothing is known. */
  readonly state: LocationState | null;
  /** Their leave active at that time, if any. */
  readonly activeLeave: StudentLeaveRow | null;
}

/**
 * Each student's whereabouts at `at`, in three statements whatever their number: their
 * latest location record at or before `at`, unless a leave with a location active at `at`
 * started after that record, in which case the leave's location is where they are expected.
 */
export async function whereaboutsAt(db: BoardingDb, orgId: string, studentIds: readonly string[], at: Date): Promise<Map<string, Whereabouts>> {
  const [records, leaves] = await Promise.all([findCurrentRecords(db, orgId, studentIds, at), findActiveLeaves(db, orgId, studentIds, at)]);
  const recordOf = new Map(records.map((r) => [r.student_id, r]));
  const leaveOf = new Map(leaves.map((l) => [l.student_id, l]));
  const locationIds = new Set<string>();
  for (const r of records) locationIds.add(r.location_id);
  for (const l of leaves) if (l.location_id) locationIds.add(l.location_id);
  const stateOf = new Map((await findLocations(db, orgId, [...locationIds])).map((l) => [l.id, l.zone_state]));
  const result = new Map<string, Whereabouts>();
  for (const id of studentIds) {
    const record = recordOf.get(id);
    const leave = leaveOf.get(id) ?? null;
    const leaveWins = leave?.location_id && (!record || record.recorded_at < leave.starts_at);
    const locationId = leaveWins ? leave.location_id : record?.location_id;
    result.set(id, { state: locationId ? (stateOf.get(locationId) ?? null) : null, activeLeave: leave });
  }
  return result;
}
