import { migrateSchema, type DatabaseHandle } from '../../subgraphs/shared/database.ts';
import { EVENTS_SCHEMA, eventsMigrations } from '../../subgraphs/shared/events-migrations/index.ts';
import { PEOPLE_SCHEMA } from '../../subgraphs/people/db/database.ts';
import { peopleMigrations } from '../../subgraphs/people/db/migrations/index.ts';
import { LEAVE_SCHEMA } from '../../subgraphs/leave/db/database.ts';
import { leaveMigrations } from '../../subgraphs/leave/db/migrations/index.ts';
import { TIME_SCHEMA } from '../../subgraphs/time/db/database.ts';
import { timeMigrations } from '../../subgraphs/time/db/migrations/index.ts';
import { BOARDING_SCHEMA } from '../../subgraphs/boarding/db/database.ts';
import { boardingMigrations } from '../../subgraphs/boarding/db/migrations/index.ts';
import { WEBHOOKS_SCHEMA } from '../../subgraphs/webhooks/db/database.ts';
import { webhooksMigrations } from '../../subgraphs/webhooks/db/migrations/index.ts';
import { GATEWAY_SCHEMA, gatewayMigrations } from '../../gateway/db/migrations/index.ts';

/** Applies every subgraph's and the gateway's migrations: what a test template database holds. */
export async function migrateAll(handle: DatabaseHandle): Promise<void> {
  await migrateSchema(handle, EVENTS_SCHEMA, eventsMigrations);
  await migrateSchema(handle, PEOPLE_SCHEMA, peopleMigrations);
  await migrateSchema(handle, LEAVE_SCHEMA, leaveMigrations);
  await migrateSchema(handle, TIME_SCHEMA, timeMigrations);
  await migrateSchema(handle, BOARDING_SCHEMA, boardingMigrations);
  await migrateSchema(handle, WEBHOOKS_SCHEMA, webhooksMigrations);
  await migrateSchema(handle, GATEWAY_SCHEMA, gatewayMigrations);
}
