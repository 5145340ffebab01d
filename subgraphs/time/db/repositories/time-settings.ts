import { sql } from 'kysely';
import type { TimeDb } from '../database.ts';
import type { TimeSettingsRow } from '../tables/time-settings.ts';

export async function findTimeSettings(db: TimeDb, orgId: string): Promise<TimeSettingsRow | undefined> {
  return db.selectFrom('time_settings').selectAll().where('org_id', '=', orgId).executeTakeFirst();
}

export async function upsertTimeSettings(db: TimeDb, orgId: string, toilExpiryMonths: number | null): Promise<TimeSettingsRow> {
  return db
    .insertInto('time_settings')
    .values({ org_id: orgId, toil_expiry_months: toilExpiryMonths })
    .onConflict((oc) => oc.column('org_id').doUpdateSet({ toil_expiry_months: toilExpiryMonths, updated_at: sql`now()` }))
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Serializes writes about one person in this transaction (hours across submissions and recorded days, TOIL use). */
export async function lockPeople(db: TimeDb, orgId: string, userIds: readonly string[]): Promise<void> {
  if (userIds.length === 0) return;
  const keys = [...new Set(userIds)].sort();
  await sql`select pg_advisory_xact_lock(hashtextextended(${orgId} || ':' || k, 7301)) from unnest(${keys}::text[]) as k order by k`.execute(db);
}
