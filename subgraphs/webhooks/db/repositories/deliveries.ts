import { sql, type Transaction } from 'kysely';
import { cursorConditions, readOrder, type PageArgs } from '../../../shared/pagination.ts';
import type { DeliveryStatus, WebhooksDatabase, WebhooksDb } from '../database.ts';

type Db = WebhooksDb | Transaction<WebhooksDatabase>;

/** A delivery with what sending it needs of its endpoint. */
export interface ClaimedDelivery {
  readonly id: string;
  readonly seq: number;
  readonly orgId: string;
  readonly endpointId: string;
  readonly eventType: string;
  readonly messageId: string;
  readonly body: string;
  readonly attempts: number;
  readonly url: string;
  readonly enabled: boolean;
  readonly secrets: readonly string[];
  /** This claim's token: recording the attempt needs it (a lapsed lease re-claimed by another cannot be overwritten). */
  readonly leaseToken: string;
  /** Whether the endpoint was failing when claimed (a success then clears it). */
  readonly failing: boolean;
}

/** The claim was lost (its lease lapsed and another worker claimed the delivery): nothing of this attempt is recorded. */
export class LeaseLostError extends Error {
  constructor(deliveryId: string) {
    super(`delivery ${deliveryId}: lease lost to a newer claim`);
  }
}

/** Inserts pending deliveries due now; returns their ids, endpoints and sequence numbers. */
export async function insertDeliveries(
  db: Db,
  rows: readonly { orgId: string; endpointId: string; eventId: number | null; eventType: string; messageId: string; body: string }[],
): Promise<{ id: string; endpoint_id: string; seq: number }[]> {
  if (rows.length === 0) return [];
  return db
    .insertInto('deliveries')
    .values(
      rows.map((r) => ({
        org_id: r.orgId,
        endpoint_id: r.endpointId,
        event_id: r.eventId,
        event_type: r.eventType,
        message_id: r.messageId,
        body: r.body,
        status: 'PENDING' as const,
        attempts: 0,
        next_attempt_at: sql<Date>`now()`,
      })),
    )
    .returning(['id', 'endpoint_id', 'seq'])
    .execute();
}

/**
 * Claims a due pending delivery for one attempt: pushes its due time out by `leaseMs`, so no
 * other worker (or duplicate job) claims it meanwhile; a worker that dies mid-attempt leaves
 * it claimable again once the lease ends. Undefined when it is not pending, not due, or
 * claimed by someone else.
 */
export async function claimDelivery(db: Db, id: string, leaseMs: number, options: { inOrder?: boolean } = {}): Promise<ClaimedDelivery | undefined> {
  // inOrder: only when no earlier delivery of the endpoint is pending (the common case, in one statement).
  const inOrder = options.inOrder
    ? sql`and not exists (select 1 from webhooks.deliveries e where e.endpoint_id = d.endpoint_id and e.status = 'PENDING' and e.seq < d.seq)`
    : sql``;
  const { rows } = await sql<{
    id: string;
    seq: number;
    org_id: string;
    endpoint_id: string;
    event_type: string;
    message_id: string;
    body: string;
    attempts: number;
    url: string;
    enabled: boolean;
    secret: string;
    previous_secret: string | null;
    lease_token: string;
    failing: boolean;
  }>`
    with claimed as (
      update webhooks.deliveries d set leased_until = now() + ${`${leaseMs} milliseconds`}::interval, lease_token = gen_random_uuid()
      where d.id = ${id} and d.status = 'PENDING' and d.next_attempt_at <= now() and (d.leased_until is null or d.leased_until < now()) ${inOrder}
      returning d.*)
    select c.id, c.seq, c.org_id, c.endpoint_id, c.event_type, c.message_id, c.body, c.attempts, e.url, e.enabled, e.secret, c.lease_token,
           e.failing_since is not null as failing,
           case when e.previous_secret_expires_at > now() then e.previous_secret end as previous_secret
    from claimed c join webhooks.endpoints e on e.id = c.endpoint_id and e.org_id = c.org_id`.execute(db);
  const row = rows[0];
  if (!row) return undefined;
  return {
    id: row.id,
    seq: Number(row.seq),
    orgId: row.org_id,
    endpointId: row.endpoint_id,
    eventType: row.event_type,
    messageId: row.message_id,
    body: row.body,
    attempts: row.attempts,
    url: row.url,
    enabled: row.enabled,
    secrets: row.previous_secret ? [row.secret, row.previous_secret] : [row.secret],
    leaseToken: row.lease_token,
    failing: row.failing,
  };
}

/** Until when a pending, due delivery is claimed by another attempt (and its endpoint); undefined when it is not (done, not due, or free). */
export async function activeLease(db: Db, id: string): Promise<{ leased_until: Date | null; endpoint_id: string } | undefined> {
  return db
    .selectFrom('deliveries')
    .select(['leased_until', 'endpoint_id'])
    .where('id', '=', id)
    .where('status', '=', 'PENDING')
    .where('next_attempt_at', '<=', sql<Date>`now()`)
    .where('leased_until', '>=', sql<Date>`now()`)
    .executeTakeFirst();
}

