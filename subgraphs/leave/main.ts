// Starts the leave subgraph alone (production shape): DATABASE_URL, IDENTITY_SECRET and PUBLIC_URL from the environment.
import { ConfigError, DEFAULT_PORTS, host, identitySecret, intVar, readDatabaseConfig } from '../shared/config.ts';
import { openDatabase } from '../shared/database.ts';
import { readDocumentSettings } from './config.ts';
import { startLeaveServer } from './server.ts';
import { exitOnStartFailure, stopOnSignals } from '../shared/process.ts';

const started = exitOnStartFailure('leave');

if (!process.env['DATABASE_URL']) {
  throw new ConfigError('start:leave runs one service of a deployment and needs DATABASE_URL; for the all-in-one graph run npm start');
}
const secret = identitySecret(process.env, true);
const database = await openDatabase(readDatabaseConfig(process.env));
const server = await startLeaveServer({
  database,
  identitySecret: secret,
  port: intVar(process.env, 'PORT', DEFAULT_PORTS.leave, 0, 65535),
  host: host(process.env),
  documents: readDocumentSettings(process.env, secret),
});
console.log(`leave subgraph listening on ${server.url}/graphql`);
started();

stopOnSignals(async () => {
  await server.stop();
  await database.close();
});
