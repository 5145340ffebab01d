import { sql, type Insertable, type Updateable } from 'kysely';
import type { BoardingDb } from '../database.ts';
import type { ContactRow, ContactsTable, StudentRow, StudentsTable, StudentType } from '../tables/students.ts';
import { cursorConditions, readOrder, type PageArgs } from '../../../shared/pagination.ts';
import { likePattern } from './paging.ts';

/** Unique index of students' SIS ids. */
export const STUDENT_SIS_INDEX = 'students_org_sis_key';
/** Unique index of contacts' SIS ids within a student. */
export const CONTACT_SIS_INDEX = 'contacts_student_sis_key';

/** Sort key of student lists: last name, first name (case-insensitively), id. */
export const studentSortKey = (row: StudentRow): unknown[] => [row.last_name.toLowerCase(), row.first_name.toLowerCase(), row.id];
/** Sort key of contact lists: last name, first name (case-insensitively), id. */
export const contactSortKey = (row: ContactRow): unknown[] => [row.last_name.toLowerCase(), row.first_name.toLowerCase(), row.id];

/** Conditions of a student list. */
export interface StudentConditions {
  readonly houseId?: string | null | undefined;
  readonly yearLevel?: string | null | undefined;
  readonly studentType?: StudentType | null | undefined;
  /** true: deactivated only; false: active only; null: both. */
  readonly deactivated?: boolean | null | undefined;
  readonly search?: string | null | undefined;
  /** Only these students. */
  readonly ids?: readonly string[] | undefined;
}

export async function findStudents(db: BoardingDb, orgId: string, ids: readonly string[]): Promise<StudentRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('students').selectAll().where('org_id', '=', orgId).where('id', 'in', ids).execute();
}

export async function findStudentsBySisId(db: BoardingDb, orgId: string, sisIds: readonly string[]): Promise<StudentRow[]> {
  if (sisIds.length === 0) return [];
  return db.selectFrom('students').selectAll().where('org_id', '=', orgId).where('sis_id', 'in', sisIds).execute();
}

function filtered(db: BoardingDb, orgId: string, c: StudentConditions) {
  let q = db.selectFrom('students').where('org_id', '=', orgId);
  if (c.houseId) q = q.where('house_id', '=', c.houseId);
  if (c.yearLevel) q = q.where('year_level', '=', c.yearLevel);
  if (c.studentType) q = q.where('student_type', '=', c.studentType);
  if (c.deactivated === true) q = q.where('deactivated_date', 'is not', null);
  if (c.deactivated === false) q = q.where('deactivated_date', 'is', null);
  if (c.ids) q = c.ids.length === 0 ? q.where(sql<boolean>`false`) : q.where('id', 'in', c.ids);
  if (c.search) {
    const p = likePattern(c.search);
    q = q.where((eb) =>
      eb.or([eb('first_name', 'ilike', p), eb('last_name', 'ilike', p), eb('preferred_name', 'ilike', p), eb('email', 'ilike', p), eb('reference_id', 'ilike', p), eb('sis_id', 'ilike', p)]),
    );
  }
  return q;
}

const NAME_KEY = [sql`lower(last_name)`, sql`lower(first_name)`, sql.ref('id')];

export async function listStudents(db: BoardingDb, orgId: string, c: StudentConditions, limit: number, args: PageArgs): Promise<StudentRow[]> {
  const dir = readOrder(args);
  return filtered(db, orgId, c)
    .selectAll()
    .where(cursorConditions(NAME_KEY, args, ['text', 'text', 'uuid']))
    .orderBy(sql`lower(last_name)`, dir)
    .orderBy(sql`lower(first_name)`, dir)
    .orderBy('id', dir)
    .limit(limit + 1)
    .execute();
}

export async function countStudents(db: BoardingDb, orgId: string, c: StudentConditions): Promise<number> {
  return (await filtered(db, orgId, c).select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow()).n;
}

/** The first `limit + 1` students of each house (one statement for every house of a page). */
export async function listStudentsOfHouses(db: BoardingDb, orgId: string, houseIds: readonly string[], c: StudentConditions, limit: number, args: PageArgs): Promise<StudentRow[]> {
  const dir = sql.raw(readOrder(args));
  if (houseIds.length === 0) return [];
  const inner = filtered(db, orgId, { ...c, houseId: undefined })
    .selectAll()
    .select(sql<number>`row_number() over (partition by house_id order by lower(last_name) ${dir}, lower(first_name) ${dir}, id ${dir})`.as('rn'))
    .where('house_id', 'in', houseIds)
    .where(cursorConditions(NAME_KEY, args, ['text', 'text', 'uuid']));
  const rows = await db
    .selectFrom(inner.as('s'))
    .selectAll()
    .where('rn', '<=', limit + 1)
    .orderBy('rn')
    .execute();
  return rows.map(({ rn: _rn, ...row }) => row);
}

