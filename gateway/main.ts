// Starts the gateway alone (production shape): subgraph URLs and IDENTITY_SECRET from the
// environment; with DATABASE_URL it also follows the event outbox and serves subscriptions.
import fs from 'node:fs';
import { openDatabase } from '../subgraphs/shared/database.ts';
import { serviceLogger } from '../subgraphs/shared/logger.ts';
import { DEFAULT_METRICS_PORTS } from '../subgraphs/shared/metrics.ts';
import { startObservability } from '../subgraphs/shared/observability.ts';
import { exitOnStartFailure, stopOnSignals } from '../subgraphs/shared/process.ts';
import { readGatewayConfig } from './config.ts';
import { startGatewayServer } from './server.ts';

const started = exitOnStartFailure('gateway');
const config = readGatewayConfig(process.env);
const log = serviceLogger('gateway');
// Tracing (when configured) starts before the database opens, so that its statements are traced.
const observability = await startObservability('gateway', process.env, DEFAULT_METRICS_PORTS.gateway);
const databaseUrl = process.env['DATABASE_URL'];
const database = databaseUrl ? await openDatabase({ url: databaseUrl, maxConnections: 4 }) : undefined;
if (database) observability.track(database);
else log.warn('DATABASE_URL is not set: the gateway serves queries and mutations but no subscriptions');
const gateway = await startGatewayServer({ ...config, database, supergraphSdl: fs.readFileSync(config.supergraphPath, 'utf8') });
log.info({ url: `${gateway.url}/graphql` }, 'listening');
started();

stopOnSignals(async () => {
  await gateway.stop();
  await observability.stop();
  await database?.close();
});
