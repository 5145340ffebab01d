import type { Migration } from 'kysely';
import * as initial from './20261123-0001-initial.ts';

/** Every migration of the leave schema, by name; append new ones, never edit old ones. */
export const leaveMigrations: Record<string, Migration> = {
  '20261123-0001-initial': initial,
};
