import type { Insertable, Updateable } from 'kysely';
import type { PeopleDb } from '../database.ts';
import type { SiteRow, SitesTable } from '../tables/sites.ts';

export async function insertSite(db: PeopleDb, values: Insertable<SitesTable>): Promise<SiteRow> {
  return db.insertInto('sites').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function updateSite(db: PeopleDb, orgId: string, id: string, patch: Updateable<SitesTable>): Promise<SiteRow> {
  return db
    .updateTable('sites')
    .set({ ...patch, updated_at: new Date() })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}
