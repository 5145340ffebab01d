import type { Kysely } from 'kysely';
import type { DirectoryOrganizationsTable, DirectoryUsersTable } from './tables/directory.ts';
import type { HousesTable } from './tables/houses.ts';
import type { LocationRecordsTable, LocationsTable } from './tables/locations.ts';
import type { PastoralCategoriesTable, PastoralRecordsTable } from './tables/pastoral.ts';
import type { RollAssignmentsTable, RollsTable, RollTypesTable } from './tables/rolls.ts';
import type { StudentLeaveHistoryTable, StudentLeavesTable, StudentLeaveTypesTable } from './tables/student-leave.ts';
import type { ContactsTable, StudentsTable } from './tables/students.ts';

/** The boarding schema's tables. */
export interface BoardingDatabase {
  directory_organizations: DirectoryOrganizationsTable;
  directory_users: DirectoryUsersTable;
  houses: HousesTable;
  students: StudentsTable;
  contacts: ContactsTable;
  locations: LocationsTable;
  location_records: LocationRecordsTable;
  pastoral_categories: PastoralCategoriesTable;
  pastoral_records: PastoralRecordsTable;
  roll_types: RollTypesTable;
  rolls: RollsTable;
  roll_assignments: RollAssignmentsTable;
  student_leave_types: StudentLeaveTypesTable;
  student_leaves: StudentLeavesTable;
  student_leave_history: StudentLeaveHistoryTable;
}

export type BoardingDb = Kysely<BoardingDatabase>;
/** Postgres schema of the boarding subgraph. */
export const BOARDING_SCHEMA = 'boarding';
