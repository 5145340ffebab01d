import type { NewEvent } from '../shared/outbox.ts';
import type { LocationRecordRow, LocationState } from './db/tables/locations.ts';
import type { PastoralRecordRow } from './db/tables/pastoral.ts';
import type { RollRow } from './db/tables/rolls.ts';
import type { StudentLeaveRow } from './db/tables/student-leave.ts';
import { statusAt } from './domain/leave-status.ts';

// Every payload carries keys and what subscribers filter on, never personal or pastoral
// content: a subscriber's selection is resolved by a follow-up query with their own identity.

/** Transitions a student leave publishes, as `student_leave.<action>`. */
export type StudentLeaveEventAction = 'created' | 'updated' | 'cancelled' | 'deleted' | 'activated';

export function studentLeaveEvent(row: StudentLeaveRow, action: StudentLeaveEventAction, actorId: string | null, houseId: string | null, now: Date): NewEvent {
  return {
    orgId: row.org_id,
    type: `student_leave.${action}`,
    entityType: 'StudentLeave',
    entityId: row.id,
    actorId,
    payload: {
      studentId: row.student_id,
      houseId,
      leaveTypeId: row.leave_type_id,
      locationId: row.location_id,
      status: statusAt(row, now),
      startsAt: row.starts_at.toISOString(),
      endsAt: row.ends_at.toISOString(),
    },
  };
}

/** `student.location_changed`: a student has a new location record. */
export function locationChangedEvent(row: LocationRecordRow, houseId: string | null, state: LocationState, actorId: string | null): NewEvent {
  return {
    orgId: row.org_id,
    type: 'student.location_changed',
    entityType: 'Student',
    entityId: row.student_id,
    actorId,
    payload: { studentId: row.student_id, locationRecordId: row.id, locationId: row.location_id, houseId, state, type: row.type, recordedAt: row.recorded_at.toISOString() },
  };
}

/** Transitions a roll publishes, as `roll.<action>`. */
export type RollEventAction = 'scheduled' | 'started' | 'marked' | 'completed';

export function rollEvent(row: RollRow, action: RollEventAction, actorId: string | null, extra: Record<string, unknown> = {}): NewEvent {
  return {
    orgId: row.org_id,
    type: `roll.${action}`,
    entityType: 'Roll',
    entityId: row.id,
    actorId,
    payload: { status: row.status, mode: row.mode, kind: row.kind, houseId: row.house_filter_id, ...extra },
  };
}

/** `pastoral.created`: keys and the sensitive flag only, never the record's content. */
export function pastoralCreatedEvent(row: PastoralRecordRow, actorId: string | null): NewEvent {
  return {
    orgId: row.org_id,
    type: 'pastoral.created',
    entityType: 'PastoralRecord',
    entityId: row.id,
    actorId,
    payload: { studentId: row.student_id, categoryId: row.category_id, sensitive: row.sensitive },
  };
}
