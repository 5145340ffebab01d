import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('request_windows')
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('window_start', 'timestamptz', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull().check(sql`count >= 0`))
    .addPrimaryKeyConstraint('request_windows_pkey', ['subject', 'window_start'])
    .execute();
  // Pruning deletes by age.
  await sql`create index request_windows_window_start_idx on request_windows (window_start)`.execute(db);
  await db.schema
    .createTable('cost_budgets')
    .addColumn('subject', 'text', (c) => c.primaryKey())
    .addColumn('available', 'numeric', (c) => c.notNull().check(sql`available >= 0`))
    .addColumn('refilled_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_charge', 'numeric')
    .execute();
  await sql`create index cost_budgets_refilled_at_idx on cost_budgets (refilled_at)`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('migrations are append-only');
}
