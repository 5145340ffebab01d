import { sql, type Insertable, type Updateable } from 'kysely';
import { BOARDING_SCHEMA, type BoardingDb } from '../database.ts';
import type { LocationRecordRow, LocationRecordsTable, LocationRecordType, LocationsTable, LocationState, LocationType, LocationWithState } from '../tables/locations.ts';
import { cursorConditions, readOrder, type PageArgs } from '../../../shared/pagination.ts';

/** Sort key of location lists: depth, name case-insensitively, id. */
export const locationSortKey = (row: LocationWithState): unknown[] => [String(row.depth).padStart(4, '0'), row.name.toLowerCase(), row.id];

/** Locations with their zone's state. */
function withState(db: BoardingDb, orgId: string) {
  return db
    .selectFrom('locations as l')
    .innerJoin('locations as z', (j) => j.onRef('z.id', '=', 'l.zone_id').onRef('z.org_id', '=', 'l.org_id'))
    .selectAll('l')
    .select(sql<LocationState>`z.state`.as('zone_state'))
    .where('l.org_id', '=', orgId);
}

export async function findLocations(db: BoardingDb, orgId: string, ids: readonly string[]): Promise<LocationWithState[]> {
  if (ids.length === 0) return [];
  return withState(db, orgId).where('l.id', 'in', ids).execute();
}

/** Conditions of a location list. */
export interface LocationConditions {
  readonly parentId?: string | null | undefined;
  readonly rootsOnly?: boolean | null | undefined;
  readonly type?: LocationType | null | undefined;
  readonly state?: LocationState | null | undefined;
}

function filtered(db: BoardingDb, orgId: string, c: LocationConditions) {
  let q = withState(db, orgId);
  if (c.parentId) q = q.where('l.parent_id', '=', c.parentId);
  if (c.rootsOnly) q = q.where('l.parent_id', 'is', null);
  if (c.type) q = q.where('l.type', '=', c.type);
  if (c.state) q = q.where('z.state', '=', c.state);
  return q;
}

const DEPTH_KEY = [sql`lpad(l.depth::text, 4, '0')`, sql`lower(l.name)`, sql.ref('l.id')];

export async function listLocations(db: BoardingDb, orgId: string, c: LocationConditions, limit: number, args: PageArgs): Promise<LocationWithState[]> {
  const dir = readOrder(args);
  return filtered(db, orgId, c)
    .where(cursorConditions(DEPTH_KEY, args, ['text', 'text', 'uuid']))
    .orderBy('l.depth', dir)
    .orderBy(sql`lower(l.name)`, dir)
    .orderBy('l.id', dir)
    .limit(limit + 1)
    .execute();
}

export async function countLocations(db: BoardingDb, orgId: string, c: LocationConditions): Promise<number> {
  let q = db.selectFrom('locations as l').innerJoin('locations as z', (j) => j.onRef('z.id', '=', 'l.zone_id').onRef('z.org_id', '=', 'l.org_id')).where('l.org_id', '=', orgId);
  if (c.parentId) q = q.where('l.parent_id', '=', c.parentId);
  if (c.rootsOnly) q = q.where('l.parent_id', 'is', null);
  if (c.type) q = q.where('l.type', '=', c.type);
  if (c.state) q = q.where('z.state', '=', c.state);
  return (await q.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow()).n;
}

/** The first `limit + 1` children of each parent (one statement). */
export async function listChildrenOf(db: BoardingDb, orgId: string, parentIds: readonly string[], limit: number, args: PageArgs): Promise<LocationWithState[]> {
  const dir = sql.raw(readOrder(args));
  if (parentIds.length === 0) return [];
  const inner = withState(db, orgId)
    .select(sql<number>`row_number() over (partition by l.parent_id order by l.depth ${dir}, lower(l.name) ${dir}, l.id ${dir})`.as('rn'))
    .where('l.parent_id', 'in', parentIds)
    .where(cursorConditions(DEPTH_KEY, args, ['text', 'text', 'uuid']));
  const rows = await db.selectFrom(inner.as('c')).selectAll().where('rn', '<=', limit + 1).orderBy('rn').execute();
  return rows.map(({ rn: _rn, ...row }) => row);
}

