import http from 'node:http';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { sql } from 'kysely';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { ConfigError, intVar } from './config.ts';
import type { DatabaseHandle } from './database.ts';
import { close, listen } from './http.ts';
import { serviceLogger } from './logger.ts';

/**
 * The process's Prometheus registry: every service of the process records into it (labelled
 * by `service` where services share a metric), and one listener serves it (startMetricsServer).
 */
export const metricsRegistry = new Registry();

const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** GraphQL requests over HTTP (`/graphql`) by service, operation name (operationLabel) and HTTP status. */
export const requestDuration = new Histogram({
  name: 'graphql_request_duration_seconds',
  help: 'Duration of GraphQL requests over HTTP, by service, operation name and HTTP status',
  labelNames: ['service', 'operation', 'status'] as const,
  buckets: DURATION_BUCKETS,
  registers: [metricsRegistry],
});

/** Errors in GraphQL responses (and refusals before execution) by service and `extensions.code`. */
export const graphqlErrors = new Counter({
  name: 'graphql_errors_total',
  help: 'Errors in GraphQL responses and refusals, by service and extensions.code',
  labelNames: ['service', 'code'] as const,
  registers: [metricsRegistry],
});

/** The gateway's fetches from subgraphs, by subgraph and outcome (`ok`, `http_error`, `network_error`). */
export const subgraphFetchDuration = new Histogram({
  name: 'gateway_subgraph_fetch_duration_seconds',
  help: "Duration of the gateway's fetches from subgraphs, by subgraph and outcome",
  labelNames: ['subgraph', 'outcome'] as const,
  buckets: DURATION_BUCKETS,
  registers: [metricsRegistry],
});

/** Subscription events delivered to subscribers, by subscription field. */
export const eventsDelivered = new Counter({
  name: 'gateway_events_delivered_total',
  help: 'Subscription events delivered to subscribers, by subscription field',
  labelNames: ['stream'] as const,
  registers: [metricsRegistry],
});

/** Operations and events refused by the rate limits, by what refused them (`requests`, `cost`, `event_cost`, `subscriptions`). */
export const rateLimitRefusals = new Counter({
  name: 'gateway_rate_limit_refusals_total',
  help: 'Operations and subscription events refused by the rate limits, by limit',
  labelNames: ['limit'] as const,
  registers: [metricsRegistry],
});

/** Sources of the active subscription counts by transport (one per gateway of the process). */
const subscriptionSources = new Set<() => Readonly<Record<string, number>>>();

new Gauge({
  name: 'gateway_active_subscriptions',
  help: 'Active subscriptions of this process, by transport (websocket, sse)',
  labelNames: ['transport'] as const,
  registers: [metricsRegistry],
  collect() {
    const totals: Record<string, number> = { websocket: 0, sse: 0 };
    for (const source of subscriptionSources) for (const [transport, n] of Object.entries(source())) totals[transport] = (totals[transport] ?? 0) + n;
    this.reset();
    for (const [transport, n] of Object.entries(totals)) this.set({ transport }, n);
  },
});

/** Counts a gateway's active subscriptions by transport on every scrape; returns its removal. */
export function trackSubscriptions(source: () => Readonly<Record<string, number>>): () => void {
  subscriptionSources.add(source);
  return () => void subscriptionSources.delete(source);
}

/** Databases whose pool and outbox are reported on scrape. */
const databases = new Set<DatabaseHandle>();

new Gauge({
  name: 'db_pool_connections',
  help: 'Connections of the PostgreSQL pool by state (total, idle, waiting: requests queued for a connection); absent on PGlite',
  labelNames: ['state'] as const,
  registers: [metricsRegistry],
  collect() {
    this.reset();
    const totals = { total: 0, idle: 0, waiting: 0 };
    let any = false;
    for (const database of databases) {
      const stats = database.poolStats?.();
      if (!stats) continue;
      any = true;
      totals.total += stats.total;
      totals.idle += stats.idle;
      totals.waiting += stats.waiting;
    }
    if (any) for (const [state, n] of Object.entries(totals)) this.set({ state }, n);
  },
});

