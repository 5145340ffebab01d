import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, DEFAULT_PORTS, host, identitySecret, intVar } from '../subgraphs/shared/config.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** Subgraphs the gateway routes to, with the variable naming each one's URL. */
export const SUBGRAPH_URL_VARS = { people: 'PEOPLE_URL', leave: 'LEAVE_URL' } as const;

/** The checked-in supergraph. */
export const DEFAULT_SUPERGRAPH_PATH = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'schema', 'supergraph.graphql');

export interface GatewayConfig {
  readonly port: number;
  readonly host: string;
  readonly identitySecret: string;
  readonly subgraphUrls: Record<string, string>;
  readonly corsOrigins: string[];
  readonly apiKeyCacheTtlMs: number;
  readonly maxBodyBytes: number;
  readonly supergraphPath: string;
  readonly maxSubscriptionsPerConnection: number;
  readonly maxSubscriptionsPerKey: number;
  readonly eventRetentionMs: number;
}

function urlVar(env: Env, name: string, fallback: string): string {
  const value = env[name] ?? fallback;
  try {
    return new URL(value).toString();
  } catch {
    throw new ConfigError(`${name} must be an absolute URL such as http://people:4001/graphql, got ${JSON.stringify(value)}`);
  }
}

/** Reads the gateway's configuration from the environment; throws ConfigError naming the variable. */
export function readGatewayConfig(env: Env, options: { requireSecret: boolean } = { requireSecret: true }): GatewayConfig {
  return {
    port: intVar(env, 'PORT', DEFAULT_PORTS.gateway, 0, 65535),
    host: host(env),
    identitySecret: identitySecret(env, options.requireSecret),
    subgraphUrls: Object.fromEntries(
      Object.entries(SUBGRAPH_URL_VARS).map(([name, variable]) => [
        name,
        urlVar(env, variable, `http://127.0.0.1:${DEFAULT_PORTS[name as keyof typeof DEFAULT_PORTS]}/graphql`),
      ]),
    ),
    corsOrigins: (env['CORS_ORIGINS'] ?? '*').split(',').map((o) => o.trim()).filter(Boolean),
    apiKeyCacheTtlMs: intVar(env, 'API_KEY_CACHE_TTL_MS', 60_000, 0, 60_000),
    maxBodyBytes: intVar(env, 'MAX_BODY_BYTES', 1_000_000, 1_000, 100_000_000),
    supergraphPath: env['SUPERGRAPH_PATH'] ?? DEFAULT_SUPERGRAPH_PATH,
    maxSubscriptionsPerConnection: intVar(env, 'SUBSCRIPTIONS_PER_CONNECTION', 100, 1, 100_000),
    maxSubscriptionsPerKey: intVar(env, 'SUBSCRIPTIONS_PER_KEY', 1000, 1, 1_000_000),
    eventRetentionMs: intVar(env, 'EVENT_RETENTION_DAYS', 7, 1, 3650) * 86_400_000,
  };
}
