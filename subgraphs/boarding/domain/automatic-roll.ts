import { appendEvents } from '../../shared/outbox.ts';
import type { BoardingDb } from '../db/database.ts';
import { claimDueRolls, insertAssignments, updateRoll } from '../db/repositories/rolls.ts';
import { listStudents } from '../db/repositories/students.ts';
import type { PassState, RollCode, RollCodeType, RollRow } from '../db/tables/rolls.ts';
import type { StudentRow } from '../db/tables/students.ts';
import { rollEvent } from '../events.ts';
import { createSweeper, type Sweeper } from './sweeper.ts';
import { whereaboutsAt, type Whereabouts } from './whereabouts.ts';

/** Most students one roll may hold. */
export const MAX_ROLL_STUDENTS = 5000;

/** Added to an automatic roll's codes when its type has no explained-absence code. */
const ON_LEAVE_CODE: RollCode = { name: 'On leave', type: 'EXPLAINED_ABSENCE' };

/** An automatic roll's codes: its type's, with `On leave` when none of them is an explained absence. */
export function automaticRollCodes(codes: readonly RollCode[]): RollCode[] {
  return codes.some((c) => c.type === 'EXPLAINED_ABSENCE') ? [...codes] : [...codes, ON_LEAVE_CODE];
}

/** Every active student matching a roll's filters (house, year level), in name order; at most `MAX_ROLL_STUDENTS + 1`. */
export async function studentsFor(db: BoardingDb, orgId: string, houseId: string | null, group: string | null): Promise<StudentRow[]> {
  return listStudents(db, orgId, { houseId, yearLevel: group, deactivated: false }, MAX_ROLL_STUDENTS, {});
}

/** The students of a pass-state filter, by their whereabouts. */
export function byPassState(students: readonly StudentRow[], where: Map<string, Whereabouts>, passState: PassState): StudentRow[] {
  if (passState === 'ALL') return [...students];
  return students.filter((s) => (where.get(s.id)?.state === 'ON_GROUNDS') === (passState === 'IN'));
}

/** The mark an automatic roll gives: on grounds present; else on active leave explained absence; else absent. */
export function automaticCode(codes: readonly RollCode[], where: Whereabouts | undefined): RollCode {
  const type: RollCodeType = where?.state === 'ON_GROUNDS' ? 'PRESENT' : where?.activeLeave ? 'EXPLAINED_ABSENCE' : 'ABSENT';
  return codes.find((c) => c.type === type) ?? { name: type, type };
}

/**
 * Takes a SCHEDULED automatic roll in the caller's transaction: every active student matching
 * its filters (house, year level, pass state) at its start, marked from their whereabouts at
 * its start, then completes it at `completedAt` and publishes `roll.completed`. A roll whose
 * filters match more than `MAX_ROLL_STUDENTS` students holds the first of them by name.
 */
export async function takeAutomaticRoll(db: BoardingDb, roll: RollRow, completedAt: Date): Promise<RollRow> {
  const candidates = (await studentsFor(db, roll.org_id, roll.house_filter_id, roll.group_filter)).slice(0, MAX_ROLL_STUDENTS);
  const where = await whereaboutsAt(db, roll.org_id, candidates.map((s) => s.id), roll.starts_at);
  const students = byPassState(candidates, where, roll.pass_state_filter);
  await insertAssignments(
    db,
    students.map((s) => {
      const code = automaticCode(roll.codes, where.get(s.id));
      return { org_id: roll.org_id, roll_id: roll.id, student_id: s.id, code_name: code.name, code_type: code.type, marked_at: roll.starts_at, marked_by: null, note: null };
    }),
  );
  const row = await updateRoll(db, roll.org_id, roll.id, { status: 'COMPLETE', completed_at: completedAt });
  await appendEvents(db, [rollEvent(row, 'completed', null, { students: students.length })]);
  return row;
}

/** Takes automatic rolls when their start passes. */
export type AutomaticRollScheduler = Sweeper;

/**
 * Every `intervalMs` (default 1,000), claims scheduled automatic rolls whose start has passed
 * (`for update skip locked`: another instance's claims are skipped) and takes each in the
 * claiming transaction: marks, completion and `roll.completed` commit together or not at all,
 * and a completed roll is never claimed again, so each roll is taken exactly once.
 */
export function createAutomaticRollScheduler(db: BoardingDb, now: () => Date, intervalMs = 1000): AutomaticRollScheduler {
  async function batch(): Promise<number> {
    const at = now();
    return db.transaction().execute(async (trx) => {
      const due = await claimDueRolls(trx, at, 10);
      for (const roll of due) await takeAutomaticRoll(trx, roll, at);
      return due.length;
    });
  }
  return createSweeper('automatic rolls', batch, intervalMs);
}