/** Students per house matching `c` (one statement for every house). */
export async function countStudentsOfHouses(db: BoardingDb, orgId: string, houseIds: readonly string[], c: StudentConditions): Promise<Map<string, number>> {
  if (houseIds.length === 0) return new Map();
  const rows = await filtered(db, orgId, { ...c, houseId: undefined })
    .select(['house_id', sql<number>`count(*)::int`.as('n')])
    .where('house_id', 'in', houseIds)
    .groupBy('house_id')
    .execute();
  return new Map(rows.map((r) => [r.house_id ?? '', r.n]));
}

export async function insertStudent(db: BoardingDb, row: Insertable<StudentsTable>): Promise<StudentRow> {
  return db.insertInto('students').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function updateStudent(db: BoardingDb, orgId: string, id: string, changes: Updateable<StudentsTable>): Promise<StudentRow> {
  return db.updateTable('students').set({ ...changes, updated_at: sql`now()` }).where('org_id', '=', orgId).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

/** Locks a student row for a read-modify-write (PIN attempts). */
export async function lockStudent(db: BoardingDb, orgId: string, id: string): Promise<StudentRow | undefined> {
  return db.selectFrom('students').selectAll().where('org_id', '=', orgId).where('id', '=', id).forUpdate().executeTakeFirst();
}

/** Records a PIN check's outcome without touching `updated_at` (a check is no change of the student). */
export async function setPinAttempts(db: BoardingDb, orgId: string, id: string, failedAttempts: number, lockedUntil: Date | null): Promise<void> {
  await db.updateTable('students').set({ pin_failed_attempts: failedAttempts, pin_locked_until: lockedUntil }).where('org_id', '=', orgId).where('id', '=', id).execute();
}

export async function deleteStudent(db: BoardingDb, orgId: string, id: string): Promise<void> {
  await db.deleteFrom('students').where('org_id', '=', orgId).where('id', '=', id).execute();
}

// ---------------------------------------------------------------- contacts

export async function findContacts(db: BoardingDb, orgId: string, ids: readonly string[]): Promise<ContactRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('contacts').selectAll().where('org_id', '=', orgId).where('id', 'in', ids).execute();
}

export async function findContactBySisId(db: BoardingDb, orgId: string, studentId: string, sisId: string): Promise<ContactRow | undefined> {
  return db.selectFrom('contacts').selectAll().where('org_id', '=', orgId).where('student_id', '=', studentId).where('sis_id', '=', sisId).executeTakeFirst();
}

/** The first `limit + 1` contacts of each student (one statement). */
export async function listContactsOfStudents(db: BoardingDb, orgId: string, studentIds: readonly string[], limit: number, args: PageArgs): Promise<ContactRow[]> {
  const dir = sql.raw(readOrder(args));
  if (studentIds.length === 0) return [];
  const inner = db
    .selectFrom('contacts')
    .selectAll()
    .select(sql<number>`row_number() over (partition by student_id order by lower(last_name) ${dir}, lower(first_name) ${dir}, id ${dir})`.as('rn'))
    .where('org_id', '=', orgId)
    .where('student_id', 'in', studentIds)
    .where(cursorConditions(NAME_KEY, args, ['text', 'text', 'uuid']));
  const rows = await db.selectFrom(inner.as('c')).selectAll().where('rn', '<=', limit + 1).orderBy('rn').execute();
  return rows.map(({ rn: _rn, ...row }) => row);
}

export async function countContactsOfStudents(db: BoardingDb, orgId: string, studentIds: readonly string[]): Promise<Map<string, number>> {
  if (studentIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('contacts')
    .select(['student_id', sql<number>`count(*)::int`.as('n')])
    .where('org_id', '=', orgId)
    .where('student_id', 'in', studentIds)
    .groupBy('student_id')
    .execute();
  return new Map(rows.map((r) => [r.student_id, r.n]));
}

export async function insertContact(db: BoardingDb, row: Insertable<ContactsTable>): Promise<ContactRow> {
  return db.insertInto('contacts').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function updateContact(db: BoardingDb, orgId: string, id: string, changes: Updateable<ContactsTable>): Promise<ContactRow> {
  return db.updateTable('contacts').set({ ...changes, updated_at: sql`now()` }).where('org_id', '=', orgId).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export async function deleteContact(db: BoardingDb, orgId: string, id: string): Promise<void> {
  await db.deleteFrom('contacts').where('org_id', '=', orgId).where('id', '=', id).execute();
}
