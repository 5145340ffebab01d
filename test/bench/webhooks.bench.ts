// `npm run bench -- webhooks`: 10,000 events committed to the outbox, delivered to 10 local
// endpoints (10 organizations with one endpoint each, 1,000 events apiece) by 2 worker
// instances (graphile-worker runners, concurrency 10 each) on PostgreSQL. Prints deliveries
// per second and the delay from each event's commit to its arrival at the receiver; then
// 1,000 more at a steady 100 per second, for the delay of deliveries that do not queue.
// PostgreSQL only (TEST_DATABASE_URL or DATABASE_URL: a fresh database of its own is
// created there and dropped); the embedded PGlite adapter is a development convenience.
import crypto from 'node:crypto';
import http from 'node:http';
import { listen, close } from '../../subgraphs/shared/http.ts';
import { schemaDb } from '../../subgraphs/shared/database.ts';
import { appendEvents } from '../../subgraphs/shared/outbox.ts';
import { WEBHOOKS_SCHEMA, type WebhooksDatabase } from '../../subgraphs/webhooks/db/database.ts';
import { insertEndpoint } from '../../subgraphs/webhooks/db/repositories/endpoints.ts';
import { DEFAULT_DELIVERY_SETTINGS } from '../../subgraphs/webhooks/domain/delivery-engine.ts';
import { generateSigningSecret } from '../../subgraphs/webhooks/domain/signing.ts';
import { systemResolver } from '../../subgraphs/webhooks/domain/url-safety.ts';
import { startWebhookWorker, type WebhookWorker } from '../../subgraphs/webhooks/domain/worker.ts';
import { createTestDatabase } from '../helpers/test-database.ts';
import { percentile } from './stats.ts';

const EVENTS = Number(process.env['BENCH_WEBHOOK_EVENTS'] ?? 10_000);
const ENDPOINTS = Number(process.env['BENCH_WEBHOOK_ENDPOINTS'] ?? 10);
const WORKERS = Number(process.env['BENCH_WEBHOOK_WORKERS'] ?? 2);
/** Events per committed transaction, as a busy graph would commit them. */
const COMMIT_BATCH = 100;
/** Events of the steady phase (100 per second). */
const PACED_EVENTS = Number(process.env['BENCH_WEBHOOK_PACED_EVENTS'] ?? 1000);

export async function run(): Promise<void> {
  const url = process.env['TEST_DATABASE_URL'] ?? process.env['DATABASE_URL'];
  if (!url) {
    console.log('webhooks: skipped, it needs PostgreSQL (set TEST_DATABASE_URL or DATABASE_URL; a database of its own is created there and dropped)');
    return;
  }
  process.env['TEST_DATABASE_URL'] = url;
  const database = await createTestDatabase();
  // The receiver: records when each event reached each endpoint; answers 204 at once.
  const arrivals = new Map<string, number>();
  let received = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const id = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id: string }).id;
      const key = `${req.url}:${id}`;
      if (!arrivals.has(key)) {
        arrivals.set(key, performance.now());
        received += 1;
      }
      res.writeHead(204).end();
    });
  });
  const receiverUrl = await listen(server, 0, '127.0.0.1');
  const workers: WebhookWorker[] = [];
  try {
    const db = schemaDb<WebhooksDatabase>(database.handle, WEBHOOKS_SCHEMA);
    const orgs: string[] = [];
    for (let i = 0; i < ENDPOINTS; i++) {
      const orgId = crypto.randomUUID();
      orgs.push(orgId);
      await insertEndpoint(db, { orgId, url: `${receiverUrl}/endpoint-${i}`, description: null, eventTypes: [], enabled: true, secret: generateSigningSecret() });
    }
    for (let i = 0; i < WORKERS; i++) {
      workers.push(
        await startWebhookWorker({
          database: database.handle,
          delivery: { ...DEFAULT_DELIVERY_SETTINGS, urlPolicy: { allowInsecure: true, resolve: systemResolver } },
          concurrency: 10,
        }),
      );
    }
    const burst = await phase(EVENTS, COMMIT_BATCH, 0);
    const f = (ms: number) => `${ms.toFixed(0)} ms`;
    console.log(`webhooks: ${EVENTS} events (commits of ${COMMIT_BATCH}) to ${ENDPOINTS} local endpoints, ${WORKERS} workers (graphile-worker, concurrency 10 each), PostgreSQL`);
    console.log(`  burst: committed in ${burst.commitSeconds.toFixed(1)} s; delivered ${burst.received}/${burst.events} in ${burst.seconds.toFixed(1)} s: ${(burst.received / burst.seconds).toFixed(0)} deliveries/s`);
    console.log(`    commit -> received (queueing included)  p50 ${f(percentile(burst.delays, 50))}  p99 ${f(percentile(burst.delays, 99))}  max ${f(burst.delays.at(-1) ?? NaN)}`);
    // Then a steady rate below that throughput: the delay of a delivery that does not queue.
    const steady = await phase(PACED_EVENTS, 10, 100);
    console.log(`  steady: ${PACED_EVENTS} events at 100/s (commits of 10 every 100 ms): delivered ${steady.received}/${steady.events}`);
    console.log(`    commit -> received  p50 ${f(percentile(steady.delays, 50))}  p99 ${f(percentile(steady.delays, 99))}  max ${f(steady.delays.at(-1) ?? NaN)}`);

    /** Commits `events` events in transactions of `batch`, `pauseMs` apart, and waits for their deliveries. */
    async function phase(events: number, batch: number, pauseMs: number) {
      arrivals.clear();
      received = 0;
      const committedAt = new Map<string, number>();
      const started = performance.now();
      for (let n = 0; n < events; n += batch) {
        const size = Math.min(batch, events - n);
        const ids = await database.handle.root.transaction().execute((trx) =>
          appendEvents(
            trx,
            Array.from({ length: size }, (_, i) => ({
              orgId: orgs[(n + i) % ENDPOINTS]!,
              type: 'user.updated',
              entityType: 'User',
              entityId: crypto.randomUUID(),
              actorId: null,
              payload: { id: crypto.randomUUID(), name: `Person ${n + i}`, active: true },
            })),
          ),
        );
        const now = performance.now();
        ids.forEach((id, i) => committedAt.set(`/endpoint-${(n + i) % ENDPOINTS}:evt_${id}`, now));
        if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
      }
      const commitSeconds = (performance.now() - started) / 1000;
      const deadline = Date.now() + 600_000;
      while (received < events && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const seconds = (performance.now() - started) / 1000;
      const delays = [...arrivals].map(([key, at]) => at - (committedAt.get(key) ?? NaN)).filter((d) => Number.isFinite(d)).sort((a, b) => a - b);
      return { events, received, commitSeconds, seconds, delays };
    }
  } finally {
    for (const worker of workers) await worker.stop();
    await close(server);
    await database.close();
  }
}