export async function countChildrenOf(db: BoardingDb, orgId: string, parentIds: readonly string[]): Promise<Map<string, number>> {
  if (parentIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('locations')
    .select(['parent_id', sql<number>`count(*)::int`.as('n')])
    .where('org_id', '=', orgId)
    .where('parent_id', 'in', parentIds)
    .groupBy('parent_id')
    .execute();
  return new Map(rows.map((r) => [r.parent_id ?? '', r.n]));
}

export async function insertLocation(db: BoardingDb, row: Insertable<LocationsTable>): Promise<void> {
  await db.insertInto('locations').values(row).execute();
}

export async function updateLocation(db: BoardingDb, orgId: string, id: string, changes: Updateable<LocationsTable>): Promise<void> {
  await db.updateTable('locations').set({ ...changes, updated_at: sql`now()` }).where('org_id', '=', orgId).where('id', '=', id).execute();
}

/** What still refers to a location: children, location records, student leave. */
export async function locationUses(db: BoardingDb, orgId: string, id: string): Promise<{ children: number; records: number; leave: number }> {
  const { rows } = await sql<{ children: number; records: number; leave: number }>`
    select (select count(*)::int from ${sql.id(BOARDING_SCHEMA, 'locations')} where org_id = ${orgId} and parent_id = ${id}) as children,
           (select count(*)::int from ${sql.id(BOARDING_SCHEMA, 'location_records')} where org_id = ${orgId} and location_id = ${id}) as records,
           (select count(*)::int from ${sql.id(BOARDING_SCHEMA, 'student_leaves')} where org_id = ${orgId} and location_id = ${id}) as leave`.execute(db);
  return rows[0] ?? { children: 0, records: 0, leave: 0 };
}

/**
 * Serializes changes to an organization's location tree (creating under a parent, moving,
 * retyping) for the rest of the caller's transaction, so two concurrent moves cannot build a
 * cycle and a child is never placed from a stale parent.
 */
export async function lockLocationTree(db: BoardingDb, orgId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext('boarding.location-tree'), hashtext(${orgId}))`.execute(db);
}

/** A location and every location below it, with their depths. */
export async function findSubtree(db: BoardingDb, orgId: string, id: string): Promise<{ id: string; depth: number }[]> {
  const { rows } = await sql<{ id: string; depth: number }>`
    with recursive tree as (
      select id, depth from ${sql.id(BOARDING_SCHEMA, 'locations')} where org_id = ${orgId} and id = ${id}
      union all
      select l.id, l.depth from ${sql.id(BOARDING_SCHEMA, 'locations')} l join tree t on l.parent_id = t.id where l.org_id = ${orgId})
    select id, depth from tree`.execute(db);
  return rows;
}

/** Puts the descendants of a moved location in its new zone, `depthShift` levels deeper (or shallower). */
export async function moveDescendants(db: BoardingDb, orgId: string, ids: readonly string[], zoneId: string, depthShift: number): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('locations')
    .set({ zone_id: zoneId, depth: sql<number>`depth + ${depthShift}`, updated_at: sql`now()` })
    .where('org_id', '=', orgId)
    .where('id', 'in', ids)
    .execute();
}

export async function deleteLocation(db: BoardingDb, orgId: string, id: string): Promise<void> {
  await db.deleteFrom('locations').where('org_id', '=', orgId).where('id', '=', id).execute();
}

// ---------------------------------------------------------------- location records

/** Sort key of timelines: time, then id. */
export const recordSortKey = (row: LocationRecordRow): unknown[] => [row.recorded_at.toISOString(), row.id];

/** Conditions of a timeline. */
export interface TimelineConditions {
  readonly studentId?: string | undefined;
  readonly from?: Date | null | undefined;
  readonly to?: Date | null | undefined;
  readonly updatedSince?: Date | null | undefined;
}

function records(db: BoardingDb, orgId: string, c: TimelineConditions) {
  let q = db.selectFrom('location_records').where('org_id', '=', orgId);
  if (c.studentId) q = q.where('student_id', '=', c.studentId);
  if (c.from) q = q.where('recorded_at', '>=', c.from);
  if (c.to) q = q.where('recorded_at', '<', c.to);
  if (c.updatedSince) q = q.where('updated_at', '>=', c.updatedSince);
  return q;
}

export async function listLocationRecords(db: BoardingDb, orgId: string, c: TimelineConditions, limit: number, args: PageArgs): Promise<LocationRecordRow[]> {
  const dir = readOrder(args);
  return records(db, orgId, c)
    .selectAll()
    .where(cursorConditions([sql.ref('recorded_at'), sql.ref('id')], args, ['timestamp', 'uuid']))
    .orderBy('recorded_at', dir)
    .orderBy('id', dir)
    .limit(limit + 1)
    .execute();
}

export async function countLocationRecords(db: BoardingDb, orgId: string, c: TimelineConditions): Promise<number> {
  return (await records(db, orgId, c).select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow()).n;
}

/** The first `limit + 1` records of each student's timeline (oldest first), one statement for every student. */
export async function listLocationRecordsOfStudents(db: BoardingDb, orgId: string, studentIds: readonly string[], c: TimelineConditions, limit: number, args: PageArgs): Promise<LocationRecordRow[]> {
  const dir = sql.raw(readOrder(args));
  if (studentIds.length === 0) return [];
  const inner = records(db, orgId, c)
    .selectAll()
    .select(sql<number>`row_number() over (partition by student_id order by recorded_at ${dir}, id ${dir})`.as('rn'))
    .where('student_id', 'in', studentIds)
    .where(cursorConditions([sql.ref('recorded_at'), sql.ref('id')], args, ['timestamp', 'uuid']));
  const rows = await db.selectFrom(inner.as('r')).selectAll().where('rn', '<=', limit + 1).orderBy('rn').execute();
  return rows.map(({ rn: _rn, ...row }) => row);
}

/** Each student's number of timeline records matching, one statement. */
export async function countLocationRecordsOfStudents(db: BoardingDb, orgId: string, studentIds: readonly string[], c: TimelineConditions): Promise<Map<string, number>> {
  if (studentIds.length === 0) return new Map();
  const rows = await records(db, orgId, c).select(['student_id', sql<number>`count(*)::int`.as('n')]).where('student_id', 'in', studentIds).groupBy('student_id').execute();
  return new Map(rows.map((r) => [r.student_id, r.n]));
}

/** Each student's latest record at or before `at` (default: latest of all), one statement. */
export async function findCurrentRecords(db: BoardingDb, orgId: string, studentIds: readonly string[], at?: Date): Promise<LocationRecordRow[]> {
  if (studentIds.length === 0) return [];
  let q = db.selectFrom('location_records').selectAll().distinctOn('student_id').where('org_id', '=', orgId).where('student_id', 'in', studentIds);
  if (at) q = q.where('recorded_at', '<=', at);
  return q.orderBy('student_id').orderBy('recorded_at', 'desc').orderBy('id', 'desc').execute();
}

/** Current records (one per student), latest first; `studentIds` undefined: every active student. */
export async function listCurrentRecords(db: BoardingDb, orgId: string, studentIds: readonly string[] | undefined, limit: number, args: PageArgs): Promise<LocationRecordRow[]> {
  const dir = readOrder(args, true);
  const current = currentRecords(db, orgId, studentIds);
  return db
    .selectFrom(current.as('r'))
    .selectAll()
    .where(cursorConditions([sql.ref('recorded_at'), sql.ref('id')], args, ['timestamp', 'uuid'], true))
    .orderBy('recorded_at', dir)
    .orderBy('id', dir)
    .limit(limit + 1)
    .execute();
}

function currentRecords(db: BoardingDb, orgId: string, studentIds: readonly string[] | undefined) {
  let q = db
    .selectFrom('location_records as r')
    .innerJoin('students as s', (j) => j.onRef('s.id', '=', 'r.student_id').onRef('s.org_id', '=', 'r.org_id'))
    .selectAll('r')
    .distinctOn('r.student_id')
    .where('r.org_id', '=', orgId);
  q = studentIds ? (studentIds.length === 0 ? q.where(sql<boolean>`false`) : q.where('r.student_id', 'in', studentIds)) : q.where('s.deactivated_date', 'is', null);
  return q.orderBy('r.student_id').orderBy('r.recorded_at', 'desc').orderBy('r.id', 'desc');
}

export async function countCurrentRecords(db: BoardingDb, orgId: string, studentIds: readonly string[] | undefined): Promise<number> {
  return (await db.selectFrom(currentRecords(db, orgId, studentIds).as('r')).select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow()).n;
}

export async function insertLocationRecords(
  db: BoardingDb,
  orgId: string,
  studentIds: readonly string[],
  values: { location_id: string; type: LocationRecordType; recorded_at: Date; created_by: string | null },
): Promise<LocationRecordRow[]> {
  if (studentIds.length === 0) return [];
  const rows: Insertable<LocationRecordsTable>[] = studentIds.map((student_id) => ({ ...values, org_id: orgId, student_id }));
  return db.insertInto('location_records').values(rows).returningAll().execute();
}
