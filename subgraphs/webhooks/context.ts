import type { Identity } from '../shared/identity.ts';
import type { WebhooksDb } from './db/database.ts';
import type { DeliveryQueue } from './domain/queue.ts';
import type { UrlPolicy } from './domain/url-safety.ts';

/** Process-wide services of the webhooks resolvers. */
export interface WebhooksServices {
  readonly urlPolicy: UrlPolicy;
  /** Queues redeliveries and test messages. */
  readonly queue: DeliveryQueue;
}

/** What every webhooks resolver gets. */
export interface WebhooksContext {
  readonly identity: Identity;
  readonly db: WebhooksDb;
  readonly services: WebhooksServices;
}
