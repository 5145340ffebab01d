import { sql } from 'kysely';
import type { ActivityStatus } from '../../../shared/activity-status.ts';
import { cursorConditions, readOrder, type PageArgs } from '../../../shared/pagination.ts';
import type { PeopleDb } from '../database.ts';
import type { DepartmentRow } from '../tables/departments.ts';
import type { SiteRow } from '../tables/sites.ts';
import type { TeamRow } from '../tables/teams.ts';

// Departments, teams and sites share a shape: named, per organization, deactivatable,
// listed by name. One set of queries serves all three.

/** Tables of named, deactivatable records. */
export type NamedTable = 'departments' | 'teams' | 'sites';
export type RowOf<T extends NamedTable> = T extends 'departments' ? DepartmentRow : T extends 'teams' ? TeamRow : SiteRow;
export type { ActivityStatus } from '../../../shared/activity-status.ts';

/** Sort key of named lists: name, id. */
export const nameSortKey = (row: { name: string; id: string }): unknown[] => [row.name, row.id];

// Kysely cannot type a query over a union of tables; the shared columns are typed through
// one representative table and rows are cast back to the caller's table.
const asOne = (table: NamedTable) => table as 'departments';

function filtered(db: PeopleDb, table: NamedTable, orgId: string, status: ActivityStatus) {
  let q = db.selectFrom(asOne(table)).where('org_id', '=', orgId);
  if (status === 'ACTIVE') q = q.where('deactivated_at', 'is', null);
  if (status === 'DEACTIVATED') q = q.where('deactivated_at', 'is not', null);
  return q;
}

/** One page (`limit + 1` rows) of a named table, by name. */
export async function listNamed<T extends NamedTable>(
  db: PeopleDb,
  table: T,
  orgId: string,
  status: ActivityStatus,
  limit: number,
  args: PageArgs,
): Promise<RowOf<T>[]> {
  const q = filtered(db, table, orgId, status).selectAll();
  const dir = readOrder(args);
  return (await q.where(cursorConditions([sql.ref('name'), sql.ref('id')], args)).orderBy('name', dir).orderBy('id', dir).limit(limit + 1).execute()) as unknown as RowOf<T>[];
}

export async function countNamed(db: PeopleDb, table: NamedTable, orgId: string, status: ActivityStatus): Promise<number> {
  const row = await filtered(db, table, orgId, status).select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
  return row.n;
}

/** Rows of a named table by id, within the organization. */
export async function findNamed<T extends NamedTable>(
  db: PeopleDb,
  table: T,
  orgId: string,
  ids: readonly string[],
): Promise<RowOf<T>[]> {
  if (ids.length === 0) return [];
  return (await db.selectFrom(asOne(table)).selectAll().where('org_id', '=', orgId).where('id', 'in', ids).execute()) as unknown as RowOf<T>[];
}

/** Ids among `ids` of active rows of the table in the organization. */
export async function findActiveNamedIds(db: PeopleDb, table: NamedTable, orgId: string, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .selectFrom(asOne(table))
    .select('id')
    .where('org_id', '=', orgId)
    .where('id', 'in', ids)
    .where('deactivated_at', 'is', null)
    .execute();
  return new Set(rows.map((r) => r.id));
}

/** Another active row of the table with this name (case-insensitive), if any. */
export async function findActiveNamedIdByName(
  db: PeopleDb,
  table: NamedTable,
  orgId: string,
  name: string,
  exceptId?: string,
): Promise<string | undefined> {
  let q = db
    .selectFrom(asOne(table))
    .select('id')
    .where('org_id', '=', orgId)
    .where(sql`lower(name)`, '=', name.toLowerCase())
    .where('deactivated_at', 'is', null);
  if (exceptId) q = q.where('id', '<>', exceptId);
  return (await q.executeTakeFirst())?.id;
}

/** Sets `deactivated_at` to now on a row of the table. */
export async function setNamedDeactivated<T extends NamedTable>(db: PeopleDb, table: T, orgId: string, id: string): Promise<RowOf<T>> {
  return (await db
    .updateTable(asOne(table))
    .set({ deactivated_at: new Date(), updated_at: new Date() })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow()) as unknown as RowOf<T>;
}
