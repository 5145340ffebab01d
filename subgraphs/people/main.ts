// Starts the people subgraph alone (production shape): DATABASE_URL and IDENTITY_SECRET from the environment.
import { ConfigError, DEFAULT_PORTS, host, identitySecret, intVar, readDatabaseConfig } from '../shared/config.ts';
import { openDatabase } from '../shared/database.ts';
import { serviceLogger } from '../shared/logger.ts';
import { DEFAULT_METRICS_PORTS } from '../shared/metrics.ts';
import { startObservability } from '../shared/observability.ts';
import { startPeopleServer } from './server.ts';
import { readOrganizationRequestLimits } from '../shared/request-limits.ts';
import { exitOnStartFailure, stopOnSignals } from '../shared/process.ts';

const started = exitOnStartFailure('people');

if (!process.env['DATABASE_URL']) {
  throw new ConfigError('start:people runs one service of a deployment and needs DATABASE_URL; for the all-in-one graph run npm start');
}
// Tracing (when configured) starts before the database opens, so that its statements are traced.
const observability = await startObservability('people', process.env, DEFAULT_METRICS_PORTS.people);
const database = await openDatabase(readDatabaseConfig(process.env));
observability.track(database);
const server = await startPeopleServer({
  database,
  identitySecret: identitySecret(process.env, true),
  port: intVar(process.env, 'PORT', DEFAULT_PORTS.people, 0, 65535),
  host: host(process.env),
  // The same RATE_LIMIT_PER_HOUR(_BY_ORG) as the gateway's: key limits above them are refused.
  requestLimits: readOrganizationRequestLimits(process.env),
});
serviceLogger('people').info({ url: `${server.url}/graphql` }, 'listening');
started();

stopOnSignals(async () => {
  await server.stop();
  await observability.stop();
  await database.close();
});
