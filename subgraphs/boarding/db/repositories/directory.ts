import { sql } from 'kysely';
import type { BoardingDb } from '../database.ts';
import type { DirectoryOrganizationRow, DirectoryOrganizationsTable, DirectoryUserRow, DirectoryUsersTable } from '../tables/directory.ts';

// Upserts apply a snapshot only when it is newer than what the row holds, so replaying
// or reordering events can never move the directory backwards.

export async function upsertDirectoryOrganization(db: BoardingDb, row: DirectoryOrganizationsTable): Promise<void> {
  await db
    .insertInto('directory_organizations')
    .values(row)
    .onConflict((oc) =>
      oc
        .column('org_id')
        .doUpdateSet((eb) => ({ time_zone: eb.ref('excluded.time_zone'), last_event_id: eb.ref('excluded.last_event_id') }))
        .where('directory_organizations.last_event_id', '<', sql<number>`excluded.last_event_id`),
    )
    .execute();
}

export async function upsertDirectoryUser(db: BoardingDb, row: DirectoryUsersTable): Promise<void> {
  await db
    .insertInto('directory_users')
    .values(row)
    .onConflict((oc) =>
      oc
        .column('id')
        .doUpdateSet((eb) => ({ role: eb.ref('excluded.role'), active: eb.ref('excluded.active'), last_event_id: eb.ref('excluded.last_event_id') }))
        .where('directory_users.last_event_id', '<', sql<number>`excluded.last_event_id`),
    )
    .execute();
}

/** Staff of the organization by id; other organizations' ids are not found. */
export async function findDirectoryUsers(db: BoardingDb, orgId: string, ids: readonly string[]): Promise<DirectoryUserRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('directory_users').selectAll().where('org_id', '=', orgId).where('id', 'in', ids).execute();
}

export async function findDirectoryOrganization(db: BoardingDb, orgId: string): Promise<DirectoryOrganizationRow | undefined> {
  return db.selectFrom('directory_organizations').selectAll().where('org_id', '=', orgId).executeTakeFirst();
}
