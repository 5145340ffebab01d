import { sql, type Insertable } from 'kysely';
import { cursorConditions, readOrder, type PageArgs } from '../../../shared/pagination.ts';
import type { TimeDb } from '../database.ts';
import type { ToilLedgerRow, ToilLedgerTable, ToilLotRow, ToilLotsTable } from '../tables/toil.ts';

export async function insertToilLot(db: TimeDb, values: Insertable<ToilLotsTable>): Promise<ToilLotRow> {
  return db.insertInto('toil_lots').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function insertToilMovements(db: TimeDb, values: readonly Insertable<ToilLedgerTable>[]): Promise<void> {
  if (values.length === 0) return;
  await db.insertInto('toil_ledger').values([...values]).execute();
}

/** Sets a lot's used hours. */
export async function setToilLotUsed(db: TimeDb, orgId: string, lotId: string, used: string): Promise<void> {
  await db.updateTable('toil_lots').set({ used }).where('org_id', '=', orgId).where('id', '=', lotId).execute();
}

export async function revokeToilLot(db: TimeDb, orgId: string, lotId: string): Promise<void> {
  await db.updateTable('toil_lots').set({ revoked_at: sql`now()` }).where('org_id', '=', orgId).where('id', '=', lotId).execute();
}

/**
 * A person's lots that are not revoked, oldest first (earned date, then creation), locked
 * `for update` when `lock` (writes that use or take back TOIL hold them to commit).
 */
export async function findLiveToilLots(db: TimeDb, orgId: string, userId: string, lock: boolean): Promise<ToilLotRow[]> {
  let query = db
    .selectFrom('toil_lots')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .orderBy('earned_on')
    .orderBy('created_at')
    .orderBy('id');
  if (lock) query = query.forUpdate();
  return query.execute();
}

/** Lots (not revoked) of many people at once, oldest first per person: one statement for a batch of balances. */
export async function findLiveToilLotsOfUsers(db: TimeDb, orgId: string, userIds: readonly string[]): Promise<ToilLotRow[]> {
  if (userIds.length === 0) return [];
  return db
    .selectFrom('toil_lots')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('user_id', 'in', userIds)
    .where('revoked_at', 'is', null)
    .orderBy('user_id')
    .orderBy('earned_on')
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export async function findToilLotOfSubmission(db: TimeDb, orgId: string, submissionId: string): Promise<ToilLotRow | undefined> {
  return db.selectFrom('toil_lots').selectAll().where('org_id', '=', orgId).where('submission_id', '=', submissionId).forUpdate().executeTakeFirst();
}

/** Movements that `sourceId` caused, oldest first. */
export async function findToilMovementsOfSource(db: TimeDb, orgId: string, sourceId: string): Promise<ToilLedgerRow[]> {
  return db.selectFrom('toil_ledger').selectAll().where('org_id', '=', orgId).where('source_id', '=', sourceId).orderBy('created_at').orderBy('id').execute();
}

/** Sort key of a person's ledger and lots: creation time, then id. */
export function toilSortKey(row: { created_at: Date; id: string }): [string, string] {
  return [row.created_at.toISOString(), row.id];
}


export async function countToilMovements(db: TimeDb, orgId: string, userId: string): Promise<number> {
  const row = await db.selectFrom('toil_ledger').select((eb) => eb.fn.countAll<number>().as('n')).where('org_id', '=', orgId).where('user_id', '=', userId).executeTakeFirstOrThrow();
  return Number(row.n);
}


export async function countToilLots(db: TimeDb, orgId: string, userId: string): Promise<number> {
  const row = await db.selectFrom('toil_lots').select((eb) => eb.fn.countAll<number>().as('n')).where('org_id', '=', orgId).where('user_id', '=', userId).executeTakeFirstOrThrow();
  return Number(row.n);
}
/** Lots by id (revoked included). */
export async function findToilLots(db: TimeDb, orgId: string, ids: readonly string[]): Promise<ToilLotRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('toil_lots').selectAll().where('org_id', '=', orgId).where('id', 'in', ids).execute();
}

/** The first `limit` rows per person of `toil_lots` or `toil_ledger` (creation order), for many people: one statement. */
async function pageOfUsers<T extends 'toil_lots' | 'toil_ledger'>(db: TimeDb, table: T, orgId: string, userIds: readonly string[], limit: number, args: PageArgs) {
  const dir = readOrder(args);
  const inner = db
    .selectFrom(table as 'toil_lots')
    .selectAll()
    .select(sql<number>`row_number() over (partition by user_id order by created_at ${sql.raw(dir)}, id ${sql.raw(dir)})`.as('rank'))
    .where('org_id', '=', orgId)
    .where('user_id', 'in', userIds)
    .where(cursorConditions([sql`created_at`, sql`id`], args, ['timestamp', 'uuid']));
  const rows = await db.selectFrom(inner.as('p')).selectAll().where('rank', '<=', limit).orderBy('user_id').orderBy('rank').execute();
  return rows.map(({ rank: _rank, ...row }) => row);
}

/** Pages of lots (revoked included) for many people, oldest first: one statement. */
export async function listToilLotsOfUsers(db: TimeDb, orgId: string, userIds: readonly string[], limit: number, args: PageArgs): Promise<ToilLotRow[]> {
  if (userIds.length === 0) return [];
  return (await pageOfUsers(db, 'toil_lots', orgId, userIds, limit, args)) as ToilLotRow[];
}

/** Pages of movements for many people, oldest first: one statement. */
export async function listToilMovementsOfUsers(db: TimeDb, orgId: string, userIds: readonly string[], limit: number, args: PageArgs): Promise<ToilLedgerRow[]> {
  if (userIds.length === 0) return [];
  return (await pageOfUsers(db, 'toil_ledger', orgId, userIds, limit, args)) as unknown as ToilLedgerRow[];
}

/** Row counts per person of `toil_lots` or `toil_ledger`, for many people: one statement. */
export async function countToilRowsOfUsers(db: TimeDb, table: 'toil_lots' | 'toil_ledger', orgId: string, userIds: readonly string[]): Promise<Map<string, number>> {
  if (userIds.length === 0) return new Map();
  const rows = await db
    .selectFrom(table as 'toil_lots')
    .select(['user_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('org_id', '=', orgId)
    .where('user_id', 'in', userIds)
    .groupBy('user_id')
    .execute();
  return new Map(rows.map((r) => [r.user_id, Number(r.n)]));
}
