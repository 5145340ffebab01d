// Starts the leave subgraph alone (production shape): DATABASE_URL, IDENTITY_SECRET and PUBLIC_URL from the environment.
import { ConfigError, DEFAULT_PORTS, host, identitySecret, intVar, readDatabaseConfig } from '../shared/config.ts';
import { openDatabase } from '../shared/database.ts';
import { serviceLogger } from '../shared/logger.ts';
import { DEFAULT_METRICS_PORTS } from '../shared/metrics.ts';
import { startObservability } from '../shared/observability.ts';
import { readDocumentSettings } from './config.ts';
import { startLeaveServer } from './server.ts';
import { exitOnStartFailure, stopOnSignals } from '../shared/process.ts';

const started = exitOnStartFailure('leave');

if (!process.env['DATABASE_URL']) {
  throw new ConfigError('start:leave runs one service of a deployment and needs DATABASE_URL; for the all-in-one graph run npm start');
}
const secret = identitySecret(process.env, true);
// Tracing (when configured) starts before the database opens, so that its statements are traced.
const observability = await startObservability('leave', process.env, DEFAULT_METRICS_PORTS.leave);
const database = await openDatabase(readDatabaseConfig(process.env));
observability.track(database);
const server = await startLeaveServer({
  database,
  identitySecret: secret,
  port: intVar(process.env, 'PORT', DEFAULT_PORTS.leave, 0, 65535),
  host: host(process.env),
  documents: readDocumentSettings(process.env, secret),
});
serviceLogger('leave').info({ url: `${server.url}/graphql` }, 'listening');
started();

stopOnSignals(async () => {
  await server.stop();
  await observability.stop();
  await database.close();
});
