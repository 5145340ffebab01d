import type { Migration } from 'kysely';
import * as initial from './20261201-0001-initial.ts';
import * as scheduledRolls from './20261202-0001-scheduled-rolls.ts';

/** Every migration of the boarding schema, by name; append new ones, never edit old ones. */
export const boardingMigrations: Record<string, Migration> = {
  '20261201-0001-initial': initial,
  '20261202-0001-scheduled-rolls': scheduledRolls,
};
