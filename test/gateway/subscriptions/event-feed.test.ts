import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEventFeed, type EventFeed } from '../../../gateway/subscriptions/event-feed.ts';
import { appendEvents } from '../../../subgraphs/shared/outbox.ts';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.ts';

let database: TestDatabase;
let feed: EventFeed;
const orgId = '0b0b0b0b-0000-4000-8000-000000000001';
const event = (n: number) => ({ orgId, type: 'leave_request.created', entityType: 'LeaveRequest', entityId: String(n), actorId: null, payload: {} });

beforeAll(async () => {
  database = await createTestDatabase();
  feed = await startEventFeed({ database: database.handle, pollIntervalMs: 50 });
});
afterAll(async () => {
  await feed.stop();
  await database.close();
});

describe('event feed retention', () => {
  it('should prune events past retention, but none a consumer has not applied yet', async () => {
    const db = database.handle.root;
    await db.transaction().execute((trx) => appendEvents(trx, [event(1), event(2), event(3)]));
    await sql`update events.outbox set occurred_at = now() - interval '10 days'`.execute(db);
    const ids = (await feed.replay(orgId, 0, Number.MAX_SAFE_INTEGER, ['leave_request.'], 10)).map((e) => e.id);
    // A consumer that has applied only the first event holds the others back.
    await sql`insert into events.consumer_cursors (consumer, last_id) values ('slow', ${ids[0]})`.execute(db);
    expect(await feed.prune(7 * 86_400_000)).toBe(1);
    expect(await feed.oldestId()).toBe(ids[1]);
    await sql`update events.consumer_cursors set last_id = ${ids[2]} where consumer = 'slow'`.execute(db);
    expect(await feed.prune(7 * 86_400_000)).toBe(2);
    expect(await feed.oldestId()).toBeNull();
  });

  it('should hand new events to listeners in order, once', async () => {
    const seen: string[] = [];
    const stop = feed.onEvent((e) => void seen.push(e.entityId));
    await database.handle.root.transaction().execute((trx) => appendEvents(trx, [event(10), event(11)]));
    await database.handle.root.transaction().execute((trx) => appendEvents(trx, [event(12)]));
    for (let i = 0; i < 100 && seen.length < 3; i++) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 600));
    stop();
    expect(seen).toEqual(['10', '11', '12']);
  });
});
