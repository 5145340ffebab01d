import { sql, type Kysely } from 'kysely';

// Hours worked can be corrected: a changed day moves its accrual by the difference with an
// ACCRUAL_CORRECTION line. `source_group` names the day (the time subgraph's entry id), so
// every line of one day is found by an index, whatever its revision.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table allowance_ledger drop constraint if exists allowance_ledger_kind_check`.execute(db);
  await sql`alter table allowance_ledger add constraint allowance_ledger_kind_check check (kind in ('ADJUSTMENT', 'ACCRUAL', 'RECOMPUTED', 'ACCRUAL_CORRECTION'))`.execute(db);
  await sql`alter table allowance_ledger add column source_group text`.execute(db);
  await sql`create index allowance_ledger_source_group_idx on allowance_ledger (org_id, source_group) where source_group is not null`.execute(db);
}