/**
 * Releases every lease (embedded mode, at start: PGlite serves one process, so a lease still
 * held is a dead process's). Returns how many were released.
 */
export async function releaseAllLeases(db: Db): Promise<number> {
  const result = await db.updateTable('deliveries').set({ leased_until: null, lease_token: null }).where('status', '=', 'PENDING').where('leased_until', 'is not', null).executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** The oldest earlier delivery of the same endpoint still pending (outbox order holds later ones back): its due time and lease; locks its row. */
export async function earlierPending(db: Db, endpointId: string, seq: number): Promise<{ next_attempt_at: Date | null; leased_until: Date | null } | undefined> {
  return db
    .selectFrom('deliveries')
    .select(['next_attempt_at', 'leased_until'])
    .where('endpoint_id', '=', endpointId)
    .where('status', '=', 'PENDING')
    .where('seq', '<', seq)
    .orderBy('seq')
    .limit(1)
    .forUpdate()
    .executeTakeFirst();
}

/** Moves a claimed delivery's due time (held back behind an earlier one; no attempt counted); false when the claim was lost. */
export async function postpone(db: Db, delivery: Pick<ClaimedDelivery, 'id' | 'leaseToken'>, runAt: Date): Promise<boolean> {
  const result = await db
    .updateTable('deliveries')
    .set({ next_attempt_at: runAt, leased_until: null, lease_token: null })
    .where('id', '=', delivery.id)
    .where('status', '=', 'PENDING')
    .where('lease_token', '=', delivery.leaseToken)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** The first pending delivery of the endpoint of delivery `id` (its head, in outbox order): its id, due time and lease. */
export async function endpointHead(db: Db, id: string): Promise<{ id: string; next_attempt_at: Date | null; leased_until: Date | null } | undefined> {
  const { rows } = await sql<{ id: string; next_attempt_at: Date | null; leased_until: Date | null }>`
    select h.id, h.next_attempt_at, h.leased_until from webhooks.deliveries d
    cross join lateral (select id, next_attempt_at, leased_until from webhooks.deliveries h
      where h.endpoint_id = d.endpoint_id and h.status = 'PENDING' order by h.seq limit 1) h
    where d.id = ${id}`.execute(db);
  return rows[0];
}

/** Makes the endpoint's next pending delivery after `seq` due now; returns its id, if there is one. */
export async function wakeNext(db: Db, endpointId: string, seq: number): Promise<string | undefined> {
  const { rows } = await sql<{ id: string }>`
    update webhooks.deliveries set next_attempt_at = now()
    where id = (select id from webhooks.deliveries where endpoint_id = ${endpointId} and status = 'PENDING' and seq > ${seq} order by seq limit 1)
    returning id`.execute(db);
  return rows[0]?.id;
}

/** Records an attempt and the delivery's new state; throws `LeaseLostError` (roll back) when the claim is no longer this attempt's. */
export async function recordAttempt(
  db: Db,
  delivery: ClaimedDelivery,
  attempt: {
    headers: Record<string, string>;
    status: number | null;
    responseBody: string | null;
    durationMs: number;
    error: string | null;
    succeeded: boolean;
    nextStatus: DeliveryStatus;
    nextAttemptAt: Date | null;
  },
): Promise<void> {
  const updated = await db
    .updateTable('deliveries')
    .set({ attempts: delivery.attempts + 1, status: attempt.nextStatus, next_attempt_at: attempt.nextAttemptAt, leased_until: null, lease_token: null, last_attempt_at: sql<Date>`now()` })
    .where('id', '=', delivery.id)
    .where('lease_token', '=', delivery.leaseToken)
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) === 0) throw new LeaseLostError(delivery.id);
  await db
    .insertInto('delivery_attempts')
    .values({
      org_id: delivery.orgId,
      delivery_id: delivery.id,
      endpoint_id: delivery.endpointId,
      event_type: delivery.eventType,
      attempt: delivery.attempts + 1,
      request_headers: JSON.stringify(attempt.headers),
      request_body: delivery.body,
      response_status: attempt.status,
      response_body: attempt.responseBody,
      duration_ms: attempt.durationMs,
      error: attempt.error,
      succeeded: attempt.succeeded,
      next_retry_at: attempt.nextAttemptAt,
    })
    .execute();
}

/** Deliveries still pending whose due time (or lease) has passed: what a sweep re-enqueues. */
export async function overdueDeliveries(db: Db, olderThanMs: number, limit: number): Promise<{ id: string; endpoint_id: string }[]> {
  return db
    .selectFrom('deliveries')
    .select(['id', 'endpoint_id'])
    .where('status', '=', 'PENDING')
    .where('next_attempt_at', '<=', sql<Date>`now() - ${`${olderThanMs} milliseconds`}::interval`)
    .where((eb) => eb.or([eb('leased_until', 'is', null), eb('leased_until', '<', sql<Date>`now()`)]))
    .orderBy('seq')
    .limit(limit)
    .execute();
}

