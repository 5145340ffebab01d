// Starts the people subgraph alone (production shape): DATABASE_URL and IDENTITY_SECRET from the environment.
import { ConfigError, DEFAULT_PORTS, host, identitySecret, intVar, readDatabaseConfig } from '../shared/config.ts';
import { openDatabase } from '../shared/database.ts';
import { startPeopleServer } from './server.ts';
import { readOrganizationRequestLimits } from '../shared/request-limits.ts';
import { exitOnStartFailure, stopOnSignals } from '../shared/process.ts';

const started = exitOnStartFailure('people');

if (!process.env['DATABASE_URL']) {
  throw new ConfigError('start:people runs one service of a deployment and needs DATABASE_URL; for the all-in-one graph run npm start');
}
const database = await openDatabase(readDatabaseConfig(process.env));
const server = await startPeopleServer({
  database,
  identitySecret: identitySecret(process.env, true),
  port: intVar(process.env, 'PORT', DEFAULT_PORTS.people, 0, 65535),
  host: host(process.env),
  // The same RATE_LIMIT_PER_HOUR(_BY_ORG) as the gateway's: key limits above them are refused.
  requestLimits: readOrganizationRequestLimits(process.env),
});
console.log(`people subgraph listening on ${server.url}/graphql`);
started();

stopOnSignals(async () => {
  await server.stop();
  await database.close();
});
