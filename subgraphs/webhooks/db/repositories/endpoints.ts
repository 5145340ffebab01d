import { sql, type Selectable, type Transaction } from 'kysely';
import { cursorConditions, readOrder, type PageArgs } from '../../../shared/pagination.ts';
import type { EndpointsTable, WebhooksDatabase, WebhooksDb } from '../database.ts';

type Db = WebhooksDb | Transaction<WebhooksDatabase>;
export type EndpointRow = Selectable<EndpointsTable>;

export async function insertEndpoint(
  db: Db,
  values: { orgId: string; url: string; description: string | null; eventTypes: string[]; enabled: boolean; secret: string },
): Promise<EndpointRow> {
  return db
    .insertInto('endpoints')
    .values({
      org_id: values.orgId,
      url: values.url,
      description: values.description,
      event_types: values.eventTypes,
      enabled: values.enabled,
      secret: values.secret,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findEndpoint(db: Db, orgId: string, id: string): Promise<EndpointRow | undefined> {
  return db.selectFrom('endpoints').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

/** An organization's endpoints, oldest first, `limit` between the page's cursors (reversed for a backward page). */
export async function listEndpoints(db: Db, orgId: string, limit: number, args: PageArgs): Promise<EndpointRow[]> {
  const dir = readOrder(args);
  const query = db.selectFrom('endpoints').selectAll().where('org_id', '=', orgId).where(cursorConditions([sql`created_at`, sql`id`], args, ['timestamp', 'uuid']));
  return query.orderBy('created_at', dir).orderBy('id', dir).limit(limit).execute();
}

export async function countEndpoints(db: Db, orgId: string): Promise<number> {
  const row = await db.selectFrom('endpoints').select((eb) => eb.fn.countAll<number>().as('n')).where('org_id', '=', orgId).executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function updateEndpoint(
  db: Db,
  orgId: string,
  id: string,
  changes: Partial<Pick<EndpointRow, 'url' | 'description' | 'event_types' | 'enabled' | 'disabled_reason' | 'secret' | 'previous_secret' | 'previous_secret_expires_at' | 'failing_since'>>,
): Promise<EndpointRow | undefined> {
  return db
    .updateTable('endpoints')
    .set({ ...changes, updated_at: new Date() })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

export async function deleteEndpoint(db: Db, orgId: string, id: string): Promise<boolean> {
  const result = await db.deleteFrom('endpoints').where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Enabled endpoints of an organization subscribed to `type` (an empty list subscribes to all). */
export async function matchingEndpoints(db: Db, orgId: string, type: string): Promise<{ id: string }[]> {
  return db
    .selectFrom('endpoints')
    .select('id')
    .where('org_id', '=', orgId)
    .where('enabled', '=', true)
    .where((eb) => eb.or([sql<boolean>`cardinality(event_types) = 0`, sql<boolean>`${type} = any(event_types)`]))
    .orderBy('id')
    .execute();
}
