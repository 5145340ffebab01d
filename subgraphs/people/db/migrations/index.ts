import type { Migration } from 'kysely';
import * as initial from './20261123-0001-initial.ts';
import * as keyPolicies from './20261123-0002-key-policies.ts';
import * as fullTimeWeeklyHours from './20261201-0003-full-time-weekly-hours.ts';
import * as nfcEmails from './20261201-0004-nfc-emails.ts';

/** Every migration of the people schema, by name; append new ones, never edit old ones. */
export const peopleMigrations: Record<string, Migration> = {
  '20261123-0001-initial': initial,
  '20261123-0002-key-policies': keyPolicies,
  '20261201-0003-full-time-weekly-hours': fullTimeWeeklyHours,
  '20261201-0004-nfc-emails': nfcEmails,
};
