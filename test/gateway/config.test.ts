import { describe, expect, it } from 'vitest';
import { readGatewayConfig } from '../../gateway/config.ts';
import { DEFAULT_SHAPE_LIMITS } from '../../gateway/cost/shape-limits.ts';
import { DEFAULT_PROTECTION } from '../../gateway/operation-policy.ts';

const base = { IDENTITY_SECRET: 'x'.repeat(32) };

describe('readGatewayConfig: protection', () => {
  it('should default every limit when nothing is set', () => {
    const config = readGatewayConfig(base);
    expect(config.shapeLimits).toEqual(DEFAULT_SHAPE_LIMITS);
    expect(config.maxCost).toBe(DEFAULT_PROTECTION.maxCost);
    expect(config.rateLimits).toEqual({
      requestsPerHour: DEFAULT_PROTECTION.requestsPerHour,
      budgetMaximum: DEFAULT_PROTECTION.budgetMaximum,
      restorePerSecond: DEFAULT_PROTECTION.restorePerSecond,
    });
    expect(config.scopeMode).toBe('filter');
    expect(config.jwt).toBeNull();
    expect(config.trustedProxyHops).toBe(0);
  });

  it('should read each limit from its variable', () => {
    const config = readGatewayConfig({
      ...base,
      MAX_DEPTH: '8',
      MAX_ALIASES: '5',
      MAX_ROOT_FIELDS: '4',
      MAX_TOKENS: '900',
      MAX_DIRECTIVES: '3',
      COST_MAX: '700',
      RATE_LIMIT_PER_HOUR: '50',
      COST_BUDGET_MAXIMUM: '900',
      COST_BUDGET_RESTORE_RATE: '9',
      SCOPE_MODE: 'reject',
      TRUST_PROXY_HOPS: '1',
    });
    expect(config.shapeLimits).toEqual({ maxDepth: 8, maxAliases: 5, maxRootFields: 4, maxTokens: 900, maxDirectives: 3 });
    expect(config.maxCost).toBe(700);
    expect(config.rateLimits).toEqual({ requestsPerHour: 50, budgetMaximum: 900, restorePerSecond: 9 });
    expect(config.scopeMode).toBe('reject');
    expect(config.trustedProxyHops).toBe(1);
  });

  it('should name the variable of a bad value', () => {
    expect(() => readGatewayConfig({ ...base, SCOPE_MODE: 'strict' })).toThrow(/SCOPE_MODE/);
    expect(() => readGatewayConfig({ ...base, MAX_DEPTH: '0' })).toThrow(/MAX_DEPTH/);
    expect(() => readGatewayConfig({ ...base, COST_MAX: 'lots' })).toThrow(/COST_MAX/);
    expect(() => readGatewayConfig({ ...base, REDIS_URL: 'localhost:6379' })).toThrow(/REDIS_URL/);
    expect(() => readGatewayConfig({ ...base, REDIS_URL: 'http://redis:6379' })).toThrow(/REDIS_URL/);
  });

  it('should read REDIS_URL, and keep the rate limits off Redis without it', () => {
    expect(readGatewayConfig({ ...base, REDIS_URL: 'redis://redis:6379/0' }).redisUrl).toBe('redis://redis:6379/0');
    expect(readGatewayConfig(base).redisUrl).toBeUndefined();
  });
});

describe('readGatewayConfig: clients', () => {
  it('should default the CORS request headers (with the tracing headers) and the APQ cache', () => {
    const config = readGatewayConfig(base);
    expect(config.corsAllowHeaders).toEqual(expect.arrayContaining(['x-api-key', 'traceparent', 'tracestate', 'baggage', 'idempotency-key', 'x-request-id']));
    expect(config.apqCacheSize).toBe(1_000);
    expect(config.apqCacheMaxBytes).toBe(50_000_000);
  });

  it('should read CORS_ALLOW_HEADERS, APQ_CACHE_SIZE and APQ_CACHE_MAX_BYTES', () => {
    const config = readGatewayConfig({ ...base, CORS_ALLOW_HEADERS: ' Content-Type, x-api-key ,X-Tenant-Hint', APQ_CACHE_SIZE: '0', APQ_CACHE_MAX_BYTES: '1000' });
    expect(config.corsAllowHeaders).toEqual(['content-type', 'x-api-key', 'x-tenant-hint']);
    expect(config.apqCacheSize).toBe(0);
    expect(config.apqCacheMaxBytes).toBe(1000);
  });

  it('should refuse a CORS_ALLOW_HEADERS that is not a list of header names, and a bad APQ_CACHE_SIZE', () => {
    for (const value of ['', ' , ', 'x-api-key, bad header', 'x-api-key;q=1']) {
      expect(() => readGatewayConfig({ ...base, CORS_ALLOW_HEADERS: value })).toThrow(/CORS_ALLOW_HEADERS/);
    }
    expect(() => readGatewayConfig({ ...base, APQ_CACHE_SIZE: '-1' })).toThrow(/APQ_CACHE_SIZE/);
  });
});

describe('readGatewayConfig: subgraph client', () => {
  it('should share identical in-flight queries and pool 64 connections per subgraph by default', () => {
    const config = readGatewayConfig(base);
    expect(config.subgraphDedup).toBe(true);
    expect(config.subgraphClient).toEqual({ connections: 64, connectTimeoutMs: 5_000, timeoutMs: 30_000 });
  });

  it('should read SUBGRAPH_DEDUP, SUBGRAPH_CONNECTIONS, SUBGRAPH_CONNECT_TIMEOUT_MS and SUBGRAPH_TIMEOUT_MS', () => {
    const config = readGatewayConfig({ ...base, SUBGRAPH_DEDUP: 'false', SUBGRAPH_CONNECTIONS: '8', SUBGRAPH_CONNECT_TIMEOUT_MS: '1000', SUBGRAPH_TIMEOUT_MS: '2000' });
    expect(config.subgraphDedup).toBe(false);
    expect(config.subgraphClient).toEqual({ connections: 8, connectTimeoutMs: 1_000, timeoutMs: 2_000 });
  });

  it('should refuse a SUBGRAPH_DEDUP that is not a boolean and a pool of no connections, naming the variable', () => {
    expect(() => readGatewayConfig({ ...base, SUBGRAPH_DEDUP: 'maybe' })).toThrow(/SUBGRAPH_DEDUP must be true or false/);
    expect(() => readGatewayConfig({ ...base, SUBGRAPH_CONNECTIONS: '0' })).toThrow(/SUBGRAPH_CONNECTIONS must be an integer from 1/);
  });
});
