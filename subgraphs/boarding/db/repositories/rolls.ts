import { sql, type Insertable, type Updateable } from 'kysely';
import type { BoardingDb } from '../database.ts';
import type { RollAssignmentRow, RollAssignmentsTable, RollRow, RollsTable, RollStatus, RollTypeRow, RollTypesTable } from '../tables/rolls.ts';
import { cursorConditions, readOrder, type PageArgs } from '../../../shared/pagination.ts';

export const ROLL_TYPE_NAME_INDEX = 'roll_types_org_name_key';

export const rollTypeSortKey = (row: RollTypeRow): unknown[] => [row.name.toLowerCase(), row.id];
export const rollSortKey = (row: RollRow): unknown[] => [row.starts_at.toISOString(), row.id];

export async function findRollTypes(db: BoardingDb, orgId: string, ids: readonly string[]): Promise<RollTypeRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('roll_types').selectAll().where('org_id', '=', orgId).where('id', 'in', ids).execute();
}

export async function listRollTypes(db: BoardingDb, orgId: string, limit: number, args: PageArgs): Promise<RollTypeRow[]> {
  const dir = readOrder(args);
  return db
    .selectFrom('roll_types')
    .selectAll()
    .where('org_id', '=', orgId)
    .where(cursorConditions([sql`lower(name)`, sql.ref('id')], args, ['text', 'uuid']))
    .orderBy(sql`lower(name)`, dir)
    .orderBy('id', dir)
    .limit(limit + 1)
    .execute();
}

export async function countRollTypes(db: BoardingDb, orgId: string): Promise<number> {
  return (await db.selectFrom('roll_types').select(sql<number>`count(*)::int`.as('n')).where('org_id', '=', orgId).executeTakeFirstOrThrow()).n;
}

