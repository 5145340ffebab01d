import { upsertNewerSnapshot } from '../../../shared/directory-projection.ts';
import type { TimeDb } from '../database.ts';
import type { DirectoryDepartmentRow, DirectoryDepartmentsTable, DirectoryOrganizationRow, DirectoryOrganizationsTable, DirectoryUserRow, DirectoryUsersTable } from '../tables/directory.ts';

// Upserts apply a snapshot only when it is newer than what the row holds (upsertNewerSnapshot).

export async function upsertDirectoryOrganization(db: TimeDb, row: DirectoryOrganizationsTable): Promise<void> {
  await upsertNewerSnapshot(db, 'directory_organizations', 'org_id', row);
}

export async function upsertDirectoryDepartment(db: TimeDb, row: DirectoryDepartmentsTable): Promise<void> {
  await upsertNewerSnapshot(db, 'directory_departments', 'id', row);
}

export async function upsertDirectoryUser(db: TimeDb, row: DirectoryUsersTable): Promise<void> {
  await upsertNewerSnapshot(db, 'directory_users', 'id', row);
}

export async function findDirectoryUsers(db: TimeDb, orgId: string, ids: readonly string[]): Promise<DirectoryUserRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('directory_users').selectAll().where('org_id', '=', orgId).where('id', 'in', ids).execute();
}

/** People by their external id (exact match; several people may share one, which callers treat as ambiguous). */
export async function findDirectoryUsersByExternalId(db: TimeDb, orgId: string, externalIds: readonly string[]): Promise<DirectoryUserRow[]> {
  if (externalIds.length === 0) return [];
  return db.selectFrom('directory_users').selectAll().where('org_id', '=', orgId).where('external_id', 'in', externalIds).execute();
}

export async function findDirectoryDepartments(db: TimeDb, orgId: string, ids: readonly string[]): Promise<DirectoryDepartmentRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('directory_departments').selectAll().where('org_id', '=', orgId).where('id', 'in', ids).execute();
}

export async function findDirectoryOrganization(db: TimeDb, orgId: string): Promise<DirectoryOrganizationRow | undefined> {
  return db.selectFrom('directory_organizations').selectAll().where('org_id', '=', orgId).executeTakeFirst();
}

/** Ids of users whose line manager is `managerId` or whose department `managerId` manages. */
export async function findManagedUserIds(db: TimeDb, orgId: string, managerId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('directory_users as u')
    .leftJoin('directory_departments as d', (j) => j.onRef('d.id', '=', 'u.department_id').onRef('d.org_id', '=', 'u.org_id'))
    .select('u.id')
    .where('u.org_id', '=', orgId)
    .where((eb) => eb.or([eb('u.manager_id', '=', managerId), eb('d.manager_id', '=', managerId)]))
    .execute();
  return rows.map((r) => r.id);
}
