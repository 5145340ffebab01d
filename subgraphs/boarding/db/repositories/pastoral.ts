import { sql, type Insertable, type Updateable } from 'kysely';
import { BOARDING_SCHEMA, type BoardingDb } from '../database.ts';
import type { PastoralCategoriesTable, PastoralCategoryRow, PastoralRecordRow, PastoralRecordsTable } from '../tables/pastoral.ts';
import type { TimelineConditions } from './locations.ts';
import { cursorConditions, readOrder, type PageArgs } from '../../../shared/pagination.ts';

/** Unique index of category names (case-insensitive). */
export const PASTORAL_CATEGORY_NAME_INDEX = 'pastoral_categories_org_name_key';

export const categorySortKey = (row: PastoralCategoryRow): unknown[] => [row.name.toLowerCase(), row.id];
export const pastoralSortKey = (row: PastoralRecordRow): unknown[] => [row.occurred_at.toISOString(), row.id];

export async function findPastoralCategories(db: BoardingDb, orgId: string, ids: readonly string[]): Promise<PastoralCategoryRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('pastoral_categories').selectAll().where('org_id', '=', orgId).where('id', 'in', ids).execute();
}

export async function listPastoralCategories(db: BoardingDb, orgId: string, limit: number, args: PageArgs): Promise<PastoralCategoryRow[]> {
  const dir = readOrder(args);
  return db
    .selectFrom('pastoral_categories')
    .selectAll()
    .where('org_id', '=', orgId)
    .where(cursorConditions([sql`lower(name)`, sql.ref('id')], args, ['text', 'uuid']))
    .orderBy(sql`lower(name)`, dir)
    .orderBy('id', dir)
    .limit(limit + 1)
    .execute();
}

export async function countPastoralCategories(db: BoardingDb, orgId: string): Promise<number> {
  return (await db.selectFrom('pastoral_categories').select(sql<number>`count(*)::int`.as('n')).where('org_id', '=', orgId).executeTakeFirstOrThrow()).n;
}

/** True when `candidateId` is `id` or one of its descendants (so it cannot become its parent). */
export async function isCategoryOrDescendant(db: BoardingDb, orgId: string, id: string, candidateId: string): Promise<boolean> {
  const { rows } = await sql<{ found: boolean }>`
    with recursive tree as (
      select id from ${sql.id(BOARDING_SCHEMA, 'pastoral_categories')} where org_id = ${orgId} and id = ${id}
      union all
      select c.id from ${sql.id(BOARDING_SCHEMA, 'pastoral_categories')} c join tree t on c.parent_id = t.id where c.org_id = ${orgId})
    select exists (select 1 from tree where id = ${candidateId}) as found`.execute(db);
  return rows[0]?.found === true;
}

