import type { Transaction } from 'kysely';
import type { WebhooksDatabase } from '../db/database.ts';

/** Where delivery attempts are queued: graphile-worker on PostgreSQL, or the embedded adapter on PGlite. */
export interface DeliveryQueue {
  /** Queues an attempt of `deliveryId` at `runAt`, inside the caller's transaction (so it exists only if that commits). */
  enqueue(trx: Transaction<WebhooksDatabase>, job: { deliveryId: string; runAt: Date }): Promise<void>;
}

/** graphile-worker's task name for one delivery attempt. */
export const DELIVER_TASK = 'webhooks_deliver';
