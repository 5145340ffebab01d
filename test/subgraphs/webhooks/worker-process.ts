// A webhooks service in a process of its own, for the crash test (crash-recovery.test.ts):
// the real server and worker with short timings, on DATABASE_URL (PostgreSQL) or PGLITE_DIR
// (PGlite).
// With SEED_URL it registers an endpoint there and commits three events to the outbox; it
// prints one JSON line when it is running.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { openDatabase, schemaDb } from '../../../subgraphs/shared/database.ts';
import { appendEvents } from '../../../subgraphs/shared/outbox.ts';
import { WEBHOOKS_SCHEMA, type WebhooksDatabase } from '../../../subgraphs/webhooks/db/database.ts';
import { insertEndpoint } from '../../../subgraphs/webhooks/db/repositories/endpoints.ts';
import { generateSigningSecret } from '../../../subgraphs/webhooks/domain/signing.ts';
import { startWebhooksServer } from '../../../subgraphs/webhooks/server.ts';
import { CRASH_TEST_TIMINGS } from './crash-timings.ts';

// PGLITE_TEMPLATE: the test run's migrated template dump, to start the data directory from.
const template = process.env['PGLITE_TEMPLATE'];
const database = await openDatabase({ url: process.env['DATABASE_URL'], dataDir: process.env['PGLITE_DIR'], ...(template ? { loadDataDir: new Blob([fs.readFileSync(template)]) } : {}) });
const server = await startWebhooksServer({ database, identitySecret: 'crash-test-identity-secret-0123456789', host: '127.0.0.1', port: 0, allowInsecure: true, ...CRASH_TEST_TIMINGS });
const seedUrl = process.env['SEED_URL'];
let seeded: { orgId: string; endpointId: string; eventIds: number[] } | null = null;
if (seedUrl) {
  const orgId = crypto.randomUUID();
  const endpoint = await insertEndpoint(schemaDb<WebhooksDatabase>(database, WEBHOOKS_SCHEMA), { orgId, url: seedUrl, description: null, eventTypes: [], enabled: true, secret: generateSigningSecret() });
  const eventIds = await database.root.transaction().execute((trx) =>
    appendEvents(
      trx,
      [1, 2, 3].map((n) => ({ orgId, type: 'user.updated', entityType: 'User', entityId: crypto.randomUUID(), actorId: null, payload: { n } })),
    ),
  );
  seeded = { orgId, endpointId: endpoint.id, eventIds };
}
console.log(JSON.stringify({ running: true, runnerId: server.worker?.runnerId, seeded }));
