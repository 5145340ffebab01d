import { sql } from 'kysely';
import type { DatabaseHandle } from '../../subgraphs/shared/database.ts';
import { EVENTS_SCHEMA } from '../../subgraphs/shared/events-migrations/index.ts';
import { EVENTS_CHANNEL, listen } from '../../subgraphs/shared/notifications.ts';
import { lastEventId, readEvents, type OutboxEvent } from '../../subgraphs/shared/outbox.ts';
import { freshPass } from '../../subgraphs/shared/fresh-pass.ts';
import { serviceLogger } from '../../subgraphs/shared/logger.ts';

const log = serviceLogger('gateway');

/** Follows the outbox and hands every new event, in id order, to the listeners of this process. */
export interface EventFeed {
  /** Highest event id handed to listeners (events up to it are in the database). */
  readonly highWater: number;
  /** Adds a listener; returns its removal. */
  onEvent(listener: (event: OutboxEvent) => void): () => void;
  /** Events of one organization after `afterId` and up to `upTo`, oldest first, at most `limit`. */
  replay(orgId: string, afterId: number, upTo: number, typePrefixes: readonly string[], limit: number): Promise<OutboxEvent[]>;
  /** Highest event id ever issued by the outbox's sequence (0 before the first): no cursor can be beyond it. */
  newestIssuedId(): Promise<number>;
  /** Listeners attached now (one per open subscription of this instance). */
  readonly listenerCount: number;
  /** Lowest id still in the outbox (older ones were removed by retention), or null when empty. */
  oldestId(): Promise<number | null>;
  /**
   * Removes events older than `retentionMs`, but never one that a consumer (e.g. leave's
   * directory) has not applied yet. Returns how many were removed.
   */
  prune(retentionMs: number, now?: Date): Promise<number>;
  stop(): Promise<void>;
}

export interface EventFeedOptions {
  readonly database: DatabaseHandle;
  /** Polling interval behind LISTEN/NOTIFY, ms; default 500. */
  readonly pollIntervalMs?: number;
}

/**
 * Starts following the outbox from its current end: each instance of the gateway reads every
 * new event itself (so a write through one instance reaches subscribers of all), woken by
 * NOTIFY and polling as a fallback.
 */
export async function startEventFeed(options: EventFeedOptions): Promise<EventFeed> {
  const db = options.database.root;
  let highWater = await lastEventId(db);
  const listeners = new Set<(event: OutboxEvent) => void>();

  async function drain(): Promise<void> {
    for (;;) {
      const events = await readEvents(db, highWater, 500);
      for (const event of events) {
        highWater = event.id;
        for (const listener of listeners) {
          try {
            listener(event);
          } catch (error) {
            log.error({ err: error }, 'event listener failed');
          }
        }
      }
      if (events.length < 500) return;
    }
  }

  // Like the outbox consumers: each wake-up is served by a read that starts after it.
  const wake = freshPass(drain);
  const kick = () => void wake().catch((error: unknown) => log.error({ err: error }, 'event feed read failed'));
  const unlisten = await listen(options.database, EVENTS_CHANNEL, kick);
  const timer = setInterval(kick, options.pollIntervalMs ?? 500);
  timer.unref();

  return {
    get highWater() {
      return highWater;
    },
    get listenerCount() {
      return listeners.size;
    },
    async newestIssuedId() {
      const { rows } = await sql<{ last_value: string | number; is_called: boolean }>`
        select last_value, is_called from ${sql.id(EVENTS_SCHEMA, 'outbox_id_seq')}`.execute(db);
      const row = rows[0];
      return row?.is_called ? Number(row.last_value) : 0;
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    replay: (orgId, afterId, upTo, typePrefixes, limit) => readEvents(db, afterId, limit, typePrefixes, { orgId, upTo }),
    async oldestId() {
      const { rows: min } = await sql<{ min: string | number | null }>`select min(id) as min from ${sql.id(EVENTS_SCHEMA, 'outbox')}`.execute(db);
      return min[0]?.min === null || min[0]?.min === undefined ? null : Number(min[0].min);
    },
    async prune(retentionMs, now = new Date()) {
      const cutoff = new Date(now.getTime() - retentionMs);
      const { rows: deleted } = await sql<{ n: number }>`
        with gone as (
          delete from ${sql.id(EVENTS_SCHEMA, 'outbox')}
          where occurred_at < ${cutoff}
            and id <= coalesce((select min(last_id) from ${sql.id(EVENTS_SCHEMA, 'consumer_cursors')}), 9223372036854775807)
          returning 1)
        select count(*)::int as n from gone`.execute(db);
      return deleted[0]?.n ?? 0;
    },
    async stop() {
      clearInterval(timer);
      await unlisten();
      await wake.idle();
    },
  };
}