export async function insertRollType(db: BoardingDb, row: Insertable<RollTypesTable>): Promise<RollTypeRow> {
  return db.insertInto('roll_types').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function updateRollType(db: BoardingDb, orgId: string, id: string, changes: Updateable<RollTypesTable>): Promise<RollTypeRow> {
  return db.updateTable('roll_types').set({ ...changes, updated_at: sql`now()` }).where('org_id', '=', orgId).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export async function findRolls(db: BoardingDb, orgId: string, ids: readonly string[]): Promise<RollRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('rolls').selectAll().where('org_id', '=', orgId).where('id', 'in', ids).execute();
}

/** Conditions of the roll timeline. */
export interface RollConditions {
  readonly status?: RollStatus | null | undefined;
  readonly from?: Date | null | undefined;
  readonly to?: Date | null | undefined;
}

function filtered(db: BoardingDb, orgId: string, c: RollConditions) {
  let q = db.selectFrom('rolls').where('org_id', '=', orgId);
  if (c.status) q = q.where('status', '=', c.status);
  if (c.from) q = q.where('starts_at', '>=', c.from);
  if (c.to) q = q.where('starts_at', '<', c.to);
  return q;
}

export async function listRolls(db: BoardingDb, orgId: string, c: RollConditions, limit: number, args: PageArgs): Promise<RollRow[]> {
  const dir = readOrder(args, true);
  return filtered(db, orgId, c)
    .selectAll()
    .where(cursorConditions([sql.ref('starts_at'), sql.ref('id')], args, ['timestamp', 'uuid'], true))
    .orderBy('starts_at', dir)
    .orderBy('id', dir)
    .limit(limit + 1)
    .execute();
}

export async function countRolls(db: BoardingDb, orgId: string, c: RollConditions): Promise<number> {
  return (await filtered(db, orgId, c).select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow()).n;
}

/** The first `limit + 1` manual rolls each member of staff started (latest start first), one statement for every user. */
export async function listRollsOfCreators(db: BoardingDb, orgId: string, userIds: readonly string[], limit: number, args: PageArgs): Promise<RollRow[]> {
  const dir = sql.raw(readOrder(args, true));
  if (userIds.length === 0) return [];
  const inner = filtered(db, orgId, {})
    .selectAll()
    .select(sql<number>`row_number() over (partition by created_by order by starts_at ${dir}, id ${dir})`.as('rn'))
    .where('created_by', 'in', userIds)
    .where(cursorConditions([sql.ref('starts_at'), sql.ref('id')], args, ['timestamp', 'uuid'], true));
  const rows = await db.selectFrom(inner.as('r')).selectAll().where('rn', '<=', limit + 1).orderBy('rn').execute();
  return rows.map(({ rn: _rn, ...row }) => row);
}

/** Each member of staff's number of rolls started, one statement. */
export async function countRollsOfCreators(db: BoardingDb, orgId: string, userIds: readonly string[]): Promise<Map<string, number>> {
  if (userIds.length === 0) return new Map();
  const rows = await filtered(db, orgId, {}).select(['created_by', sql<number>`count(*)::int`.as('n')]).where('created_by', 'in', userIds).groupBy('created_by').execute();
  return new Map(rows.flatMap((r) => (r.created_by ? [[r.created_by, r.n] as const] : [])));
}

/**
 * Claims scheduled automatic rolls whose start has passed, in the caller's transaction, oldest
 * start first; rolls another instance holds are skipped (it is taking them).
 */
export async function claimDueRolls(db: BoardingDb, now: Date, limit: number): Promise<RollRow[]> {
  return db.selectFrom('rolls').selectAll().where('status', '=', 'SCHEDULED').where('starts_at', '<=', now).orderBy('starts_at').limit(limit).forUpdate().skipLocked().execute();
}

export async function insertRoll(db: BoardingDb, row: Insertable<RollsTable>): Promise<RollRow> {
  return db.insertInto('rolls').values(row).returningAll().executeTakeFirstOrThrow();
}

/** Locks a roll for marking or completing (so a mark cannot slip in after completion). */
export async function lockRoll(db: BoardingDb, orgId: string, id: string): Promise<RollRow | undefined> {
  return db.selectFrom('rolls').selectAll().where('org_id', '=', orgId).where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function updateRoll(db: BoardingDb, orgId: string, id: string, changes: Updateable<RollsTable>): Promise<RollRow> {
  return db.updateTable('rolls').set({ ...changes, updated_at: sql`now()` }).where('org_id', '=', orgId).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export async function insertAssignments(db: BoardingDb, rows: readonly Insertable<RollAssignmentsTable>[]): Promise<void> {
  if (rows.length === 0) return;
  // Large rolls in chunks: a statement has at most 65,535 parameters.
  for (let i = 0; i < rows.length; i += 1000) await db.insertInto('roll_assignments').values(rows.slice(i, i + 1000)).execute();
}

/** Students of a roll among `studentIds`. */
export async function findAssignedStudentIds(db: BoardingDb, orgId: string, rollId: string, studentIds: readonly string[]): Promise<Set<string>> {
  if (studentIds.length === 0) return new Set();
  const rows = await db.selectFrom('roll_assignments').select('student_id').where('org_id', '=', orgId).where('roll_id', '=', rollId).where('student_id', 'in', studentIds).execute();
  return new Set(rows.map((r) => r.student_id));
}

export async function markAssignment(db: BoardingDb, orgId: string, rollId: string, studentId: string, values: Updateable<RollAssignmentsTable>): Promise<void> {
  await db.updateTable('roll_assignments').set(values).where('org_id', '=', orgId).where('roll_id', '=', rollId).where('student_id', '=', studentId).execute();
}

/** Assignments of a roll page, by student name, joined for the sort key. */
export type AssignmentWithName = RollAssignmentRow & { last_name: string; first_name: string };
export const assignmentSortKey = (row: AssignmentWithName): unknown[] => [row.last_name.toLowerCase(), row.first_name.toLowerCase(), row.student_id];

/** The first `limit + 1` assignments of each roll (one statement). */
export async function listAssignmentsOfRolls(db: BoardingDb, orgId: string, rollIds: readonly string[], limit: number, args: PageArgs): Promise<AssignmentWithName[]> {
  const dir = sql.raw(readOrder(args));
  if (rollIds.length === 0) return [];
  const inner = db
    .selectFrom('roll_assignments as a')
    .innerJoin('students as s', (j) => j.onRef('s.id', '=', 'a.student_id').onRef('s.org_id', '=', 'a.org_id'))
    .selectAll('a')
    .select(['s.last_name', 's.first_name'])
    .select(sql<number>`row_number() over (partition by a.roll_id order by lower(s.last_name) ${dir}, lower(s.first_name) ${dir}, a.student_id ${dir})`.as('rn'))
    .where('a.org_id', '=', orgId)
    .where('a.roll_id', 'in', rollIds)
    .where(cursorConditions([sql`lower(s.last_name)`, sql`lower(s.first_name)`, sql.ref('a.student_id')], args, ['text', 'text', 'uuid']));
  const rows = await db.selectFrom(inner.as('x')).selectAll().where('rn', '<=', limit + 1).orderBy('rn').execute();
  return rows.map(({ rn: _rn, ...row }) => row);
}

export async function countAssignmentsOfRolls(db: BoardingDb, orgId: string, rollIds: readonly string[]): Promise<Map<string, number>> {
  if (rollIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('roll_assignments')
    .select(['roll_id', sql<number>`count(*)::int`.as('n')])
    .where('org_id', '=', orgId)
    .where('roll_id', 'in', rollIds)
    .groupBy('roll_id')
    .execute();
  return new Map(rows.map((r) => [r.roll_id, r.n]));
}

/** Each student's assignment in the latest roll (by start) that includes them, one statement. */
export async function findLatestAssignments(db: BoardingDb, orgId: string, studentIds: readonly string[]): Promise<RollAssignmentRow[]> {
  if (studentIds.length === 0) return [];
  return db
    .selectFrom('roll_assignments as a')
    .innerJoin('rolls as r', (j) => j.onRef('r.id', '=', 'a.roll_id').onRef('r.org_id', '=', 'a.org_id'))
    .selectAll('a')
    .distinctOn('a.student_id')
    .where('a.org_id', '=', orgId)
    .where('a.student_id', 'in', studentIds)
    .orderBy('a.student_id')
    .orderBy('r.starts_at', 'desc')
    .orderBy('r.id', 'desc')
    .execute();
}
