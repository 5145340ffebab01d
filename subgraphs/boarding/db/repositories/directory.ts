import { upsertNewerSnapshot } from '../../../shared/directory-projection.ts';
import type { BoardingDb } from '../database.ts';
import type { DirectoryOrganizationRow, DirectoryOrganizationsTable, DirectoryUserRow, DirectoryUsersTable } from '../tables/directory.ts';

// Upserts apply a snapshot only when it is newer than what the row holds (upsertNewerSnapshot).

export async function upsertDirectoryOrganization(db: BoardingDb, row: DirectoryOrganizationsTable): Promise<void> {
  await upsertNewerSnapshot(db, 'directory_organizations', 'org_id', row);
}

export async function upsertDirectoryUser(db: BoardingDb, row: DirectoryUsersTable): Promise<void> {
  await upsertNewerSnapshot(db, 'directory_users', 'id', row);
}

/** Staff of the organization by id; other organizations' ids are not found. */
export async function findDirectoryUsers(db: BoardingDb, orgId: string, ids: readonly string[]): Promise<DirectoryUserRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('directory_users').selectAll().where('org_id', '=', orgId).where('id', 'in', ids).execute();
}

export async function findDirectoryOrganization(db: BoardingDb, orgId: string): Promise<DirectoryOrganizationRow | undefined> {
  return db.selectFrom('directory_organizations').selectAll().where('org_id', '=', orgId).executeTakeFirst();
}