new Gauge({
  name: 'outbox_consumer_lag_events',
  help: "Events an outbox consumer has yet to process: the outbox's highest id minus the consumer's cursor",
  labelNames: ['consumer'] as const,
  registers: [metricsRegistry],
  async collect() {
    this.reset();
    for (const database of databases) {
      try {
        const { rows } = await sql<{ consumer: string; lag: number | string }>`
          select c.consumer, (select coalesce(max(o.id), 0) from events.outbox o) - c.last_id as lag
          from events.consumer_cursors c`.execute(database.root);
        for (const row of rows) this.set({ consumer: row.consumer }, Math.max(0, Number(row.lag)));
      } catch (error) {
        // Before the events schema exists (first start) there is nothing to report.
        serviceLogger('metrics').debug({ err: error }, 'outbox lag unavailable');
      }
    }
  },
});

/** Reports `database`'s pool use and its outbox consumers' lag on every scrape; returns its removal. */
export function trackDatabase(database: DatabaseHandle): () => void {
  databases.add(database);
  return () => void databases.delete(database);
}

/** Most distinct operation names given a series of their own; later ones are counted as `other`. */
export const MAX_OPERATION_LABELS = 200;
const OPERATION_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,63}$/;
const seenOperations = new Set<string>();

/**
 * The `operation` label of a name: `anonymous` for none, `invalid` for a name that is not a
 * GraphQL name of at most 64 characters, `other` once MAX_OPERATION_LABELS names were seen.
 */
export function operationLabel(name: unknown): string {
  if (typeof name !== 'string' || name === '') return 'anonymous';
  if (!OPERATION_NAME.test(name)) return 'invalid';
  if (seenOperations.has(name)) return name;
  if (seenOperations.size >= MAX_OPERATION_LABELS) return 'other';
  seenOperations.add(name);
  return name;
}

/** Counts the codes of the errors in each GraphQL response of `service` (graphql_errors_total). */
export function errorMetricsPlugin<TContext extends BaseContext>(service: string): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          for (const error of response.body.singleResult.errors ?? []) countError(service, error.extensions?.['code']);
        },
      };
    },
  };
}

/** Counts one error of `service` by its code (`UNKNOWN` when it has none). */
export function countError(service: string, code: unknown): void {
  graphqlErrors.inc({ service, code: typeof code === 'string' && /^[A-Z_]{1,64}$/.test(code) ? code : 'UNKNOWN' });
}

/** Where a service serves its metrics. */
export interface MetricsConfig {
  readonly port: number;
  readonly host: string;
}

/** Default metrics port of each separately started service (9400 + its offset); `npm start` serves one for the process on 9400. */
export const DEFAULT_METRICS_PORTS = { gateway: 9400, people: 9401, leave: 9402, time: 9403, boarding: 9404, webhooks: 9405 } as const;

/**
 * The metrics listener of `service`: `<SERVICE>_METRICS_PORT`, else METRICS_PORT, else
 * `defaultPort`; `off` disables it (null), 0 takes any free port. METRICS_HOST, default 127.0.0.1.
 */
export function readMetricsConfig(env: NodeJS.ProcessEnv, service: string, defaultPort: number): MetricsConfig | null {
  const own = `${service.toUpperCase()}_METRICS_PORT`;
  const name = env[own] !== undefined && env[own] !== '' ? own : 'METRICS_PORT';
  const raw = env[name];
  if (raw === 'off') return null;
  const port = intVar(env, name, defaultPort, 0, 65535);
  const host = env['METRICS_HOST'] || '127.0.0.1';
  if (/\s/.test(host)) throw new ConfigError(`METRICS_HOST must be a host name or address, got ${JSON.stringify(host)}`);
  return { port, host };
}

let defaultsCollected = false;

/**
 * Serves the registry in the Prometheus text format at `GET /metrics` on its own listener
 * (default 127.0.0.1: metrics name organizations' operations and are for the operator).
 * Also collects Node's default metrics (event-loop lag, heap, GC) from the first call.
 */
export async function startMetricsServer(config: MetricsConfig): Promise<{ url: string; stop(): Promise<void> }> {
  if (!defaultsCollected) {
    collectDefaultMetrics({ register: metricsRegistry });
    defaultsCollected = true;
  }
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found; metrics are at GET /metrics\n');
      return;
    }
    metricsRegistry.metrics().then(
      (text) => res.writeHead(200, { 'Content-Type': metricsRegistry.contentType }).end(req.method === 'HEAD' ? undefined : text),
      (error: unknown) => {
        serviceLogger('metrics').error({ err: error }, 'metrics scrape failed');
        res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end('metrics unavailable\n');
      },
    );
  });
  const url = await listen(server, config.port, config.host);
  return { url, stop: () => close(server) };
}
