import { sql } from 'kysely';
import type { LeaveDb } from '../database.ts';
import type { ToilBalanceRow, ToilLotSnapshot } from '../tables/toil-balances.ts';

/** Stores a person's TOIL snapshot unless a newer one is already there (replays never move it back). */
export async function upsertToilBalance(db: LeaveDb, orgId: string, userId: string, lots: readonly ToilLotSnapshot[], eventId: number): Promise<void> {
  await db
    .insertInto('toil_balances')
    .values({ org_id: orgId, user_id: userId, lots: sql`${JSON.stringify(lots)}::jsonb`, last_event_id: eventId })
    .onConflict((oc) =>
      oc
        .columns(['org_id', 'user_id'])
        .doUpdateSet((eb) => ({ lots: eb.ref('excluded.lots'), last_event_id: eb.ref('excluded.last_event_id') }))
        .where('toil_balances.last_event_id', '<', sql<number>`excluded.last_event_id`),
    )
    .execute();
}

export async function findToilBalance(db: LeaveDb, orgId: string, userId: string): Promise<ToilBalanceRow | undefined> {
  return db.selectFrom('toil_balances').selectAll().where('org_id', '=', orgId).where('user_id', '=', userId).executeTakeFirst();
}

/** Marks an approved request's TOIL as consumed by the time subgraph. */
export async function markToilApplied(db: LeaveDb, orgId: string, requestId: string): Promise<void> {
  await db.updateTable('leave_requests').set({ toil_applied: true }).where('org_id', '=', orgId).where('id', '=', requestId).execute();
}

/**
 * Hours of the person's requests of TOIL-drawing types that still count against the
 * projection: PENDING ones, and APPROVED ones whose use time has not applied yet;
 * `exceptId` (the request being changed) left out.
 */
export async function unappliedToilHours(db: LeaveDb, orgId: string, userId: string, exceptId: string | null): Promise<string> {
  let query = db
    .selectFrom('leave_requests as r')
    .innerJoin('leave_types as t', (j) => j.onRef('t.id', '=', 'r.leave_type_id').onRef('t.org_id', '=', 'r.org_id'))
    .select(sql<string>`coalesce(sum(r.amount), 0)::text`.as('total'))
    .where('r.org_id', '=', orgId)
    .where('r.user_id', '=', userId)
    .where('t.draws_on_toil', '=', true)
    .where((eb) => eb.or([eb('r.status', '=', 'PENDING'), eb.and([eb('r.status', '=', 'APPROVED'), eb('r.toil_applied', '=', false)])]));
  if (exceptId) query = query.where('r.id', '!=', exceptId);
  return (await query.executeTakeFirstOrThrow()).total;
}
