import { sql, type Kysely } from 'kysely';

// Allowances follow the person: the directory learns the organization's full-time week
// (hours allowances are pro-rated against it), and the ledger records each recomputation of
// an entitlement (RECOMPUTED, its amount the change, informational: the entitlement holds it).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('directory_organizations')
    .addColumn('full_time_weekly_hours', sql`numeric(5, 2)`, (c) => c.notNull().defaultTo('40'))
    .execute();
  await sql`alter table allowance_ledger drop constraint allowance_ledger_kind_check`.execute(db);
  await sql`alter table allowance_ledger add constraint allowance_ledger_kind_check check (kind in ('ADJUSTMENT', 'ACCRUAL', 'RECOMPUTED'))`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('migrations are append-only');
}
