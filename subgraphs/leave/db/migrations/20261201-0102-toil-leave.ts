import { sql, type Kysely } from 'kysely';

// Taking TOIL as leave: a leave type may draw on TOIL (hours) instead of an allowance.
// Leave keeps a projection of each person's TOIL lots from the time subgraph's
// `toil.changed` snapshots, and marks an approved TOIL request applied once time's
// snapshot says it consumed the lots for it.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table leave_types add column draws_on_toil boolean not null default false`.execute(db);
  await sql`alter table leave_types add constraint leave_types_toil_check check (not draws_on_toil or (unit = 'HOURS' and not deducts_from_allowance))`.execute(db);
  await sql`alter table leave_requests add column toil_applied boolean not null default false`.execute(db);
  await db.schema
    .createTable('toil_balances')
    .addColumn('org_id', 'uuid', (c) => c.notNull())
    .addColumn('user_id', 'uuid', (c) => c.notNull())
    // The person's live lots: [{ id, earnedOn, hours, used, expiresOn }], decimal strings.
    .addColumn('lots', 'jsonb', (c) => c.notNull())
    .addColumn('last_event_id', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('toil_balances_pkey', ['org_id', 'user_id'])
    .execute();
}
