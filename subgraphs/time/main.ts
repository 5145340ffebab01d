// Starts the time subgraph alone (production shape): DATABASE_URL and IDENTITY_SECRET from the environment.
import { ConfigError, DEFAULT_PORTS, host, identitySecret, intVar, readDatabaseConfig } from '../shared/config.ts';
import { openDatabase } from '../shared/database.ts';
import { exitOnStartFailure, stopOnSignals } from '../shared/process.ts';
import { startTimeServer } from './server.ts';

const started = exitOnStartFailure('time');

if (!process.env['DATABASE_URL']) {
  throw new ConfigError('start:time runs one service of a deployment and needs DATABASE_URL; for the all-in-one graph run npm start');
}
const secret = identitySecret(process.env, true);
const database = await openDatabase(readDatabaseConfig(process.env));
const server = await startTimeServer({
  database,
  identitySecret: secret,
  port: intVar(process.env, 'PORT', DEFAULT_PORTS.time, 0, 65535),
  host: host(process.env),
});
console.log(`time subgraph listening on ${server.url}/graphql`);
started();

stopOnSignals(async () => {
  await server.stop();
  await database.close();
});
