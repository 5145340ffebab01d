import type { GatewayDb } from '../database.ts';
import type { IdempotencyKeyRow } from '../tables/idempotency-keys.ts';

/** Identifies one key of one caller. */
export interface IdempotencyScope {
  readonly orgId: string;
  readonly caller: string;
  readonly key: string;
}

/**
 * Claims `scope` for a request with `fingerprint` at `now`: an entry older than `expiredBefore`
 * is dropped first. Returns null when this request claimed the key (it runs), else the entry
 * that holds it (running when its status is null). One transaction; concurrent claims of one
 * key are decided by the primary key, so exactly one wins.
 */
export async function claimIdempotencyKey(
  db: GatewayDb,
  scope: IdempotencyScope,
  fingerprint: string,
  now: Date,
  expiredBefore: Date,
): Promise<IdempotencyKeyRow | null> {
  return db.transaction().execute(async (trx) => {
    await trx
      .deleteFrom('idempotency_keys')
      .where('org_id', '=', scope.orgId)
      .where('caller', '=', scope.caller)
      .where('key', '=', scope.key)
      .where('created_at', '<', expiredBefore)
      .execute();
    const inserted = await trx
      .insertInto('idempotency_keys')
      .values({ org_id: scope.orgId, caller: scope.caller, key: scope.key, fingerprint, created_at: now, status: null, body: null })
      .onConflict((oc) => oc.columns(['org_id', 'caller', 'key']).doNothing())
      .returning('key')
      .executeTakeFirst();
    if (inserted) return null;
    return (
      (await trx
        .selectFrom('idempotency_keys')
        .selectAll()
        .where('org_id', '=', scope.orgId)
        .where('caller', '=', scope.caller)
        .where('key', '=', scope.key)
        .executeTakeFirst()) ?? null
    );
  });
}

/** Records the answer to the request that claimed `scope`. */
export async function completeIdempotencyKey(db: GatewayDb, scope: IdempotencyScope, status: number, body: string): Promise<void> {
  await db
    .updateTable('idempotency_keys')
    .set({ status, body })
    .where('org_id', '=', scope.orgId)
    .where('caller', '=', scope.caller)
    .where('key', '=', scope.key)
    .execute();
}

/** Releases a claim whose request produced no answer to keep, so that a retry runs again. */
export async function releaseIdempotencyKey(db: GatewayDb, scope: IdempotencyScope): Promise<void> {
  await db
    .deleteFrom('idempotency_keys')
    .where('org_id', '=', scope.orgId)
    .where('caller', '=', scope.caller)
    .where('key', '=', scope.key)
    .where('status', 'is', null)
    .execute();
}

/** Deletes entries created before `before`; returns how many. */
export async function pruneIdempotencyKeys(db: GatewayDb, before: Date): Promise<number> {
  const result = await db.deleteFrom('idempotency_keys').where('created_at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}
