import { sql, type Insertable, type Updateable } from 'kysely';
import type { BoardingDb } from '../database.ts';
import type { HouseRow, HousesTable } from '../tables/houses.ts';
import { cursorConditions, readOrder, type PageArgs } from '../../../shared/pagination.ts';
import { likePattern } from './paging.ts';

/** Unique index of houses' SIS ids (a race past the check fires it). */
export const HOUSE_SIS_INDEX = 'houses_org_sis_key';

/** Sort key of house lists: name case-insensitively, then id. */
export const houseSortKey = (row: HouseRow): unknown[] => [row.name.toLowerCase(), row.id];

export async function findHouses(db: BoardingDb, orgId: string, ids: readonly string[]): Promise<HouseRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('houses').selectAll().where('org_id', '=', orgId).where('id', 'in', ids).execute();
}

export async function findHousesBySisId(db: BoardingDb, orgId: string, sisIds: readonly string[]): Promise<HouseRow[]> {
  if (sisIds.length === 0) return [];
  return db.selectFrom('houses').selectAll().where('org_id', '=', orgId).where('sis_id', 'in', sisIds).execute();
}

function filtered(db: BoardingDb, orgId: string, search: string | null | undefined) {
  let q = db.selectFrom('houses').where('org_id', '=', orgId);
  if (search) q = q.where((eb) => eb.or([eb('name', 'ilike', likePattern(search)), eb('sis_id', 'ilike', likePattern(search))]));
  return q;
}

export async function listHouses(db: BoardingDb, orgId: string, search: string | null | undefined, limit: number, args: PageArgs): Promise<HouseRow[]> {
  const dir = readOrder(args);
  return filtered(db, orgId, search)
    .selectAll()
    .where(cursorConditions([sql`lower(name)`, sql.ref('id')], args, ['text', 'uuid']))
    .orderBy(sql`lower(name)`, dir)
    .orderBy('id', dir)
    .limit(limit + 1)
    .execute();
}

export async function countHouses(db: BoardingDb, orgId: string, search: string | null | undefined): Promise<number> {
  return (await filtered(db, orgId, search).select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow()).n;
}

export async function insertHouse(db: BoardingDb, row: Insertable<HousesTable>): Promise<HouseRow> {
  return db.insertInto('houses').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function updateHouse(db: BoardingDb, orgId: string, id: string, changes: Updateable<HousesTable>): Promise<HouseRow> {
  return db.updateTable('houses').set({ ...changes, updated_at: sql`now()` }).where('org_id', '=', orgId).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export async function deleteHouse(db: BoardingDb, orgId: string, id: string): Promise<void> {
  await db.deleteFrom('houses').where('org_id', '=', orgId).where('id', '=', id).execute();
}

/** Locks a house row: a roll or student naming it cannot be written until the caller's transaction ends. */
export async function lockHouse(db: BoardingDb, orgId: string, id: string): Promise<void> {
  await db.selectFrom('houses').select('id').where('org_id', '=', orgId).where('id', '=', id).forUpdate().execute();
}

/** Scheduled automatic rolls filtered by the house (they would lose their filter with it). */
export async function countScheduledRollsOfHouse(db: BoardingDb, orgId: string, id: string): Promise<number> {
  return (
    await db.selectFrom('rolls').select(sql<number>`count(*)::int`.as('n')).where('org_id', '=', orgId).where('house_filter_id', '=', id).where('status', '=', 'SCHEDULED').executeTakeFirstOrThrow()
  ).n;
}

/** Students (active or not) in the house. */
export async function countHouseStudents(db: BoardingDb, orgId: string, id: string): Promise<number> {
  return (await db.selectFrom('students').select(sql<number>`count(*)::int`.as('n')).where('org_id', '=', orgId).where('house_id', '=', id).executeTakeFirstOrThrow()).n;
}
