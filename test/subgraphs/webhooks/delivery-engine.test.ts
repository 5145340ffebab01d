import crypto from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schemaDb } from '../../../subgraphs/shared/database.ts';
import { WEBHOOKS_SCHEMA, type WebhooksDatabase, type WebhooksDb } from '../../../subgraphs/webhooks/db/database.ts';
import { insertDeliveries } from '../../../subgraphs/webhooks/db/repositories/deliveries.ts';
import { insertEndpoint } from '../../../subgraphs/webhooks/db/repositories/endpoints.ts';
import { createDeliveryEngine, DEFAULT_DELIVERY_SETTINGS } from '../../../subgraphs/webhooks/domain/delivery-engine.ts';
import type { DeliveryQueue } from '../../../subgraphs/webhooks/domain/queue.ts';
import { generateSigningSecret } from '../../../subgraphs/webhooks/domain/signing.ts';
import { systemResolver } from '../../../subgraphs/webhooks/domain/url-safety.ts';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.ts';
import { startReceiver, type Receiver } from './receiver.ts';

// The delivery engine on its own, with a queue that records what it is asked to queue: one
// job delivers an endpoint's deliveries in order; a job run again after its worker died
// mid-drain (its own delivery done, the next one due with no job) carries on with the next.

let database: TestDatabase;
let db: WebhooksDb;
let receiver: Receiver;
const queued: { deliveryId: string; runAt: Date }[] = [];
const queue: DeliveryQueue = { enqueue: async (_trx, job) => void queued.push(job) };

beforeAll(async () => {
  database = await createTestDatabase();
  db = schemaDb<WebhooksDatabase>(database.handle, WEBHOOKS_SCHEMA);
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.stop();
  await database?.close();
});

const engine = () => createDeliveryEngine(db, queue, { ...DEFAULT_DELIVERY_SETTINGS, urlPolicy: { allowInsecure: true, resolve: systemResolver } });

async function endpointWith(path: string, n: number): Promise<{ endpointId: string; ids: string[] }> {
  const orgId = crypto.randomUUID();
  const endpoint = await insertEndpoint(db, { orgId, url: `${receiver.url}${path}`, description: null, eventTypes: [], enabled: true, secret: generateSigningSecret() });
  const rows = await insertDeliveries(
    db,
    Array.from({ length: n }, (_, i) => ({ orgId, endpointId: endpoint.id, eventId: i + 1, eventType: 'user.updated', messageId: `msg_${path}_${i}`, body: JSON.stringify({ n: i }) })),
  );
  return { endpointId: endpoint.id, ids: rows.map((r) => r.id) };
}

const bodies = (path: string) => receiver.at(path).map((r) => (JSON.parse(r.body) as { n: number }).n);

describe('the delivery engine', () => {
  it("should deliver an endpoint's deliveries in order in one job, queuing nothing more", async () => {
    const { ids } = await endpointWith('/drain', 5);
    queued.length = 0;
    await engine()(ids[0]!);
    expect(bodies('/drain')).toEqual([0, 1, 2, 3, 4]);
    expect(queued).toEqual([]);
  });

  it('should hold back a delivery whose endpoint has an earlier pending one, without an attempt', async () => {
    const { ids } = await endpointWith('/held', 2);
    await engine()(ids[1]!);
    expect(bodies('/held')).toEqual([]);
    const second = await db.selectFrom('deliveries').select(['status', 'attempts', 'leased_until']).where('id', '=', ids[1]!).executeTakeFirstOrThrow();
    expect(second).toEqual({ status: 'PENDING', attempts: 0, leased_until: null });
    // The first one's job then delivers both, in order.
    await engine()(ids[0]!);
    expect(bodies('/held')).toEqual([0, 1]);
  });

  it("should carry on with the endpoint's next delivery when its job is run again after its worker died mid-drain", async () => {
    const { ids } = await endpointWith('/resume', 3);
    // As a worker leaves it when it dies right after recording the first delivery: the first
    // done, the second woken (due now) with no job of its own.
    await sql`update webhooks.deliveries set status = 'SUCCEEDED', attempts = 1, next_attempt_at = null where id = ${ids[0]!}`.execute(db);
    await engine()(ids[0]!);
    expect(bodies('/resume')).toEqual([1, 2]);
    const statuses = await db.selectFrom('deliveries').select('status').where('id', 'in', ids).orderBy('seq').execute();
    expect(statuses.map((s) => s.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
  });

  it('should queue a job for when the claim of a delivery claimed elsewhere lapses, and not attempt it', async () => {
    const { ids } = await endpointWith('/claimed', 1);
    const until = new Date(Date.now() + 60_000);
    await sql`update webhooks.deliveries set leased_until = ${until}, lease_token = gen_random_uuid() where id = ${ids[0]!}`.execute(db);
    queued.length = 0;
    await engine()(ids[0]!);
    expect(bodies('/claimed')).toEqual([]);
    expect(queued.map((q) => q.deliveryId)).toEqual([ids[0]]);
    expect(queued[0]!.runAt.getTime()).toBeGreaterThanOrEqual(until.getTime());
  });
});
