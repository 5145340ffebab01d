import crypto from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendEvents, createOutboxConsumer, lastEventId, readEvents, type NewEvent, type OutboxEvent } from '../../../subgraphs/shared/outbox.ts';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.ts';

let database: TestDatabase;
let db: Kysely<unknown>;
const orgId = crypto.randomUUID();
beforeAll(async () => {
  database = await createTestDatabase();
  db = database.handle.root;
  await sql`create table public.applied (consumer text, event_id bigint, primary key (consumer, event_id))`.execute(db);
});
afterAll(() => database.close());

const event = (type: string, n: number): NewEvent => ({
  orgId,
  type,
  entityType: 'Thing',
  entityId: String(n),
  actorId: null,
  payload: { n },
});

const lastId = () => lastEventId(db);

async function until(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('appendEvents', () => {
  it('should publish the events of a committed transaction and none of a rolled-back one', async () => {
    const before = await lastId();
    await db.transaction().execute((trx) => appendEvents(trx as never, [event('thing.created', 1), event('thing.updated', 2)]));
    await expect(
      db.transaction().execute(async (trx) => {
        await appendEvents(trx as never, [event('thing.deleted', 3)]);
        throw new Error('write failed after the append');
      }),
    ).rejects.toThrow('write failed');
    const events = await readEvents(db, before, 100);
    expect(events.map((e) => e.type)).toEqual(['thing.created', 'thing.updated']);
    expect(events[0]).toMatchObject({ orgId, entityType: 'Thing', entityId: '1', payload: { n: 1 } });
  });
});

describe('createOutboxConsumer', () => {
  function consumer(name: string, seen: OutboxEvent[], fail?: (e: OutboxEvent) => boolean) {
    return createOutboxConsumer({
      database: database.handle,
      name,
      typePrefixes: ['order.'],
      batchSize: 3,
      pollIntervalMs: 60_000,
      handle: async (e, trx) => {
        await sql`insert into public.applied values (${name}, ${e.id})`.execute(trx);
        if (fail?.(e)) throw new Error(`handler failed on ${e.id}`);
        seen.push(e);
      },
    });
  }

  it('should apply matching events once each, in order, across batches and restarts', async () => {
    await db.transaction().execute((trx) =>
      appendEvents(trx as never, [event('order.placed', 1), event('other.thing', 2), event('order.paid', 3)]),
    );
    for (let i = 4; i <= 8; i++) await db.transaction().execute((trx) => appendEvents(trx as never, [event('order.shipped', i)]));
    const seen: OutboxEvent[] = [];
    const first = consumer('orders-a', seen);
    await first.catchUp();
    await first.catchUp();
    expect(seen.map((e) => e.payload['n'])).toEqual([1, 3, 4, 5, 6, 7, 8]);
    expect(seen.map((e) => e.id)).toEqual([...seen.map((e) => e.id)].sort((a, b) => a - b));
    // A new instance with the same name continues from the stored cursor.
    await db.transaction().execute((trx) => appendEvents(trx as never, [event('order.closed', 9)]));
    const again: OutboxEvent[] = [];
    await consumer('orders-a', again).catchUp();
    expect(again.map((e) => e.payload['n'])).toEqual([9]);
  });

  it('should roll back the handler writes and the cursor when the handler fails, then retry', async () => {
    await db.transaction().execute((trx) => appendEvents(trx as never, [event('order.placed', 10)]));
    let failing = true;
    const seen: OutboxEvent[] = [];
    const c = consumer('orders-b', seen, (e) => failing && e.payload['n'] === 10);
    await expect(c.catchUp()).rejects.toThrow('handler failed');
    // Earlier batches committed; the failing event's batch left neither its write nor the cursor.
    const failedId = (await readEvents(db, 0, 1000, ['order.placed'])).find((e) => e.payload['n'] === 10)?.id;
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from public.applied where consumer = 'orders-b' and event_id = ${failedId}`.execute(db);
    expect(rows[0]?.n).toBe(0);
    const cursor = await sql<{ last_id: string }>`select last_id from events.consumer_cursors where consumer = 'orders-b'`.execute(db);
    expect(Number(cursor.rows[0]?.last_id)).toBeLessThan(failedId ?? 0);
    failing = false;
    await c.catchUp();
    expect(seen.at(-1)?.payload['n']).toBe(10);
  });

  it('should wake up on the notification of a commit', async () => {
    const seen: OutboxEvent[] = [];
    const c = consumer('orders-c', seen);
    await c.start();
    const count = seen.length;
    await db.transaction().execute((trx) => appendEvents(trx as never, [event('order.placed', 11)]));
    await until(async () => seen.length > count);
    expect(seen.at(-1)?.payload['n']).toBe(11);
    await c.stop();
  });

  it('should apply each event once when two instances with one name run at the same time', async () => {
    for (let i = 20; i < 30; i++) await db.transaction().execute((trx) => appendEvents(trx as never, [event('order.placed', i)]));
    const seenA: OutboxEvent[] = [];
    const seenB: OutboxEvent[] = [];
    await Promise.all([consumer('orders-d', seenA).catchUp(), consumer('orders-d', seenB).catchUp()]);
    const all = [...seenA, ...seenB].map((e) => e.id);
    expect(new Set(all).size).toBe(all.length);
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from public.applied where consumer = 'orders-d'`.execute(db);
    expect(rows[0]?.n).toBe(all.length);
  });
});
