import { sql, type Kysely } from 'kysely';

// The organization's full-time week, which hours-unit allowances are pro-rated against:
// hundredths of an hour (as working patterns), more than 0 and at most 168 (a whole week).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('organizations')
    .addColumn('full_time_weekly_hours', sql`numeric(5, 2)`, (c) =>
      c.notNull().defaultTo('40').check(sql`full_time_weekly_hours > 0 and full_time_weekly_hours <= 168`),
    )
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('migrations are append-only');
}
