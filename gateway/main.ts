// Starts the gateway alone (production shape): subgraph URLs and IDENTITY_SECRET from the environment.
import fs from 'node:fs';
import { readGatewayConfig } from './config.ts';
import { startGatewayServer } from './server.ts';
import { stopOnSignals } from '../subgraphs/shared/process.ts';

const config = readGatewayConfig(process.env);
const gateway = await startGatewayServer({ ...config, supergraphSdl: fs.readFileSync(config.supergraphPath, 'utf8') });
console.log(`gateway listening on ${gateway.url}/graphql`);

stopOnSignals(() => gateway.stop());
