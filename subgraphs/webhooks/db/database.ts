import type { ColumnType, Generated, Kysely } from 'kysely';

/** A registered endpoint of an organization. */
export interface EndpointsTable {
  id: Generated<string>;
  org_id: string;
  url: string;
  description: string | null;
  /** Outbox types delivered; empty means every type of the catalogue. */
  event_types: string[];
  enabled: boolean;
  disabled_reason: string | null;
  secret: string;
  /** The secret before the last rotation, signed with until `previous_secret_expires_at`. */
  previous_secret: string | null;
  previous_secret_expires_at: Date | null;
  /** Start of the current run of failed attempts; null after a success. */
  failing_since: Date | null;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, never, Date>;
}

export type DeliveryStatus = 'PENDING' | 'SUCCEEDED' | 'FAILED';

/** One message to one endpoint: the body is fixed when it is enqueued, so every retry sends the same bytes. */
export interface DeliveriesTable {
  id: Generated<string>;
  /** Outbox order of an endpoint's deliveries (bigserial). */
  seq: Generated<number>;
  org_id: string;
  endpoint_id: string;
  /** The outbox event; null for a test message. */
  event_id: number | null;
  event_type: string;
  /** `webhook-id`: stable across retries and redeliveries. */
  message_id: string;
  body: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: Date | null;
  /** While an attempt is in flight: until when it is claimed (a worker that dies lets it lapse). */
  leased_until: Date | null;
  /** Token of the current claim: only the attempt holding it may record its outcome. */
  lease_token: string | null;
  created_at: ColumnType<Date, never, never>;
  last_attempt_at: Date | null;
}

/** One HTTP attempt of a delivery: the delivery log. */
export interface DeliveryAttemptsTable {
  id: Generated<string>;
  org_id: string;
  delivery_id: string;
  endpoint_id: string;
  event_type: string;
  attempt: number;
  request_headers: ColumnType<Record<string, string>, string, string>;
  request_body: string;
  response_status: number | null;
  /** First 4 KB of the response body. */
  response_body: string | null;
  duration_ms: number;
  error: string | null;
  succeeded: boolean;
  next_retry_at: Date | null;
  created_at: ColumnType<Date, never, never>;
}

/** A queue runner's heartbeat (PostgreSQL): a stale one is dead, and its workers' jobs are unlocked. */
export interface WorkerHeartbeatsTable {
  runner_id: string;
  /** Its graphile-worker worker ids (the `locked_by` of the jobs it runs). */
  worker_ids: string[];
  started_at: ColumnType<Date, never, never>;
  heartbeat_at: ColumnType<Date, Date | undefined, Date>;
}

/** The webhooks schema's tables. */
export interface WebhooksDatabase {
  endpoints: EndpointsTable;
  deliveries: DeliveriesTable;
  delivery_attempts: DeliveryAttemptsTable;
  worker_heartbeats: WorkerHeartbeatsTable;
}

export type WebhooksDb = Kysely<WebhooksDatabase>;
/** Postgres schema of the webhooks service. */
export const WEBHOOKS_SCHEMA = 'webhooks';