export async function insertPastoralCategory(db: BoardingDb, row: Insertable<PastoralCategoriesTable>): Promise<PastoralCategoryRow> {
  return db.insertInto('pastoral_categories').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function updatePastoralCategory(db: BoardingDb, orgId: string, id: string, changes: Updateable<PastoralCategoriesTable>): Promise<PastoralCategoryRow> {
  return db.updateTable('pastoral_categories').set({ ...changes, updated_at: sql`now()` }).where('org_id', '=', orgId).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export async function categoryUses(db: BoardingDb, orgId: string, id: string): Promise<{ children: number; records: number }> {
  const { rows } = await sql<{ children: number; records: number }>`
    select (select count(*)::int from ${sql.id(BOARDING_SCHEMA, 'pastoral_categories')} where org_id = ${orgId} and parent_id = ${id}) as children,
           (select count(*)::int from ${sql.id(BOARDING_SCHEMA, 'pastoral_records')} where org_id = ${orgId} and category_id = ${id}) as records`.execute(db);
  return rows[0] ?? { children: 0, records: 0 };
}

export async function deletePastoralCategory(db: BoardingDb, orgId: string, id: string): Promise<void> {
  await db.deleteFrom('pastoral_categories').where('org_id', '=', orgId).where('id', '=', id).execute();
}

/** Records the caller may see: sensitive ones only with `includeSensitive`. */
function visible(db: BoardingDb, orgId: string, includeSensitive: boolean) {
  let q = db.selectFrom('pastoral_records').where('org_id', '=', orgId);
  if (!includeSensitive) q = q.where('sensitive', '=', false);
  return q;
}

export async function findPastoralRecords(db: BoardingDb, orgId: string, ids: readonly string[], includeSensitive: boolean): Promise<PastoralRecordRow[]> {
  if (ids.length === 0) return [];
  return visible(db, orgId, includeSensitive).selectAll().where('id', 'in', ids).execute();
}

function timeline(db: BoardingDb, orgId: string, c: TimelineConditions, includeSensitive: boolean) {
  let q = visible(db, orgId, includeSensitive);
  if (c.studentId) q = q.where('student_id', '=', c.studentId);
  if (c.from) q = q.where('occurred_at', '>=', c.from);
  if (c.to) q = q.where('occurred_at', '<', c.to);
  if (c.updatedSince) q = q.where('updated_at', '>=', c.updatedSince);
  return q;
}

export async function listPastoralRecords(db: BoardingDb, orgId: string, c: TimelineConditions, includeSensitive: boolean, limit: number, args: PageArgs): Promise<PastoralRecordRow[]> {
  const dir = readOrder(args);
  return timeline(db, orgId, c, includeSensitive)
    .selectAll()
    .where(cursorConditions([sql.ref('occurred_at'), sql.ref('id')], args, ['timestamp', 'uuid']))
    .orderBy('occurred_at', dir)
    .orderBy('id', dir)
    .limit(limit + 1)
    .execute();
}

export async function countPastoralRecords(db: BoardingDb, orgId: string, c: TimelineConditions, includeSensitive: boolean): Promise<number> {
  return (await timeline(db, orgId, c, includeSensitive).select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow()).n;
}

/** The first `limit + 1` visible records of each student's timeline (oldest first), one statement for every student. */
export async function listPastoralRecordsOfStudents(
  db: BoardingDb,
  orgId: string,
  studentIds: readonly string[],
  c: TimelineConditions,
  includeSensitive: boolean,
  limit: number,
  args: PageArgs,
): Promise<PastoralRecordRow[]> {
  const dir = sql.raw(readOrder(args));
  if (studentIds.length === 0) return [];
  const inner = timeline(db, orgId, c, includeSensitive)
    .selectAll()
    .select(sql<number>`row_number() over (partition by student_id order by occurred_at ${dir}, id ${dir})`.as('rn'))
    .where('student_id', 'in', studentIds)
    .where(cursorConditions([sql.ref('occurred_at'), sql.ref('id')], args, ['timestamp', 'uuid']));
  const rows = await db.selectFrom(inner.as('p')).selectAll().where('rn', '<=', limit + 1).orderBy('rn').execute();
  return rows.map(({ rn: _rn, ...row }) => row);
}

/** Each student's number of visible records matching, one statement. */
export async function countPastoralRecordsOfStudents(db: BoardingDb, orgId: string, studentIds: readonly string[], c: TimelineConditions, includeSensitive: boolean): Promise<Map<string, number>> {
  if (studentIds.length === 0) return new Map();
  const rows = await timeline(db, orgId, c, includeSensitive).select(['student_id', sql<number>`count(*)::int`.as('n')]).where('student_id', 'in', studentIds).groupBy('student_id').execute();
  return new Map(rows.map((r) => [r.student_id, r.n]));
}

/** The first `limit + 1` visible records each member of staff wrote (newest first), one statement for every user. */
export async function listPastoralRecordsOfAuthors(db: BoardingDb, orgId: string, userIds: readonly string[], includeSensitive: boolean, limit: number, args: PageArgs): Promise<PastoralRecordRow[]> {
  const dir = sql.raw(readOrder(args, true));
  if (userIds.length === 0) return [];
  const inner = visible(db, orgId, includeSensitive)
    .selectAll()
    .select(sql<number>`row_number() over (partition by created_by order by occurred_at ${dir}, id ${dir})`.as('rn'))
    .where('created_by', 'in', userIds)
    .where(cursorConditions([sql.ref('occurred_at'), sql.ref('id')], args, ['timestamp', 'uuid'], true));
  const rows = await db.selectFrom(inner.as('p')).selectAll().where('rn', '<=', limit + 1).orderBy('rn').execute();
  return rows.map(({ rn: _rn, ...row }) => row);
}

/** Each member of staff's number of visible records, one statement. */
export async function countPastoralRecordsOfAuthors(db: BoardingDb, orgId: string, userIds: readonly string[], includeSensitive: boolean): Promise<Map<string, number>> {
  if (userIds.length === 0) return new Map();
  const rows = await visible(db, orgId, includeSensitive).select(['created_by', sql<number>`count(*)::int`.as('n')]).where('created_by', 'in', userIds).groupBy('created_by').execute();
  return new Map(rows.flatMap((r) => (r.created_by ? [[r.created_by, r.n] as const] : [])));
}

export async function insertPastoralRecord(db: BoardingDb, row: Insertable<PastoralRecordsTable>): Promise<PastoralRecordRow> {
  return db.insertInto('pastoral_records').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function updatePastoralRecord(db: BoardingDb, orgId: string, id: string, changes: Updateable<PastoralRecordsTable>): Promise<PastoralRecordRow> {
  return db.updateTable('pastoral_records').set({ ...changes, updated_at: sql`now()` }).where('org_id', '=', orgId).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export async function deletePastoralRecord(db: BoardingDb, orgId: string, id: string): Promise<void> {
  await db.deleteFrom('pastoral_records').where('org_id', '=', orgId).where('id', '=', id).execute();
}
