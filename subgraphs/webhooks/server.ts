import fs from 'node:fs';
import { sql } from 'kysely';
import { parse } from 'graphql';
import { migrateSchema, schemaDb, type DatabaseHandle } from '../shared/database.ts';
import { EVENTS_SCHEMA, eventsMigrations } from '../shared/events-migrations/index.ts';
import { startSubgraphServer, type RunningServer } from '../shared/subgraph-server.ts';
import type { WebhooksContext } from './context.ts';
import { WEBHOOKS_SCHEMA, type WebhooksDatabase } from './db/database.ts';
import { webhooksMigrations } from './db/migrations/index.ts';
import { DEFAULT_DELIVERY_SETTINGS, type DeliverySettings } from './domain/delivery-engine.ts';
import { systemResolver, type UrlPolicy } from './domain/url-safety.ts';
import { embeddedQueue, graphileQueue, startWebhookWorker, type WebhookWorker } from './domain/worker.ts';
import { webhooksResolvers } from './resolvers/index.ts';

/** The webhooks subgraph's SDL, as composed into the supergraph. */
export const webhooksTypeDefs = fs.readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8');

export interface WebhooksServerOptions {
  readonly database: DatabaseHandle;
  readonly identitySecret: string;
  readonly port?: number | undefined;
  readonly host?: string | undefined;
  /** Allow `http` and loopback/private addresses (development only); default false. */
  readonly allowInsecure?: boolean;
  /** Resolves endpoint hosts; default the system resolver (tests inject names). */
  readonly resolve?: UrlPolicy['resolve'];
  /** Delivery settings over the defaults (tests shrink the retry schedule to milliseconds). */
  readonly delivery?: Partial<Omit<DeliverySettings, 'urlPolicy'>>;
  /** Run the delivery worker in this process; default true. */
  readonly worker?: boolean;
  readonly concurrency?: number;
  readonly retentionMs?: number;
  readonly pollIntervalMs?: number;
  /** Worker timings (see `WebhookWorkerOptions`); tests shrink them. */
  readonly pruneIntervalMs?: number;
  readonly heartbeatIntervalMs?: number;
  readonly staleAfterMs?: number;
  readonly sweepIntervalMs?: number;
}

export interface RunningWebhooksServer extends RunningServer {
  /** The worker, when this process runs one. */
  readonly worker: WebhookWorker | null;
}

/** Migrates the webhooks schema and serves the webhooks subgraph, with the delivery worker unless `worker: false`. */
export async function startWebhooksServer(options: WebhooksServerOptions): Promise<RunningWebhooksServer> {
  await migrateSchema(options.database, EVENTS_SCHEMA, eventsMigrations);
  await migrateSchema(options.database, WEBHOOKS_SCHEMA, webhooksMigrations);
  const db = schemaDb<WebhooksDatabase>(options.database, WEBHOOKS_SCHEMA);
  const urlPolicy: UrlPolicy = { allowInsecure: options.allowInsecure ?? false, resolve: options.resolve ?? systemResolver };
  const worker =
    options.worker === false
      ? null
      : await startWebhookWorker({
          database: options.database,
          delivery: { ...DEFAULT_DELIVERY_SETTINGS, ...options.delivery, urlPolicy },
          concurrency: options.concurrency,
          retentionMs: options.retentionMs,
          pollIntervalMs: options.pollIntervalMs,
          pruneIntervalMs: options.pruneIntervalMs,
          heartbeatIntervalMs: options.heartbeatIntervalMs,
          staleAfterMs: options.staleAfterMs,
          sweepIntervalMs: options.sweepIntervalMs,
        });
  const queue = worker?.queue ?? (options.database.kind === 'postgres' ? graphileQueue : embeddedQueue);
  const server = await startSubgraphServer({
    name: 'webhooks',
    typeDefs: parse(webhooksTypeDefs),
    resolvers: webhooksResolvers,
    identitySecret: options.identitySecret,
    port: options.port,
    host: options.host,
    createContext: (identity): WebhooksContext => ({ identity, db, services: { urlPolicy, queue } }),
    checkReady: async () => {
      await sql`select 1`.execute(db);
    },
  });
  return {
    url: server.url,
    worker,
    async stop() {
      await server.stop();
      await worker?.stop();
    },
  };
}
