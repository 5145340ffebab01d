import type { Migration } from 'kysely';
import * as initial from './20261201-0001-initial.ts';
import * as workerRecovery from './20261202-0001-worker-recovery.ts';

/** Every migration of the webhooks schema, by name; append new ones, never edit old ones. */
export const webhooksMigrations: Record<string, Migration> = {
  '20261201-0001-initial': initial,
  '20261202-0001-worker-recovery': workerRecovery,
};
