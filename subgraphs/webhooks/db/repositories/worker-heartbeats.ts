import { sql, type Transaction } from 'kysely';
import type { WebhooksDatabase, WebhooksDb } from '../database.ts';

type Db = WebhooksDb | Transaction<WebhooksDatabase>;

/** Records that `runnerId` is alive now, with its graphile-worker worker ids. */
export async function beat(db: Db, runnerId: string, workerIds: readonly string[]): Promise<void> {
  await db
    .insertInto('worker_heartbeats')
    .values({ runner_id: runnerId, worker_ids: [...workerIds] })
    .onConflict((oc) => oc.column('runner_id').doUpdateSet({ worker_ids: [...workerIds], heartbeat_at: sql<Date>`now()` }))
    .execute();
}

/** Removes a runner's heartbeat (it stopped gracefully: graphile-worker released its jobs). */
export async function forget(db: Db, runnerId: string): Promise<void> {
  await db.deleteFrom('worker_heartbeats').where('runner_id', '=', runnerId).execute();
}

/**
 * Declares dead every runner whose last heartbeat is older than `staleMs` and unlocks the
 * graphile-worker jobs its workers held (`force_unlock_workers`), in one transaction;
 * returns the dead runners' ids. Concurrent reapers skip rows another one is reaping.
 */
export async function reapStaleRunners(db: WebhooksDb, staleMs: number): Promise<string[]> {
  return db.transaction().execute(async (trx) => {
    const { rows } = await sql<{ runner_id: string; worker_ids: string[] }>`
      delete from webhooks.worker_heartbeats where runner_id in (
        select runner_id from webhooks.worker_heartbeats
        where heartbeat_at < now() - ${`${staleMs} milliseconds`}::interval
        for update skip locked)
      returning runner_id, worker_ids`.execute(trx);
    const workerIds = rows.flatMap((r) => r.worker_ids);
    if (workerIds.length > 0) await sql`select graphile_worker.force_unlock_workers(${workerIds}::text[])`.execute(trx);
    return rows.map((r) => r.runner_id);
  });
}
