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

/** The sandbox organizations of the given live organizations (at most one each). */
export async function findSandboxesOf(db: PeopleDb, liveOrgIds: readonly string[]): Promise<OrganizationRow[]> {
  if (liveOrgIds.length === 0) return [];
  return db.selectFrom('organizations').selectAll().where('sandbox_of', 'in', liveOrgIds).execute();
}

/**
 * The sandbox of the live organization `live`, created (named `<name> (sandbox)`, with the
 * live organization's time zone, country, leave year and full-time week) when it has none yet. Locks the
 * live organization's row, so two first test keys create one sandbox; call it in a
 * transaction. `created` says whether this call made it (to be published).
 */
export async function findOrCreateSandbox(db: PeopleDb, live: OrganizationRow): Promise<{ sandbox: OrganizationRow; created: boolean }> {
  await lockOrganization(db, live.id);
  const [existing] = await findSandboxesOf(db, [live.id]);
  if (existing) return { sandbox: existing, created: false };
  const sandbox = await insertOrganization(db, {
    name: `${live.name} (sandbox)`,
    time_zone: live.time_zone,
    country: live.country,
    leave_year_start_month: live.leave_year_start_month,
    full_time_weekly_hours: live.full_time_weekly_hours,
    sandbox_of: live.id,
  });
  return { sandbox, created: true };
}
