import type { Insertable, Updateable } from 'kysely';
import type { PeopleDb } from '../database.ts';
import type { OrganizationRow, OrganizationsTable } from '../tables/organizations.ts';

export async function findOrganizations(db: PeopleDb, ids: readonly string[]): Promise<OrganizationRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('organizations').selectAll().where('id', 'in', ids).execute();
}

export async function insertOrganization(db: PeopleDb, values: Insertable<OrganizationsTable>): Promise<OrganizationRow> {
  return db.insertInto('organizations').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function updateOrganization(
  db: PeopleDb,
  id: string,
  patch: Updateable<OrganizationsTable>,
): Promise<OrganizationRow> {
  return db
    .updateTable('organizations')
    .set({ ...patch, updated_at: new Date() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Locks the organization's row for the transaction: serializes changes that must see each other (manager chains). */
export async function lockOrganization(db: PeopleDb, id: string): Promise<void> {
  await db.selectFrom('organizations').select('id').where('id', '=', id).forUpdate().execute();
}
