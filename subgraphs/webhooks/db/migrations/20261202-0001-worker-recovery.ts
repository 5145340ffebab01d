import { sql, type Kysely } from 'kysely';

// Crash recovery: each queue runner's heartbeat (and its graphile-worker worker ids), so a
// live runner can unlock the jobs of a dead one; and a token per claim, so an attempt whose
// lease lapsed can never record over a newer claim.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('worker_heartbeats')
    .addColumn('runner_id', 'text', (c) => c.primaryKey())
    .addColumn('worker_ids', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('started_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('heartbeat_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.alterTable('deliveries').addColumn('lease_token', 'uuid').execute();
  // Retention prunes by age.
  await db.schema.createIndex('delivery_attempts_created_idx').on('delivery_attempts').column('created_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('delivery_attempts_created_idx').execute();
  await db.schema.alterTable('deliveries').dropColumn('lease_token').execute();
  await db.schema.dropTable('worker_heartbeats').execute();
}
