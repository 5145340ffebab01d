// Starts the webhooks subgraph and delivery worker alone (production shape): DATABASE_URL and IDENTITY_SECRET from the environment.
import { ConfigError, DEFAULT_PORTS, host, identitySecret, intVar, readDatabaseConfig } from '../shared/config.ts';
import { openDatabase } from '../shared/database.ts';
import { serviceLogger } from '../shared/logger.ts';
import { DEFAULT_METRICS_PORTS } from '../shared/metrics.ts';
import { startObservability } from '../shared/observability.ts';
import { exitOnStartFailure, stopOnSignals } from '../shared/process.ts';
import { startWebhooksServer } from './server.ts';

const started = exitOnStartFailure('webhooks');

if (!process.env['DATABASE_URL']) {
  throw new ConfigError('start:webhooks runs one service of a deployment and needs DATABASE_URL; for the all-in-one graph run npm start');
}
const allowInsecure = process.env['WEBHOOKS_ALLOW_INSECURE'] === 'true';
// Tracing (when configured) starts before the database opens, so that its statements are traced.
const observability = await startObservability('webhooks', process.env, DEFAULT_METRICS_PORTS.webhooks);
const database = await openDatabase(readDatabaseConfig(process.env));
observability.track(database);
const server = await startWebhooksServer({
  database,
  identitySecret: identitySecret(process.env, true),
  port: intVar(process.env, 'PORT', DEFAULT_PORTS.webhooks, 0, 65535),
  host: host(process.env),
  allowInsecure,
  concurrency: intVar(process.env, 'WEBHOOKS_CONCURRENCY', 10, 1, 1000),
  retentionMs: intVar(process.env, 'WEBHOOKS_RETENTION_DAYS', 30, 1, 3650) * 24 * 3_600_000,
});
serviceLogger('webhooks').info({ url: `${server.url}/graphql`, allowInsecure }, allowInsecure ? 'listening (WEBHOOKS_ALLOW_INSECURE: http and private addresses allowed)' : 'listening');
started();

stopOnSignals(async () => {
  await server.stop();
  await observability.stop();
  await database.close();
});
