import crypto from 'node:crypto';
import { EventEmitter } from 'node:events';
import { sql, type Transaction } from 'kysely';
import pg from 'pg';
import { Logger, run, runMigrations, type Runner, type WorkerEvents } from 'graphile-worker';
import type { DatabaseHandle } from '../../shared/database.ts';
import { schemaDb } from '../../shared/database.ts';
import { createOutboxConsumer, type OutboxConsumer, type OutboxEvent } from '../../shared/outbox.ts';
import { WEBHOOKS_SCHEMA, type WebhooksDatabase, type WebhooksDb } from '../db/database.ts';
import { earlierPending, insertDeliveries, overdueDeliveries, pruneDeliveries, releaseAllLeases } from '../db/repositories/deliveries.ts';
import { beat, forget, reapStaleRunners } from '../db/repositories/worker-heartbeats.ts';
import { matchingEndpoints } from '../db/repositories/endpoints.ts';
import { isWebhookEventType } from './catalogue.ts';
import { createDeliveryEngine, type AttemptDelivery, type DeliverySettings } from './delivery-engine.ts';
import { DELIVER_TASK, type DeliveryQueue } from './queue.ts';
import { serviceLogger } from '../../shared/logger.ts';

const log = serviceLogger('webhooks');

/** Name (and cursor) of the webhooks outbox consumer. */
export const WEBHOOKS_CONSUMER_NAME = 'webhooks.deliveries';

/** The body every endpoint receives for an event. */
export function eventBody(event: OutboxEvent): string {
  return JSON.stringify({
    id: `evt_${event.id}`,
    type: event.type,
    occurredAt: event.occurredAt.toISOString(),
    organizationId: event.orgId,
    entity: { type: event.entityType, id: event.entityId },
    data: event.payload,
  });
}

/** graphile-worker: jobs keyed by delivery, so a delivery has at most one waiting job. */
export const graphileQueue: DeliveryQueue = {
  async enqueue(trx, job) {
    await sql`select graphile_worker.add_job(${DELIVER_TASK}, json_build_object('deliveryId', ${job.deliveryId}::text),
      run_at => ${job.runAt}::timestamptz, max_attempts => 25, job_key => ${`delivery:${job.deliveryId}`})`.execute(trx);
  },
};

/** The embedded adapter (PGlite, one process): the delivery's due time is the queue; a poller picks due ones. */
export const embeddedQueue: DeliveryQueue = {
  async enqueue() {
    // next_attempt_at, set in the same transaction, is what the embedded poller reads.
  },
};

/** Embedded databases on which this process has released the claims of a previous process. */
const leasesReleased = new WeakSet<DatabaseHandle>();

export interface WebhookWorkerOptions {
  readonly database: DatabaseHandle;
  readonly delivery: DeliverySettings;
  /** Attempts run at the same time by this worker; default 10. */
  readonly concurrency?: number;
  /** How long the delivery log is kept, ms; default 30 days. */
  readonly retentionMs?: number;
  /** Poll interval of the queue and of the outbox consumer, ms; default 1000. */
  readonly pollIntervalMs?: number;
  /** How often the delivery log is pruned, ms; default 1 hour (and once at start). */
  readonly pruneIntervalMs?: number;
  /** PostgreSQL: how often this runner records its heartbeat and looks for dead runners, ms; default 5 s. */
  readonly heartbeatIntervalMs?: number;
  /**
   * PostgreSQL: a runner whose heartbeat is older than this is dead and its jobs are unlocked,
   * ms; default 30 s. Its claims on deliveries still last until their leases lapse, so a
   * runner wrongly declared dead (stalled this long) never has an attempt run twice at once.
   */
  readonly staleAfterMs?: number;
  /** PostgreSQL: how often pending deliveries overdue by a minute are queued again (the backstop), ms; default 60 s. */
  readonly sweepIntervalMs?: number;
}

export interface WebhookWorker {
  /** Turns every committed outbox event into deliveries now. */
  catchUp(): Promise<void>;
  /** Queues a delivery created outside the outbox (test message, redelivery) in `trx`. */
  readonly queue: DeliveryQueue;
  /** Deletes log rows past the retention; returns the attempts and deliveries removed. */
  prune(): Promise<{ attempts: number; deliveries: number }>;
  /** This process's runner id (its heartbeat row on PostgreSQL). */
  readonly runnerId: string;
  stop(): Promise<void>;
}

