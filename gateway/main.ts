// Starts the gateway alone (production shape): subgraph URLs and IDENTITY_SECRET from the environment.
import fs from 'node:fs';
import { readGatewayConfig } from './config.ts';
import { startGatewayServer } from './server.ts';

const config = readGatewayConfig(process.env);
const gateway = await startGatewayServer({ ...config, supergraphSdl: fs.readFileSync(config.supergraphPath, 'utf8') });
console.log(`gateway listening on ${gateway.url}/graphql`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    gateway.stop().then(() => process.exit(0), (error: unknown) => {
      console.error(error);
      process.exit(1);
    });
  });
}
