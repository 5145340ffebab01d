import { sql, type Kysely, type QueryExecutorProvider, type Transaction } from 'kysely';
import type { DatabaseHandle } from './database.ts';
import { EVENTS_SCHEMA } from './events-migrations/index.ts';
import { EVENTS_CHANNEL, listen } from './notifications.ts';
import { freshPass } from './fresh-pass.ts';

/** An event as written by a subgraph in the transaction of its write. */
export interface NewEvent {
  readonly orgId: string;
  /** Dotted type, e.g. `leave_request.approved`. */
  readonly type: string;
  /** GraphQL typename of the entity, e.g. `LeaveRequest`. */
  readonly entityType: string;
  readonly entityId: string;
  /** The acting user; null for service keys and the system. */
  readonly actorId: string | null;
  readonly payload: Record<string, unknown>;
}

/** An event read back from the outbox; `id` is its cursor. */
export interface OutboxEvent extends NewEvent {
  readonly id: number;
  readonly occurredAt: Date;
}

interface OutboxRow {
  id: string | number;
  org_id: string;
  type: string;
  entity_type: string;
  entity_id: string;
  actor_id: string | null;
  occurred_at: Date;
  payload: Record<string, unknown>;
}

// Serializes appends until commit, so outbox ids become visible in id order: a reader that
// has seen id N never later finds a newly committed id below N (no skipped events).
const APPEND_LOCK = 7_301_118_245;

/**
 * Appends events to `events.outbox` inside the caller's transaction and notifies
 * listeners; both take effect only if the transaction commits. Call it last in the
 * transaction: it holds a lock that orders appends until commit.
 */
export async function appendEvents(trx: QueryExecutorProvider, events: readonly NewEvent[]): Promise<number[]> {
  if (events.length === 0) return [];
  const db = trx;
  await sql`select pg_advisory_xact_lock(${APPEND_LOCK})`.execute(db);
  const values = events.map(
    (e) => sql`(${e.orgId}, ${e.type}, ${e.entityType}, ${e.entityId}, ${e.actorId}, ${JSON.stringify(e.payload)}::jsonb)`,
  );
  const { rows } = await sql<{ id: string | number }>`
    insert into ${sql.id(EVENTS_SCHEMA, 'outbox')} (org_id, type, entity_type, entity_id, actor_id, payload)
    values ${sql.join(values)} returning id`.execute(db);
  const ids = rows.map((r) => Number(r.id));
  await sql`select pg_notify(${EVENTS_CHANNEL}, ${String(ids.at(-1))})`.execute(db);
  return ids;
}

function toEvent(row: OutboxRow): OutboxEvent {
  return {
    id: Number(row.id),
    orgId: row.org_id,
    type: row.type,
    entityType: row.entity_type,
    entityId: row.entity_id,
    actorId: row.actor_id,
    occurredAt: row.occurred_at,
    payload: row.payload,
  };
}

/** An outbox row as `json_agg` returns it. */
type JsonOutboxRow = Omit<OutboxRow, 'occurred_at'> & { occurred_at: string };

/** `and (type like 'p1%' or ...)`, or nothing without prefixes. */
function typeFilter(typePrefixes?: readonly string[]) {
  return typePrefixes && typePrefixes.length > 0
    ? sql`and (${sql.join(typePrefixes.map((p) => sql`type like ${`${p}%`}`), sql` or `)})`
    : sql``;
}

/** The id of the newest event in the outbox, 0 when it is empty. */
export async function lastEventId(db: QueryExecutorProvider): Promise<number> {
  const { rows } = await sql<{ max: string | number | null }>`select max(id) as max from ${sql.id(EVENTS_SCHEMA, 'outbox')}`.execute(db);
  return Number(rows[0]?.max ?? 0);
}

/** Where a named consumer's cursor stands (0 before its first event). */
export async function consumerCursor(db: QueryExecutorProvider, name: string): Promise<number> {
  const { rows } = await sql<{ last_id: string | number }>`
    select last_id from ${sql.id(EVENTS_SCHEMA, 'consumer_cursors')} where consumer = ${name}`.execute(db);
  return Number(rows[0]?.last_id ?? 0);
}

/**
 * True when the outbox holds an event of `orgId` with one of `typePrefixes` that the
 * consumer `name` has not applied yet (one statement): a reader that must see its own
 * writes across the event boundary asks this before catching the consumer up.
 */
export async function hasUnappliedEvents(db: QueryExecutorProvider, name: string, typePrefixes: readonly string[], orgId: string): Promise<boolean> {
  const { rows } = await sql<{ pending: boolean }>`
    select exists (
      select 1 from ${sql.id(EVENTS_SCHEMA, 'outbox')}
      where id > coalesce((select last_id from ${sql.id(EVENTS_SCHEMA, 'consumer_cursors')} where consumer = ${name}), 0)
        and org_id = ${orgId} ${typeFilter(typePrefixes)}
    ) as pending`.execute(db);
  return rows[0]?.pending === true;
}

/** Narrows `readEvents` to one organization and to ids up to `upTo`. */
export interface ReadEventsScope {
  readonly orgId?: string;
  readonly upTo?: number;
}

/**
 * Events after `afterId`, oldest first, at most `limit`; optionally only types starting
 * with one of `typePrefixes`, and only within `scope`.
 */