/**
 * The webhooks worker: an outbox consumer that turns each catalogue event into one delivery
 * per matching enabled endpoint of its organization (in the transaction that advances the
 * consumer's cursor, so exactly once), and a queue runner that attempts them. On PostgreSQL
 * the queue is graphile-worker (SKIP LOCKED, any number of instances); on PGlite an
 * embedded poller runs the same attempt code.
 */
export async function startWebhookWorker(options: WebhookWorkerOptions): Promise<WebhookWorker> {
  const db = schemaDb<WebhooksDatabase>(options.database, WEBHOOKS_SCHEMA);
  const postgres = options.database.kind === 'postgres';
  const queue = postgres ? graphileQueue : embeddedQueue;
  const attempt = createDeliveryEngine(db, queue, options.delivery);
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const concurrency = options.concurrency ?? 10;
  const retentionMs = options.retentionMs ?? 30 * 24 * 3_600_000;
  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? 5_000;
  const staleAfterMs = options.staleAfterMs ?? 30_000;
  if (staleAfterMs < 2 * heartbeatIntervalMs) throw new Error('webhooks: staleAfterMs must be at least twice heartbeatIntervalMs');
  const runnerId = `runner-${crypto.randomBytes(9).toString('hex')}`;
  const report = (what: string) => (error: unknown) => log.error({ err: error }, `${what} failed`);

  // Endpoints that got a delivery in a consumer transaction so far: later ones of the same
  // batch are behind it.
  const queuedEndpoints = new WeakMap<object, Set<string>>();
  const consumer: OutboxConsumer = createOutboxConsumer({
    database: options.database,
    name: WEBHOOKS_CONSUMER_NAME,
    pollIntervalMs,
    handle: async (event, rootTrx) => {
      if (!isWebhookEventType(event.type)) return;
      const trx = rootTrx.withSchema(WEBHOOKS_SCHEMA) as unknown as Transaction<WebhooksDatabase>;
      const endpoints = await matchingEndpoints(trx, event.orgId, event.type);
      if (endpoints.length === 0) return;
      const body = eventBody(event);
      const rows = await insertDeliveries(
        trx,
        endpoints.map((e) => ({ orgId: event.orgId, endpointId: e.id, eventId: event.id, eventType: event.type, messageId: `msg_${event.id}_${e.id.replaceAll('-', '').slice(0, 12)}`, body })),
      );
      // A job only for an endpoint's head: a delivery behind an earlier pending one is woken
      // when that one finishes (wakeNext), so a burst of events queues one job per endpoint,
      // not one per delivery that would only be held back. The head's row is locked (see
      // earlierPending), so its finishing either sees these rows or commits before the check.
      let queued = queuedEndpoints.get(rootTrx);
      if (!queued) queuedEndpoints.set(rootTrx, (queued = new Set()));
      for (const row of rows) {
        if (queued.has(row.endpoint_id)) continue;
        queued.add(row.endpoint_id);
        if (await earlierPending(trx, row.endpoint_id, Number(row.seq))) continue;
        await queue.enqueue(trx, { deliveryId: row.id, runAt: new Date() });
      }
    },
  });

  let runner: Runner | null = null;
  let queuePool: pg.Pool | null = null;
  let poller: EmbeddedPoller | null = null;
  const timers: NodeJS.Timeout[] = [];
  const every = (ms: number, task: () => Promise<unknown>, what: string) => {
    const timer = setInterval(() => void task().catch(report(what)), ms);
    timer.unref();
    timers.push(timer);
  };
  if (postgres && options.database.url) {
    await runMigrations({ connectionString: options.database.url });
    // The ids of this runner's graphile-worker workers (the `locked_by` of its jobs), for its heartbeat.
    const workerIds = new Set<string>();
    const events: WorkerEvents = new EventEmitter();
    events.on('worker:create', ({ worker }) => void workerIds.add(worker.workerId));
    // The queue's own pool, ended only after the runner has stopped; a connection lost while
    // idle (the database restarted) is logged, never an uncaught error.
    queuePool = new pg.Pool({ connectionString: options.database.url, max: concurrency + 2 });
    queuePool.on('error', (error) => log.warn(`queue: idle connection lost (${error.message})`));
    runner = await run({
      pgPool: queuePool,
      concurrency,
      noHandleSignals: true,
      pollInterval: pollIntervalMs,
      logger: quietLogger(),
      events,
      taskList: {
        [DELIVER_TASK]: async (payload) => {
          const deliveryId = (payload as { deliveryId?: unknown } | null)?.deliveryId;
          if (typeof deliveryId === 'string') await attempt(deliveryId);
        },
      },
    });
    // Crash recovery: graphile-worker keeps a dead worker's jobs locked for 4 hours. Every
    // runner records a heartbeat and unlocks the jobs of runners whose heartbeat is stale;
    // a delivery's own lease still guards it until it lapses (see DeliverySettings.leaseMarginMs).
    const heartbeat = async () => {
      await beat(db, runnerId, [...workerIds]);
      await reapStaleRunners(db, staleAfterMs);
    };
    await heartbeat();
    every(heartbeatIntervalMs, heartbeat, 'heartbeat');
    // The backstop: a pending delivery overdue by a minute with no live claim is queued again
    // (a job lost some other way: one locked by a worker that never recorded a heartbeat).
    every(
      options.sweepIntervalMs ?? 60_000,
      async () => {
        const overdue = await overdueDeliveries(db, 60_000, 500);
        if (overdue.length === 0) return;
        await db.transaction().execute(async (trx) => {
          for (const d of overdue) await graphileQueue.enqueue(trx, { deliveryId: d.id, runAt: new Date() });
        });
      },
      'sweep',
    );
  } else {
    // PGlite serves one process: a lease still held when this process first starts a worker on
    // it is a dead process's. (A second worker on the same database in this process, as the
    // tests start, must not release the first one's live claims.)
    if (!leasesReleased.has(options.database)) {
      leasesReleased.add(options.database);
      await releaseAllLeases(db);
    }
    poller = startEmbeddedPoller(db, attempt, concurrency, Math.min(pollIntervalMs, 200));
  }
  await consumer.start();

  const prune = () => pruneDeliveries(db, retentionMs);
  void prune().catch(report('prune'));
  every(options.pruneIntervalMs ?? 3_600_000, prune, 'prune');

  return {
    catchUp: () => consumer.catchUp(),
    queue,
    prune,
    runnerId,
    async stop() {
      for (const timer of timers) clearInterval(timer);
      await consumer.stop();
      await poller?.stop();
      await runner?.stop();
      if (runner) await forget(db, runnerId);
      await queuePool?.end();
    },
  };
}

