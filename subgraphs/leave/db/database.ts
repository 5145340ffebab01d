import type { Kysely } from 'kysely';
import type { AllowanceLedgerTable, AllowancesTable } from './tables/allowances.ts';
import type { ClosureDaysTable, RestrictedDaysTable } from './tables/calendar-days.ts';
import type { CoverageRulesTable } from './tables/coverage-rules.ts';
import type { DirectoryDepartmentsTable, DirectoryOrganizationsTable, DirectoryUsersTable } from './tables/directory.ts';
import type { LeaveDocumentsTable } from './tables/leave-documents.ts';
import type { LeaveRequestDaysTable, LeaveRequestHistoryTable, LeaveRequestsTable } from './tables/leave-requests.ts';
import type { LeaveTypesTable } from './tables/leave-types.ts';
import type { ToilBalancesTable } from './tables/toil-balances.ts';

/** The leave schema's tables. */
export interface LeaveDatabase {
  directory_organizations: DirectoryOrganizationsTable;
  directory_departments: DirectoryDepartmentsTable;
  directory_users: DirectoryUsersTable;
  leave_types: LeaveTypesTable;
  allowances: AllowancesTable;
  allowance_ledger: AllowanceLedgerTable;
  leave_requests: LeaveRequestsTable;
  leave_request_days: LeaveRequestDaysTable;
  leave_request_history: LeaveRequestHistoryTable;
  leave_documents: LeaveDocumentsTable;
  coverage_rules: CoverageRulesTable;
  restricted_days: RestrictedDaysTable;
  closure_days: ClosureDaysTable;
  toil_balances: ToilBalancesTable;
}

export type LeaveDb = Kysely<LeaveDatabase>;
/** Postgres schema of the leave subgraph. */
export const LEAVE_SCHEMA = 'leave';
