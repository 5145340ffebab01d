import fs from 'node:fs';
import { sql } from 'kysely';
import { parse } from 'graphql';
import { migrateSchema, schemaDb, type DatabaseHandle } from '../shared/database.ts';
import { EVENTS_SCHEMA, eventsMigrations } from '../shared/events-migrations/index.ts';
import { startSubgraphServer, type RunningServer } from '../shared/subgraph-server.ts';
import { createBoardingContext, type BoardingServices } from './context.ts';
import { BOARDING_SCHEMA, type BoardingDatabase } from './db/database.ts';
import { boardingMigrations } from './db/migrations/index.ts';
import { createDirectoryConsumer } from './domain/directory-consumer.ts';
import { createAutomaticRollScheduler, type AutomaticRollScheduler } from './domain/automatic-roll.ts';
import { createLeaveActivationScheduler, type LeaveActivationScheduler } from './domain/leave-activation.ts';
import { boardingResolvers } from './resolvers/index.ts';

/** The boarding subgraph's SDL, as composed into the supergraph. */
export const boardingTypeDefs = fs.readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8');

export interface BoardingServerOptions {
  readonly database: DatabaseHandle;
  /** Secret shared with the gateway for identity signatures. */
  readonly identitySecret: string;
  /** Default 0: any free port. */
  readonly port?: number | undefined;
  /** Default 127.0.0.1. */
  readonly host?: string | undefined;
  /** Clock, for tests; default the system clock. */
  readonly now?: () => Date;
  /** How often due leave activations are published and due automatic rolls taken, ms; default 1,000. */
  readonly activationIntervalMs?: number;
}

export interface RunningBoardingServer extends RunningServer {
  /** Applies all pending people events to the staff directory. */
  catchUpDirectory(): Promise<void>;
  /** Publishes every leave activation due now (the scheduler does it every interval). */
  readonly activations: LeaveActivationScheduler;
  /** Takes every scheduled automatic roll whose start has passed (the scheduler does it every interval). */
  readonly automaticRolls: AutomaticRollScheduler;
  readonly services: BoardingServices;
}

/** Migrates the events and boarding schemas, follows people's events, publishes leave activations, takes automatic rolls at their start, and serves the boarding subgraph. */
export async function startBoardingServer(options: BoardingServerOptions): Promise<RunningBoardingServer> {
  await migrateSchema(options.database, EVENTS_SCHEMA, eventsMigrations);
  await migrateSchema(options.database, BOARDING_SCHEMA, boardingMigrations);
  const db = schemaDb<BoardingDatabase>(options.database, BOARDING_SCHEMA);
  const services: BoardingServices = { now: options.now ?? (() => new Date()) };

  const directory = createDirectoryConsumer(options.database);
  await directory.start();
  const activations = createLeaveActivationScheduler(db, services.now, options.activationIntervalMs);
  activations.start();
  const automaticRolls = createAutomaticRollScheduler(db, services.now, options.activationIntervalMs);
  automaticRolls.start();

  const server = await startSubgraphServer({
    name: 'boarding',
    typeDefs: parse(boardingTypeDefs),
    resolvers: boardingResolvers,
    identitySecret: options.identitySecret,
    port: options.port,
    host: options.host,
    createContext: (identity) => createBoardingContext(db, identity, services),
    checkReady: async () => {
      await sql`select 1`.execute(db);
    },
  });
  return {
    url: server.url,
    catchUpDirectory: () => directory.catchUp(),
    activations,
    automaticRolls,
    services,
    async stop() {
      await server.stop();
      await activations.stop();
      await automaticRolls.stop();
      await directory.stop();
    },
  };
}
