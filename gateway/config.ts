import fs from 'node:fs';
import path from 'node:path';
import { readRequestLimitsByOrganization } from '../subgraphs/shared/request-limits.ts';
import { fileURLToPath } from 'node:url';
import { boolVar, ConfigError, DEFAULT_PORTS, host, identitySecret, intVar } from '../subgraphs/shared/config.ts';
import { DEFAULT_SUBGRAPH_CONNECT_TIMEOUT_MS, DEFAULT_SUBGRAPH_CONNECTIONS, DEFAULT_SUBGRAPH_TIMEOUT_MS, type SubgraphClientOptions } from './http/subgraph-client.ts';
import { readJwtConfig, type JwtConfig } from './auth/jwt-config.ts';
import { DEFAULT_SHAPE_LIMITS, type ShapeLimits } from './cost/shape-limits.ts';
import { DEFAULT_PROTECTION, type ScopeMode } from './operation-policy.ts';
import type { RateLimits } from './rate-limit/rate-limiter.ts';
import { DEFAULT_APQ_ENTRIES_PER_ORG, DEFAULT_APQ_MAX_BYTES } from './http/apq.ts';
import { DEFAULT_CORS_ALLOW_HEADERS } from './http/cors.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** The variable naming a subgraph's URL: `<NAME>_URL` (`PEOPLE_URL`, `TIME_URL`, ...). */
export function subgraphUrlVar(name: string): string {
  return `${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_URL`;
}

/**
 * The subgraphs a supergraph routes to, by the names composition gave them (its
 * `join__Graph` values): a new subgraph needs no gateway change beyond composing it.
 */
export function supergraphSubgraphNames(supergraphSdl: string): string[] {
  return [...supergraphSdl.matchAll(/@join__graph\(name: "([^"]+)"/g)].map((m) => m[1] as string).sort();
}

/** The checked-in supergraph. */
export const DEFAULT_SUPERGRAPH_PATH = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'schema', 'supergraph.graphql');