/** graphile-worker logs every job at info; keep warnings and errors only. */
function quietLogger(): Logger {
  return new Logger(() => (level, message) => {
    if (level === 'error') log.error(`queue: ${message}`);
    else if (level === 'warning') log.warn(`queue: ${message}`);
  });
}

interface EmbeddedPoller {
  stop(): Promise<void>;
}

/** PGlite's queue: due pending deliveries, oldest first, at most one in flight per endpoint. */
function startEmbeddedPoller(db: WebhooksDb, attempt: AttemptDelivery, concurrency: number, intervalMs: number): EmbeddedPoller {
  const inFlight = new Map<string, Promise<void>>();
  const busyEndpoints = new Set<string>();
  let stopped = false;
  let polling = false;
  const poll = async () => {
    if (polling || stopped) return;
    polling = true;
    try {
      // Only the head of each endpoint's pending deliveries (outbox order): later ones are not
      // even looked at while an earlier one waits, so a dead endpoint costs one row per poll.
      const { rows: due } = await sql<{ id: string; endpoint_id: string }>`
        select id, endpoint_id from (
          select distinct on (endpoint_id) id, endpoint_id, seq, next_attempt_at, leased_until
          from webhooks.deliveries where status = 'PENDING' order by endpoint_id, seq) heads
        where next_attempt_at <= now() and (leased_until is null or leased_until < now())
        order by seq limit ${concurrency * 4}`.execute(db);
      for (const d of due) {
        if (stopped || inFlight.size >= concurrency) break;
        if (busyEndpoints.has(d.endpoint_id) || inFlight.has(d.id)) continue;
        busyEndpoints.add(d.endpoint_id);
        const run = attempt(d.id)
          .catch((error: unknown) => log.error({ err: error }, 'delivery attempt failed'))
          .finally(() => {
            inFlight.delete(d.id);
            busyEndpoints.delete(d.endpoint_id);
            void poll();
          });
        inFlight.set(d.id, run);
      }
    } catch (error) {
      log.error({ err: error }, 'poll failed');
    } finally {
      polling = false;
    }
  };
  const timer = setInterval(() => void poll(), intervalMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await Promise.all(inFlight.values());
    },
  };
}
