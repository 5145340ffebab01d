import type { Migration } from 'kysely';
import * as outbox from './20261123-0001-outbox.ts';

/** Postgres schema of the event outbox and the consumers' cursors. */
export const EVENTS_SCHEMA = 'events';

/** Migrations of the events schema; every service applies them on start (idempotent). */
export const eventsMigrations: Record<string, Migration> = {
  '20261123-0001-outbox': outbox,
};
