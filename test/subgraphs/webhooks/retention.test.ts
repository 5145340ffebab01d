import crypto from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schemaDb } from '../../../subgraphs/shared/database.ts';
import { WEBHOOKS_SCHEMA, type WebhooksDatabase, type WebhooksDb } from '../../../subgraphs/webhooks/db/database.ts';
import { DEFAULT_DELIVERY_SETTINGS } from '../../../subgraphs/webhooks/domain/delivery-engine.ts';
import { systemResolver } from '../../../subgraphs/webhooks/domain/url-safety.ts';
import { startWebhookWorker, type WebhookWorker } from '../../../subgraphs/webhooks/domain/worker.ts';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.ts';
import { waitFor } from './receiver.ts';

// The delivery log is kept for the retention (30 days by default, WEBHOOKS_RETENTION_DAYS;
// 7 here) and pruned on a schedule by every worker: older attempts and finished deliveries
// go, recent ones and pending deliveries stay, whichever organization they belong to.

const DAY = 24 * 3_600_000;
let database: TestDatabase;
let db: WebhooksDb;
let worker: WebhookWorker | undefined;

beforeAll(async () => {
  database = await createTestDatabase();
  db = schemaDb<WebhooksDatabase>(database.handle, WEBHOOKS_SCHEMA);
});
afterAll(async () => {
  await worker?.stop();
  await database?.close();
});

async function endpoint(orgId: string): Promise<string> {
  const row = await db.insertInto('endpoints').values({ org_id: orgId, url: 'https://example.com/hook', event_types: [], enabled: true, secret: 'whsec_x' }).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

/** A delivery created `ageDays` ago (done unless `pending`), with one attempt of the same age. */
async function delivery(orgId: string, endpointId: string, label: string, ageDays: number, status: 'SUCCEEDED' | 'FAILED' | 'PENDING' = 'SUCCEEDED'): Promise<void> {
  const at = new Date(Date.now() - ageDays * DAY);
  const { rows } = await sql<{ id: string }>`
    insert into webhooks.deliveries (org_id, endpoint_id, event_type, message_id, body, status, attempts, next_attempt_at, created_at)
    values (${orgId}, ${endpointId}, 'user.updated', ${label}, '{}', ${status}, 1, ${status === 'PENDING' ? new Date(Date.now() + DAY) : null}, ${at})
    returning id`.execute(db);
  await sql`
    insert into webhooks.delivery_attempts (org_id, delivery_id, endpoint_id, event_type, attempt, request_headers, request_body, duration_ms, succeeded, created_at)
    values (${orgId}, ${rows[0]!.id}, ${endpointId}, 'user.updated', 1, '{}', ${label}, 5, ${status === 'SUCCEEDED'}, ${at})`.execute(db);
}

describe('delivery log retention', () => {
  it('should prune attempts and finished deliveries past the retention on its schedule, keeping recent ones and pending deliveries of every organization', async () => {
    const a = crypto.randomUUID();
    const b = crypto.randomUUID();
    const [ea, eb] = [await endpoint(a), await endpoint(b)];
    await delivery(a, ea, 'a-old', 8);
    await delivery(a, ea, 'a-old-failed', 40, 'FAILED');
    await delivery(a, ea, 'a-old-pending', 8, 'PENDING');
    await delivery(a, ea, 'a-recent', 6);
    await delivery(b, eb, 'b-recent', 1);
    await delivery(b, eb, 'b-almost', 6.9);
    worker = await startWebhookWorker({
      database: database.handle,
      delivery: { ...DEFAULT_DELIVERY_SETTINGS, urlPolicy: { allowInsecure: false, resolve: systemResolver } },
      retentionMs: 7 * DAY,
      pruneIntervalMs: 50,
    });
    const deliveries = async () => (await db.selectFrom('deliveries').select('message_id').orderBy('message_id').execute()).map((r) => r.message_id);
    const attempts = async () => (await db.selectFrom('delivery_attempts').select('request_body').orderBy('request_body').execute()).map((r) => r.request_body);
    // No one calls prune(): the worker's schedule does.
    await waitFor(async () => (await deliveries()).length === 4, 10_000, 'the scheduled prune');
    expect(await deliveries()).toEqual(['a-old-pending', 'a-recent', 'b-almost', 'b-recent']);
    // The pending delivery stays, but its attempt is past the retention like any other.
    await waitFor(async () => (await attempts()).length === 3, 10_000, 'old attempts pruned');
    expect(await attempts()).toEqual(['a-recent', 'b-almost', 'b-recent']);
    // Pruning again removes nothing more.
    expect(await worker.prune()).toEqual({ attempts: 0, deliveries: 0 });
  });
});