export interface GatewayConfig {
  readonly port: number;
  readonly host: string;
  readonly identitySecret: string;
  readonly subgraphUrls: Record<string, string>;
  readonly corsOrigins: string[];
  readonly corsAllowHeaders: string[];
  readonly apqCacheSize: number;
  readonly apqCacheMaxBytes: number;
  readonly apiKeyCacheTtlMs: number;
  readonly maxBodyBytes: number;
  readonly supergraphPath: string;
  readonly maxSubscriptionsPerConnection: number;
  readonly maxSubscriptionsPerKey: number;
  readonly eventRetentionMs: number;
  readonly subscriptionEventHoldMs: number;
  readonly jwt: JwtConfig | null;
  readonly shapeLimits: ShapeLimits;
  readonly maxCost: number;
  readonly scopeMode: ScopeMode;
  readonly rateLimits: RateLimits;
  /** The operator's hourly request limits by organization id (RATE_LIMIT_PER_HOUR_BY_ORG), over `rateLimits.requestsPerHour`. */
  readonly requestsPerHourByOrganization: ReadonlyMap<string, number>;
  readonly trustedProxyHops: number;
  /** REDIS_URL: where the rate limits live when set (exact across instances). */
  readonly redisUrl: string | undefined;
  /** Whether identical in-flight subgraph queries of one identity share one fetch (SUBGRAPH_DEDUP); default true. */
  readonly subgraphDedup: boolean;
  /** The subgraph client's pool and timeouts (SUBGRAPH_CONNECTIONS, SUBGRAPH_CONNECT_TIMEOUT_MS, SUBGRAPH_TIMEOUT_MS). */
  readonly subgraphClient: Required<Pick<SubgraphClientOptions, 'connections' | 'connectTimeoutMs' | 'timeoutMs'>>;
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;

/** CORS_ALLOW_HEADERS: comma-separated header names, replacing the default list. */
function corsAllowHeaders(env: Env): string[] {
  const value = env['CORS_ALLOW_HEADERS'];
  if (value === undefined) return [...DEFAULT_CORS_ALLOW_HEADERS];
  const names = value.split(',').map((name) => name.trim().toLowerCase()).filter(Boolean);
  const bad = names.find((name) => !HEADER_NAME.test(name));
  if (bad !== undefined || names.length === 0) {
    throw new ConfigError(`CORS_ALLOW_HEADERS must be comma-separated header names such as content-type, x-api-key, traceparent; got ${JSON.stringify(value)}`);
  }
  return names;
}

function scopeMode(env: Env): ScopeMode {
  const value = env['SCOPE_MODE'] ?? 'filter';
  if (value !== 'filter' && value !== 'reject') throw new ConfigError(`SCOPE_MODE must be filter or reject, got ${JSON.stringify(value)}`);
  return value;
}

function urlVar(env: Env, name: string, fallback: string): string {
  const value = env[name] ?? fallback;
  try {
    return new URL(value).toString();
  } catch {
    throw new ConfigError(`${name} must be an absolute URL such as http://people:4001/graphql, got ${JSON.stringify(value)}`);
  }
}

/** `<NAME>_URL` of every subgraph of the supergraph at `supergraphPath`; default `http://127.0.0.1:<its default port>/graphql`. */
function subgraphUrls(env: Env, supergraphPath: string): Record<string, string> {
  let sdl: string;
  try {
    sdl = fs.readFileSync(supergraphPath, 'utf8');
  } catch (error) {
    throw new ConfigError(`SUPERGRAPH_PATH: cannot read ${supergraphPath} (${(error as Error).message})`);
  }
  return Object.fromEntries(
    supergraphSubgraphNames(sdl).map((name) => {
      const port = (DEFAULT_PORTS as Record<string, number>)[name];
      const variable = subgraphUrlVar(name);
      if (port === undefined && !env[variable]) throw new ConfigError(`${variable} is required: the supergraph routes to subgraph '${name}'`);
      return [name, urlVar(env, variable, `http://127.0.0.1:${port ?? 0}/graphql`)];
    }),
  );
}

function redisUrl(env: Env): string | undefined {
  const value = env['REDIS_URL'];
  if (value === undefined || value === '') return undefined;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError(`REDIS_URL must be a URL such as redis://redis:6379, got ${JSON.stringify(value)}`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw new ConfigError(`REDIS_URL must start with redis:// or rediss://, got ${JSON.stringify(value)}`);
  return value;
}

/** Reads the gateway's configuration from the environment; throws ConfigError naming the variable. */
export function readGatewayConfig(env: Env, options: { requireSecret: boolean } = { requireSecret: true }): GatewayConfig {
  return {
    port: intVar(env, 'PORT', DEFAULT_PORTS.gateway, 0, 65535),
    host: host(env),
    identitySecret: identitySecret(env, options.requireSecret),
    subgraphUrls: subgraphUrls(env, env['SUPERGRAPH_PATH'] ?? DEFAULT_SUPERGRAPH_PATH),
    corsOrigins: (env['CORS_ORIGINS'] ?? '*').split(',').map((o) => o.trim()).filter(Boolean),
    corsAllowHeaders: corsAllowHeaders(env),
    apqCacheSize: intVar(env, 'APQ_CACHE_SIZE', DEFAULT_APQ_ENTRIES_PER_ORG, 0, 1_000_000),
    apqCacheMaxBytes: intVar(env, 'APQ_CACHE_MAX_BYTES', DEFAULT_APQ_MAX_BYTES, 0, 10_000_000_000),
    apiKeyCacheTtlMs: intVar(env, 'API_KEY_CACHE_TTL_MS', 60_000, 0, 60_000),
    maxBodyBytes: intVar(env, 'MAX_BODY_BYTES', 1_000_000, 1_000, 100_000_000),
    supergraphPath: env['SUPERGRAPH_PATH'] ?? DEFAULT_SUPERGRAPH_PATH,
    maxSubscriptionsPerConnection: intVar(env, 'SUBSCRIPTIONS_PER_CONNECTION', 100, 1, 100_000),
    maxSubscriptionsPerKey: intVar(env, 'SUBSCRIPTIONS_PER_KEY', 1000, 1, 1_000_000),
    eventRetentionMs: intVar(env, 'EVENT_RETENTION_DAYS', 7, 1, 3650) * 86_400_000,
    subscriptionEventHoldMs: intVar(env, 'SUBSCRIPTION_EVENT_HOLD_MS', 60_000, 1_000, 3_600_000),
    jwt: readJwtConfig(env),
    shapeLimits: {
      maxDepth: intVar(env, 'MAX_DEPTH', DEFAULT_SHAPE_LIMITS.maxDepth, 1, 1_000),
      maxAliases: intVar(env, 'MAX_ALIASES', DEFAULT_SHAPE_LIMITS.maxAliases, 0, 100_000),
      maxRootFields: intVar(env, 'MAX_ROOT_FIELDS', DEFAULT_SHAPE_LIMITS.maxRootFields, 1, 100_000),
      maxTokens: intVar(env, 'MAX_TOKENS', DEFAULT_SHAPE_LIMITS.maxTokens, 10, 10_000_000),
      maxDirectives: intVar(env, 'MAX_DIRECTIVES', DEFAULT_SHAPE_LIMITS.maxDirectives, 0, 100_000),
    },
    maxCost: intVar(env, 'COST_MAX', DEFAULT_PROTECTION.maxCost, 1, 100_000_000),
    scopeMode: scopeMode(env),
    rateLimits: {
      requestsPerHour: intVar(env, 'RATE_LIMIT_PER_HOUR', DEFAULT_PROTECTION.requestsPerHour, 0, 100_000_000),
      budgetMaximum: intVar(env, 'COST_BUDGET_MAXIMUM', DEFAULT_PROTECTION.budgetMaximum, 1, 1_000_000_000),
      restorePerSecond: intVar(env, 'COST_BUDGET_RESTORE_RATE', DEFAULT_PROTECTION.restorePerSecond, 1, 1_000_000_000),
    },
    requestsPerHourByOrganization: readRequestLimitsByOrganization(env),
    trustedProxyHops: intVar(env, 'TRUST_PROXY_HOPS', 0, 0, 10),
    redisUrl: redisUrl(env),
    subgraphDedup: boolVar(env, 'SUBGRAPH_DEDUP', true),
    subgraphClient: {
      connections: intVar(env, 'SUBGRAPH_CONNECTIONS', DEFAULT_SUBGRAPH_CONNECTIONS, 1, 10_000),
      connectTimeoutMs: intVar(env, 'SUBGRAPH_CONNECT_TIMEOUT_MS', DEFAULT_SUBGRAPH_CONNECT_TIMEOUT_MS, 100, 600_000),
      timeoutMs: intVar(env, 'SUBGRAPH_TIMEOUT_MS', DEFAULT_SUBGRAPH_TIMEOUT_MS, 100, 3_600_000),
    },
  };
}
