// Starts the boarding subgraph alone (production shape): DATABASE_URL and IDENTITY_SECRET from the environment.
import { ConfigError, DEFAULT_PORTS, host, identitySecret, intVar, readDatabaseConfig } from '../shared/config.ts';
import { openDatabase } from '../shared/database.ts';
import { exitOnStartFailure, stopOnSignals } from '../shared/process.ts';
import { startBoardingServer } from './server.ts';

const started = exitOnStartFailure('boarding');

if (!process.env['DATABASE_URL']) {
  throw new ConfigError('start:boarding runs one service of a deployment and needs DATABASE_URL; for the all-in-one graph run npm start');
}
const secret = identitySecret(process.env, true);
const database = await openDatabase(readDatabaseConfig(process.env));
const server = await startBoardingServer({
  database,
  identitySecret: secret,
  port: intVar(process.env, 'PORT', DEFAULT_PORTS.boarding, 0, 65535),
  host: host(process.env),
});
console.log(`boarding subgraph listening on ${server.url}/graphql`);
started();

stopOnSignals(async () => {
  await server.stop();
  await database.close();
});
