import type { Kysely } from 'kysely';
import type { DirectoryDepartmentsTable, DirectoryOrganizationsTable, DirectoryUsersTable } from './tables/directory.ts';
import type { HoursWorkedTable } from './tables/hours-worked.ts';
import type { OvertimeSubmissionHistoryTable, OvertimeSubmissionsTable } from './tables/overtime-submissions.ts';
import type { OvertimeTypesTable } from './tables/overtime-types.ts';
import type { TimeSettingsTable } from './tables/time-settings.ts';
import type { ToilLedgerTable, ToilLotsTable } from './tables/toil.ts';

/** The time schema's tables. */
export interface TimeDatabase {
  directory_organizations: DirectoryOrganizationsTable;
  directory_departments: DirectoryDepartmentsTable;
  directory_users: DirectoryUsersTable;
  time_settings: TimeSettingsTable;
  overtime_types: OvertimeTypesTable;
  overtime_submissions: OvertimeSubmissionsTable;
  overtime_submission_history: OvertimeSubmissionHistoryTable;
  toil_lots: ToilLotsTable;
  toil_ledger: ToilLedgerTable;
  hours_worked: HoursWorkedTable;
}

export type TimeDb = Kysely<TimeDatabase>;
/** Postgres schema of the time subgraph. */
export const TIME_SCHEMA = 'time';
