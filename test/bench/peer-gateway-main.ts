// One gateway of the peer benchmark in a process of its own (started by peers.bench.ts):
// `ours` (all protection on), `bare` (@apollo/gateway as it comes) or `hive` (Hive Gateway,
// installed on demand in .bench-peers/), over the subgraphs named in PEER_CONFIG (JSON).
// Prints `listening <url>` once it serves; stops on SIGTERM.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { startGatewayServer } from '../../gateway/server.ts';
import { stripSecurityDirectives } from '../../gateway/auth/scope-requirements.ts';
import { openDatabase } from '../../subgraphs/shared/database.ts';
import { signIdentity, type Identity } from '../../subgraphs/shared/identity.ts';
import { SUPERGRAPH_PATH } from '../../schema/compose.ts';
import { startBareGateway } from './bare-gateway.ts';
import { TEST_RATE_LIMITS } from '../helpers/rate-limits.ts';

export interface PeerConfig {
  readonly kind: 'ours' | 'bare' | 'hive';
  readonly subgraphUrls: Record<string, string>;
  readonly identitySecret: string;
  /** The identity bare and Hive sign for (ours authenticates the API key instead). */
  readonly identity: Identity;
  /** PostgreSQL of the graph: ours keeps its rate limits there; absent (PGlite) they are in memory. */
  readonly databaseUrl?: string | undefined;
  /** The folder Hive Gateway is installed in. */
  readonly hiveDir: string;
  /** In-flight de-duplication of subgraph fetches: ours (default SUBGRAPH_DEDUP, on) and Hive (default on); bare has none. */
  readonly dedup?: boolean;
  /** Ours only: most subscriptions of one API key (default 1 000). */
  readonly maxSubscriptionsPerKey?: number;
}

const config = JSON.parse(process.env['PEER_CONFIG'] ?? '{}') as PeerConfig;
const supergraphSdl = fs.readFileSync(SUPERGRAPH_PATH, 'utf8');

/** Hive Gateway's runtime over the supergraph, its subgraph URLs replaced, each fetch signed like ours signs. */
async function startHive(): Promise<{ url: string; stop(): Promise<void> }> {
  const require = createRequire(`${config.hiveDir}/package.json`);
  const hive = (await import(pathToFileURL(require.resolve('@graphql-hive/gateway')).href)) as {
    createGatewayRuntime: (options: Record<string, unknown>) => http.RequestListener & { dispose(): Promise<void> };
  };
  const nameOfUrl = new Map(Object.entries(config.subgraphUrls).map(([name, url]) => [url, name]));
  const sdl = stripSecurityDirectives(supergraphSdl).replace(/@join__graph\(name: "([^"]+)", url: "[^"]*"\)/g, (_, name: string) => `@join__graph(name: "${name}", url: "${config.subgraphUrls[name] ?? ''}")`);
  const runtime = hive.createGatewayRuntime({
    supergraph: sdl,
    logging: false,
    // Hive's documented switch for its in-flight de-duplication (on by default).
    ...(config.dedup === false ? { transportEntries: { '*.http': { options: { deduplicateInflightRequests: false } } } } : {}),
    plugins: () => [
      {
        onFetch({ url, options, setOptions }: { url: string; options: { body?: string; headers?: Record<string, string> }; setOptions: (o: unknown) => void }) {
          const name = nameOfUrl.get(url);
          if (!name) return;
          setOptions({ ...options, headers: { ...options.headers, ...signIdentity(config.identity, config.identitySecret, { audience: name, body: options.body ?? '' }) } });
        },
      },
    ],
  });
  const server = http.createServer(runtime);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async stop() {
      await new Promise((resolve) => server.close(resolve));
      await runtime.dispose();
    },
  };
}

async function start(): Promise<{ url: string; stop(): Promise<void> }> {
  if (config.kind === 'hive') return startHive();
  if (config.kind === 'bare') return startBareGateway(supergraphSdl, config.subgraphUrls, config.identity, config.identitySecret);
  const database = config.databaseUrl ? await openDatabase({ url: config.databaseUrl, maxConnections: 4 }) : undefined;
  // Everything on; the hourly limits high enough never to refuse the benchmark, but still counted and charged.
  const gateway = await startGatewayServer({
    supergraphSdl,
    subgraphUrls: config.subgraphUrls,
    identitySecret: config.identitySecret,
    database,
    rateLimits: TEST_RATE_LIMITS,
    subgraphDedup: config.dedup ?? process.env['SUBGRAPH_DEDUP'] !== 'false',
    maxSubscriptionsPerKey: config.maxSubscriptionsPerKey,
  });
  return {
    url: gateway.url,
    async stop() {
      await gateway.stop();
      await database?.close();
    },
  };
}

const running = await start();
process.stdout.write(`listening ${running.url}\n`);
process.once('SIGTERM', () => void running.stop().finally(() => process.exit(0)));
