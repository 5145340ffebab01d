import fs from 'node:fs';
import { sql } from 'kysely';
import { parse } from 'graphql';
import { migrateSchema, schemaDb, type DatabaseHandle } from '../shared/database.ts';
import { EVENTS_SCHEMA, eventsMigrations } from '../shared/events-migrations/index.ts';
import type { OutboxConsumer } from '../shared/outbox.ts';
import { startSubgraphServer, type RunningServer } from '../shared/subgraph-server.ts';
import { createLeaveContext, type DocumentSettings, type LeaveServices } from './context.ts';
import { LEAVE_SCHEMA, type LeaveDatabase } from './db/database.ts';
import { leaveMigrations } from './db/migrations/index.ts';
import { createAccrualCatchUp, createAccrualConsumer } from './domain/accrual-consumer.ts';
import { createDirectoryConsumer } from './domain/directory-consumer.ts';
import { createToilCatchUp, createToilConsumer } from './domain/toil-consumer.ts';
import { createDocumentRoutes } from './documents/routes.ts';
import { leaveResolvers } from './resolvers/index.ts';

/** The leave subgraph's SDL, as composed into the supergraph. */
export const leaveTypeDefs = fs.readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8');

export interface LeaveServerOptions {
  readonly database: DatabaseHandle;
  /** Secret shared with the gateway for identity signatures. */
  readonly identitySecret: string;
  /** Default 0: any free port. */
  readonly port?: number | undefined;
  /** Default 127.0.0.1. */
  readonly host?: string | undefined;
  /** Documents store: directory, size limit, public base URL and signing secret. */
  readonly documents: DocumentSettings;
  /** Clock, for tests; default the system clock. */
  readonly now?: () => Date;
}

export interface RunningLeaveServer extends RunningServer {
  /** Applies all pending people events to the directory (tests call it after writing through people). */
  catchUpDirectory(): Promise<void>;
  /** Applies the time subgraph's pending TOIL snapshots to the projection. */
  catchUpToil(): Promise<void>;
  /** The services its resolvers use (clock, directory catch-up, documents), for seeding through the same domain code. */
  readonly services: LeaveServices;
}

/** Migrates the events and leave schemas, follows people's events, and serves the leave subgraph. */
export async function startLeaveServer(options: LeaveServerOptions): Promise<RunningLeaveServer> {
  await migrateSchema(options.database, EVENTS_SCHEMA, eventsMigrations);
  await migrateSchema(options.database, LEAVE_SCHEMA, leaveMigrations);
  const db = schemaDb<LeaveDatabase>(options.database, LEAVE_SCHEMA);
  fs.mkdirSync(options.documents.directory, { recursive: true });

  const directory = createDirectoryConsumer(options.database, { now: options.now });
  const accruals = createAccrualConsumer(options.database);
  const toil = createToilConsumer(options.database);
  const consumers: OutboxConsumer[] = [directory, accruals, toil];
  for (const consumer of consumers) await consumer.start();

  const services: LeaveServices = {
    catchUpDirectory: () => directory.catchUp(),
    catchUpAccruals: createAccrualCatchUp(options.database, accruals, directory),
    catchUpToil: createToilCatchUp(options.database, toil),
    documents: options.documents,
    now: options.now ?? (() => new Date()),
  };
  const server = await startSubgraphServer({
    name: 'leave',
    typeDefs: parse(leaveTypeDefs),
    resolvers: leaveResolvers,
    identitySecret: options.identitySecret,
    port: options.port,
    host: options.host,
    createContext: (identity) => createLeaveContext(db, identity, services),
    // Signed document URLs carry their own credential; the gateway proxies them unauthenticated.
    rawRoutes: { '/documents/': createDocumentRoutes({ db, settings: options.documents, now: services.now }) },
    checkReady: async () => {
      await sql`select 1`.execute(db);
    },
  });
  return {
    url: server.url,
    catchUpDirectory: services.catchUpDirectory,
    catchUpToil: () => toil.catchUp(),
    services,
    async stop() {
      await server.stop();
      for (const consumer of consumers) await consumer.stop();
    },
  };
}
