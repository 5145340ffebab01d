// Starts the gateway alone (production shape): subgraph URLs and IDENTITY_SECRET from the
// environment; with DATABASE_URL it also follows the event outbox and serves subscriptions.
import fs from 'node:fs';
import { openDatabase } from '../subgraphs/shared/database.ts';
import { exitOnStartFailure, stopOnSignals } from '../subgraphs/shared/process.ts';
import { readGatewayConfig } from './config.ts';
import { startGatewayServer } from './server.ts';

const started = exitOnStartFailure('gateway');
const config = readGatewayConfig(process.env);
const databaseUrl = process.env['DATABASE_URL'];
const database = databaseUrl ? await openDatabase({ url: databaseUrl, maxConnections: 4 }) : undefined;
if (!database) console.warn('DATABASE_URL is not set: the gateway serves queries and mutations but no subscriptions');
const gateway = await startGatewayServer({ ...config, database, supergraphSdl: fs.readFileSync(config.supergraphPath, 'utf8') });
console.log(`gateway listening on ${gateway.url}/graphql`);
started();

stopOnSignals(async () => {
  await gateway.stop();
  await database?.close();
});