/**
 * Retention: deletes attempts older than `retentionMs`, and finished (succeeded or failed)
 * deliveries older than that with what is left of their log, in batches of `batch` rows (so
 * no statement holds locks for long). Pending deliveries are kept whatever their age.
 * Returns how many attempts and deliveries went.
 */
export async function pruneDeliveries(db: Db, retentionMs: number, batch = 5000): Promise<{ attempts: number; deliveries: number }> {
  const cutoff = sql<Date>`now() - ${`${retentionMs} milliseconds`}::interval`;
  let attempts = 0;
  let deliveries = 0;
  for (;;) {
    const result = await db
      .deleteFrom('delivery_attempts')
      .where('id', 'in', (eb) => eb.selectFrom('delivery_attempts').select('id').where('created_at', '<', cutoff).limit(batch))
      .executeTakeFirst();
    attempts += Number(result.numDeletedRows);
    if (Number(result.numDeletedRows) < batch) break;
  }
  for (;;) {
    const result = await db
      .deleteFrom('deliveries')
      .where('id', 'in', (eb) => eb.selectFrom('deliveries').select('id').where('status', '<>', 'PENDING').where('created_at', '<', cutoff).limit(batch))
      .executeTakeFirst();
    deliveries += Number(result.numDeletedRows);
    if (Number(result.numDeletedRows) < batch) break;
  }
  return { attempts, deliveries };
}

/** Conditions on the deliveries and attempts an organization lists; all given ones hold. */
export interface DeliveryLogFilter {
  readonly endpointId?: string | null;
  readonly deliveryId?: string | null;
  readonly eventType?: string | null;
  readonly status?: DeliveryStatus | null;
  readonly from?: Date | null;
  readonly to?: Date | null;
}

function deliveriesQuery(db: Db, orgId: string, f: DeliveryLogFilter) {
  let q = db.selectFrom('deliveries').where('org_id', '=', orgId);
  if (f.endpointId) q = q.where('endpoint_id', '=', f.endpointId);
  if (f.deliveryId) q = q.where('id', '=', f.deliveryId);
  if (f.eventType) q = q.where('event_type', '=', f.eventType);
  if (f.status) q = q.where('status', '=', f.status);
  if (f.from) q = q.where('created_at', '>=', f.from);
  if (f.to) q = q.where('created_at', '<', f.to);
  return q;
}

/** An organization's deliveries matching `f`, newest first, `limit` between the page's cursors (reversed for a backward page). */
export async function listDeliveries(db: Db, orgId: string, f: DeliveryLogFilter, limit: number, args: PageArgs) {
  const dir = readOrder(args, true);
  const q = deliveriesQuery(db, orgId, f).selectAll().where(cursorConditions([sql`created_at`, sql`id`], args, ['timestamp', 'uuid'], true));
  return q.orderBy('created_at', dir).orderBy('id', dir).limit(limit).execute();
}

/** How many of an organization's deliveries match `f`. */
export async function countDeliveries(db: Db, orgId: string, f: DeliveryLogFilter): Promise<number> {
  const row = await deliveriesQuery(db, orgId, f).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

function attemptsQuery(db: Db, orgId: string, f: DeliveryLogFilter) {
  let q = db.selectFrom('delivery_attempts as a').where('a.org_id', '=', orgId);
  if (f.endpointId) q = q.where('a.endpoint_id', '=', f.endpointId);
  if (f.deliveryId) q = q.where('a.delivery_id', '=', f.deliveryId);
  if (f.eventType) q = q.where('a.event_type', '=', f.eventType);
  if (f.status) {
    const status = f.status;
    q = q.where((eb) => eb.exists(eb.selectFrom('deliveries as d').select('d.id').whereRef('d.id', '=', 'a.delivery_id').where('d.status', '=', status)));
  }
  if (f.from) q = q.where('a.created_at', '>=', f.from);
  if (f.to) q = q.where('a.created_at', '<', f.to);
  return q;
}

/** The delivery log: an organization's attempts matching `f`, newest first, `limit` between the page's cursors (reversed for a backward page). */
export async function listAttempts(db: Db, orgId: string, f: DeliveryLogFilter, limit: number, args: PageArgs) {
  const dir = readOrder(args, true);
  const q = attemptsQuery(db, orgId, f).selectAll('a').where(cursorConditions([sql`a.created_at`, sql`a.id`], args, ['timestamp', 'uuid'], true));
  return q.orderBy('a.created_at', dir).orderBy('a.id', dir).limit(limit).execute();
}

/** How many of an organization's attempts match `f`. */
export async function countAttempts(db: Db, orgId: string, f: DeliveryLogFilter): Promise<number> {
  const row = await attemptsQuery(db, orgId, f).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}
