import { sql, type Kysely } from 'kysely';

/**
 * A key with its own hourly limit counts in its organization's window and in its own: both
 * counts live in the organization's row (`key_counts`, by key subject), so one upsert locks one
 * row and decides on both. `last_counted` tells the admission whether it was counted.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('request_windows')
    .addColumn('key_counts', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .execute();
  await db.schema.alterTable('request_windows').addColumn('last_counted', 'boolean').execute();
}

export async function down(): Promise<void> {
  throw new Error('migrations are append-only');
}
