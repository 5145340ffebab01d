import type { Migration } from 'kysely';
import * as initial from './20261123-0001-initial.ts';
import * as allowancesFollowThePerson from './20261201-0002-allowances-follow-the-person.ts';
import * as accrualCorrections from './20261201-0101-accrual-corrections.ts';
import * as toilLeave from './20261201-0102-toil-leave.ts';

/** Every migration of the leave schema, by name; append new ones, never edit old ones. */
export const leaveMigrations: Record<string, Migration> = {
  '20261123-0001-initial': initial,
  '20261201-0002-allowances-follow-the-person': allowancesFollowThePerson,
  '20261201-0101-accrual-corrections': accrualCorrections,
  '20261201-0102-toil-leave': toilLeave,
};
