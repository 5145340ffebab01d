import fs from 'node:fs';
import { sql } from 'kysely';
import { parse } from 'graphql';
import { migrateSchema, schemaDb, type DatabaseHandle } from '../shared/database.ts';
import { EVENTS_SCHEMA, eventsMigrations } from '../shared/events-migrations/index.ts';
import type { OutboxConsumer } from '../shared/outbox.ts';
import { startSubgraphServer, type RunningServer } from '../shared/subgraph-server.ts';
import { createTimeContext, type TimeServices } from './context.ts';
import { TIME_SCHEMA, type TimeDatabase } from './db/database.ts';
import { timeMigrations } from './db/migrations/index.ts';
import { createTimeDirectoryConsumer } from './domain/directory-consumer.ts';
import { createToilUseCatchUp, createToilUseConsumer } from './domain/toil-use-consumer.ts';
import { timeResolvers } from './resolvers/index.ts';

/** The time subgraph's SDL, as composed into the supergraph. */
export const timeTypeDefs = fs.readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8');

export interface TimeServerOptions {
  readonly database: DatabaseHandle;
  /** Secret shared with the gateway for identity signatures. */
  readonly identitySecret: string;
  /** Default 0: any free port. */
  readonly port?: number | undefined;
  /** Default 127.0.0.1. */
  readonly host?: string | undefined;
  /** Clock, for tests; default the system clock. */
  readonly now?: (() => Date) | undefined;
}

export interface RunningTimeServer extends RunningServer {
  /** Applies all pending people events to the directory (tests call it after writing through people). */
  catchUpDirectory(): Promise<void>;
  /** Applies leave's pending TOIL uses (tests call it after approving or cancelling TOIL leave). */
  catchUpToilUses(): Promise<void>;
  /** The services its resolvers use, for seeding through the same domain code. */
  readonly services: TimeServices;
}

/** Migrates the events and time schemas, follows people's events, and serves the time subgraph. */
export async function startTimeServer(options: TimeServerOptions): Promise<RunningTimeServer> {
  await migrateSchema(options.database, EVENTS_SCHEMA, eventsMigrations);
  await migrateSchema(options.database, TIME_SCHEMA, timeMigrations);
  const db = schemaDb<TimeDatabase>(options.database, TIME_SCHEMA);

  const directory = createTimeDirectoryConsumer(options.database);
  const toilUses = createToilUseConsumer(options.database);
  const consumers: OutboxConsumer[] = [directory, toilUses];
  for (const consumer of consumers) await consumer.start();

  const services: TimeServices = {
    catchUpDirectory: () => directory.catchUp(),
    catchUpToilUses: createToilUseCatchUp(options.database, toilUses),
    now: options.now ?? (() => new Date()),
  };
  const server = await startSubgraphServer({
    name: 'time',
    typeDefs: parse(timeTypeDefs),
    resolvers: timeResolvers,
    identitySecret: options.identitySecret,
    port: options.port,
    host: options.host,
    createContext: (identity) => createTimeContext(db, identity, services),
    checkReady: async () => {
      await sql`select 1`.execute(db);
    },
  });
  return {
    url: server.url,
    catchUpDirectory: services.catchUpDirectory,
    catchUpToilUses: () => toilUses.catchUp(),
    services,
    async stop() {
      await server.stop();
      for (const consumer of consumers) await consumer.stop();
    },
  };
}
