// Starts the boarding subgraph alone (production shape): DATABASE_URL and IDENTITY_SECRET from the environment.
import { ConfigError, DEFAULT_PORTS, host, identitySecret, intVar, readDatabaseConfig } from '../shared/config.ts';
import { openDatabase } from '../shared/database.ts';
import { serviceLogger } from '../shared/logger.ts';
import { DEFAULT_METRICS_PORTS } from '../shared/metrics.ts';
import { startObservability } from '../shared/observability.ts';
import { exitOnStartFailure, stopOnSignals } from '../shared/process.ts';
import { startBoardingServer } from './server.ts';

const started = exitOnStartFailure('boarding');

if (!process.env['DATABASE_URL']) {
  throw new ConfigError('start:boarding runs one service of a deployment and needs DATABASE_URL; for the all-in-one graph run npm start');
}
const secret = identitySecret(process.env, true);
// Tracing (when configured) starts before the database opens, so that its statements are traced.
const observability = await startObservability('boarding', process.env, DEFAULT_METRICS_PORTS.boarding);
const database = await openDatabase(readDatabaseConfig(process.env));
observability.track(database);
const server = await startBoardingServer({
  database,
  identitySecret: secret,
  port: intVar(process.env, 'PORT', DEFAULT_PORTS.boarding, 0, 65535),
  host: host(process.env),
});
serviceLogger('boarding').info({ url: `${server.url}/graphql` }, 'listening');
started();

stopOnSignals(async () => {
  await server.stop();
  await observability.stop();
  await database.close();
});
