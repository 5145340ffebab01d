import { sql, type Insertable, type Updateable } from 'kysely';
import { cursorConditions, readOrder, type PageArgs } from '../../../shared/pagination.ts';
import type { LeaveDb } from '../database.ts';
import type { CoverageRuleRow, CoverageRulesTable } from '../tables/coverage-rules.ts';

/** Conditions of the `coverageRules` query, already validated. */
export interface CoverageRuleFilter {
  readonly departmentId?: string | null | undefined;
}

/** Sort key of rule lists: department, name, id. */
export const coverageRuleSortKey = (row: CoverageRuleRow): unknown[] => [row.department_id, row.name, row.id];
const sortColumns = [sql.ref('department_id'), sql.ref('name'), sql.ref('id')];

function live(db: LeaveDb, orgId: string, filter: CoverageRuleFilter) {
  let q = db.selectFrom('coverage_rules').where('org_id', '=', orgId).where('deleted_at', 'is', null);
  if (filter.departmentId) q = q.where('department_id', '=', filter.departmentId);
  return q;
}

/** One page (`limit + 1` rows) of the organization's rules (not deleted), by department, name and id. */
export async function listCoverageRules(
  db: LeaveDb,
  orgId: string,
  filter: CoverageRuleFilter,
  limit: number,
  args: PageArgs,
): Promise<CoverageRuleRow[]> {
  const q = live(db, orgId, filter).selectAll();
  const dir = readOrder(args);
  return q.where(cursorConditions(sortColumns, args, ['uuid', 'text', 'uuid'])).orderBy('department_id', dir).orderBy('name', dir).orderBy('id', dir).limit(limit + 1).execute();
}

/** Number of the organization's rules (not deleted) matching `filter`. */
export async function countCoverageRules(db: LeaveDb, orgId: string, filter: CoverageRuleFilter): Promise<number> {
  const row = await live(db, orgId, filter).select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
  return row.n;
}

/** A rule of the organization that is not deleted; `id` must be a uuid. */
export async function findCoverageRule(db: LeaveDb, orgId: string, id: string): Promise<CoverageRuleRow | undefined> {
  return live(db, orgId, {}).selectAll().where('id', '=', id).executeTakeFirst();
}

/** The rules (not deleted) of one department, block rules first, then by name and id. */
export async function findDepartmentCoverageRules(db: LeaveDb, orgId: string, departmentId: string): Promise<CoverageRuleRow[]> {
  return live(db, orgId, { departmentId })
    .selectAll()
    .orderBy(sql`enforcement = 'BLOCK'`, 'desc')
    .orderBy('name')
    .orderBy('id')
    .execute();
}

/** Inserts a rule and returns it. */
export async function insertCoverageRule(db: LeaveDb, values: Insertable<CoverageRulesTable>): Promise<CoverageRuleRow> {
  return db.insertInto('coverage_rules').values(values).returningAll().executeTakeFirstOrThrow();
}

/** Changes a rule that is not deleted; undefined when there is none (deleted meanwhile). */
export async function updateCoverageRule(
  db: LeaveDb,
  orgId: string,
  id: string,
  patch: Updateable<CoverageRulesTable>,
): Promise<CoverageRuleRow | undefined> {
  return db
    .updateTable('coverage_rules')
    .set({ ...patch, updated_at: new Date() })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

/** Marks a rule deleted (it stops applying); undefined when it was already deleted or never existed. */
export async function softDeleteCoverageRule(db: LeaveDb, orgId: string, id: string): Promise<CoverageRuleRow | undefined> {
  const now = new Date();
  return db
    .updateTable('coverage_rules')
    .set({ deleted_at: now, updated_at: now })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}