export async function readEvents(
  db: Kysely<unknown>,
  afterId: number,
  limit: number,
  typePrefixes?: readonly string[],
  scope: ReadEventsScope = {},
): Promise<OutboxEvent[]> {
  const filter = typeFilter(typePrefixes);
  const org = scope.orgId === undefined ? sql`` : sql`and org_id = ${scope.orgId}`;
  const upTo = scope.upTo === undefined ? sql`` : sql`and id <= ${scope.upTo}`;
  const { rows } = await sql<OutboxRow>`
    select * from ${sql.id(EVENTS_SCHEMA, 'outbox')} where id > ${afterId} ${org} ${upTo} ${filter} order by id limit ${limit}`.execute(db);
  return rows.map(toEvent);
}

export interface OutboxConsumerOptions {
  readonly database: DatabaseHandle;
  /** Unique consumer name: its cursor is stored under it. */
  readonly name: string;
  /** Only events whose type starts with one of these (e.g. `user.`); default all. */
  readonly typePrefixes?: readonly string[];
  /** Applies one event inside the transaction that also advances the cursor (unless `handleBatch` is given). */
  readonly handle?: (event: OutboxEvent, trx: Transaction<unknown>) => Promise<void>;
  /**
   * Applies a whole batch (the matching events of up to `batchSize` outbox rows, in id
   * order) inside the transaction that also advances the cursor: for consumers whose
   * per-event statements would dominate (bulk writes), so they can read and write the
   * batch's rows a few statements at a time. Takes precedence over `handle`.
   */
  readonly handleBatch?: (events: readonly OutboxEvent[], trx: Transaction<unknown>) => Promise<void>;
  /** Events per transaction; default 200. */
  readonly batchSize?: number;
  /** Polling interval behind LISTEN/NOTIFY, ms; default 2000. */
  readonly pollIntervalMs?: number;
}

export interface OutboxConsumer {
  /** Processes everything committed so far; resolves when caught up. Safe to call concurrently. */
  catchUp(): Promise<void>;
  /** Listens and polls until `stop()`. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A durable consumer of the outbox: each event is applied exactly once per consumer name
 * (the handler's writes and the cursor commit together, under a row lock, so several
 * instances can run), in id order, surviving restarts.
 */
export function createOutboxConsumer(options: OutboxConsumerOptions): OutboxConsumer {
  const db = options.database.root;
  const batchSize = options.batchSize ?? 200;
  const handleOne = options.handle;
  const batchHandler =
    options.handleBatch ??
    (handleOne
      ? async (events: readonly OutboxEvent[], trx: Transaction<unknown>) => {
          for (const event of events) await handleOne(event, trx);
        }
      : null);
  if (!batchHandler) throw new Error(`outbox consumer ${options.name}: give handle or handleBatch`);
  const handleBatch = batchHandler;
  let unlisten: (() => Promise<void>) | null = null;
  let timer: NodeJS.Timeout | null = null;

  async function processBatch(): Promise<number> {
    return db.transaction().execute(async (trx) => {
      await sql`insert into ${sql.id(EVENTS_SCHEMA, 'consumer_cursors')} (consumer) values (${options.name}) on conflict do nothing`.execute(trx);
      const { rows } = await sql<{ last_id: string | number }>`
        select last_id from ${sql.id(EVENTS_SCHEMA, 'consumer_cursors')} where consumer = ${options.name} for update`.execute(trx);
      const lastId = Number(rows[0]?.last_id ?? 0);
      // One statement, so one snapshot: the scanned range and the events in it cannot
      // disagree (under READ COMMITTED two statements could see different commits).
      const { rows: batch } = await sql<{ scanned_to: string | number | null; events: JsonOutboxRow[] }>`
        with scan as (select id from ${sql.id(EVENTS_SCHEMA, 'outbox')} where id > ${lastId} order by id limit ${batchSize})
        select (select max(id) from scan) as scanned_to,
               (select coalesce(json_agg(o order by o.id), '[]'::json) from ${sql.id(EVENTS_SCHEMA, 'outbox')} o
                 where o.id in (select id from scan) ${typeFilter(options.typePrefixes)}) as events`.execute(trx);
      const scannedTo = Number(batch[0]?.scanned_to ?? lastId);
      const events = (batch[0]?.events ?? []).map((row) => toEvent({ ...row, occurred_at: new Date(row.occurred_at) }));
      if (events.length > 0) await handleBatch(events, trx);
      const newCursor = scannedTo;
      if (newCursor > lastId) {
        await sql`update ${sql.id(EVENTS_SCHEMA, 'consumer_cursors')} set last_id = ${newCursor}, updated_at = now() where consumer = ${options.name}`.execute(trx);
      }
      return newCursor - lastId;
    });
  }

  async function drain(): Promise<void> {
    while ((await processBatch()) > 0) {
      // keep going until a batch moves the cursor no further
    }
  }

  const catchUp = freshPass(drain);

  const kick = () => void catchUp().catch((error: unknown) => console.error(`outbox consumer ${options.name} failed`, error));

  return {
    catchUp: () => catchUp(),
    async start() {
      unlisten = await listen(options.database, EVENTS_CHANNEL, kick);
      timer = setInterval(kick, options.pollIntervalMs ?? 2000);
      timer.unref();
      await catchUp();
    },
    async stop() {
      if (timer) clearInterval(timer);
      await unlisten?.();
      await catchUp.idle();
    },
  };
}
