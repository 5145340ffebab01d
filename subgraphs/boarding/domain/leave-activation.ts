import { appendEvents } from '../../shared/outbox.ts';
import type { BoardingDb } from '../db/database.ts';
import { findStudents } from '../db/repositories/students.ts';
import { claimDueActivations } from '../db/repositories/student-leave.ts';
import { studentLeaveEvent } from '../events.ts';
import { createSweeper, type Sweeper } from './sweeper.ts';

/** Publishes `student_leave.activated` when a leave's start passes. */
export type LeaveActivationScheduler = Sweeper;

/**
 * Every `intervalMs` (default 1,000), claims leave whose start has passed and whose
 * activation is unpublished and publishes one `student_leave.activated` each, in the same
 * transaction as the claim: a crash before commit publishes nothing and claims nothing; rows
 * another instance is claiming are skipped, so each activation is published exactly once.
 */
export function createLeaveActivationScheduler(db: BoardingDb, now: () => Date, intervalMs = 1000): LeaveActivationScheduler {
  async function batch(): Promise<number> {
    const at = now();
    return db.transaction().execute(async (trx) => {
      const claimed = await claimDueActivations(trx, at, 200);
      if (claimed.length === 0) return 0;
      // Houses per organization, for the payloads subscribers filter on.
      const houses = new Map<string, string | null>();
      for (const orgId of new Set(claimed.map((r) => r.org_id))) {
        const students = await findStudents(trx, orgId, claimed.filter((r) => r.org_id === orgId).map((r) => r.student_id));
        for (const s of students) houses.set(s.id, s.house_id);
      }
      await appendEvents(trx, claimed.map((row) => studentLeaveEvent(row, 'activated', null, houses.get(row.student_id) ?? null, at)));
      return claimed.length;
    });
  }
  return createSweeper('leave activation', batch, intervalMs);
}
