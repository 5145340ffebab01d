import { sql, type Kysely } from 'kysely';

// Tenancy is enforced by the database too: references between rows are composite
// foreign keys on (org_id, id). Hours are numeric, never floats.
export async function up(db: Kysely<unknown>): Promise<void> {
  // The local directory: what time knows of people, built from people's events only.
  await db.schema
    .createTable('directory_organizations')
    .addColumn('org_id', 'uuid', (c) => c.primaryKey())
    .addColumn('time_zone', 'text', (c) => c.notNull())
    .addColumn('last_event_id', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('directory_departments')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('org_id', 'uuid', (c) => c.notNull())
    .addColumn('manager_id', 'uuid')
    .addColumn('active', 'boolean', (c) => c.notNull())
    .addColumn('last_event_id', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('directory_departments_org_id_id_key', ['org_id', 'id'])
    .execute();
  await db.schema
    .createTable('directory_users')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('org_id', 'uuid', (c) => c.notNull())
    .addColumn('department_id', 'uuid')
    .addColumn('manager_id', 'uuid')
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('employment_type', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text')
    .addColumn('active', 'boolean', (c) => c.notNull())
    .addColumn('last_event_id', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('directory_users_org_id_id_key', ['org_id', 'id'])
    .execute();
  await sql`create index directory_users_department_idx on directory_users (org_id, department_id)`.execute(db);
  await sql`create index directory_users_external_idx on directory_users (org_id, external_id) where external_id is not null`.execute(db);

  // Time's own organization settings; no row: the defaults.
  await db.schema
    .createTable('time_settings')
    .addColumn('org_id', 'uuid', (c) => c.primaryKey())
    // Months after the overtime date until TOIL expires; null: never.
    .addColumn('toil_expiry_months', 'integer', (c) => c.check(sql`toil_expiry_months between 1 and 120`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('overtime_types')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('org_id', 'uuid', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('colour', 'text')
    .addColumn('compensation', 'text', (c) => c.notNull().check(sql`compensation in ('TOIL', 'PAID')`))
    .addColumn('toil_multiplier', 'numeric(4, 2)')
    .addColumn('retired_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('overtime_types_org_id_id_key', ['org_id', 'id'])
    .addCheckConstraint('overtime_types_multiplier_check', sql`(compensation = 'TOIL') = (toil_multiplier is not null)`)
    .execute();
  await sql`create unique index overtime_types_org_code_key on overtime_types (org_id, lower(code)) where retired_at is null`.execute(db);
  await sql`create unique index overtime_types_org_name_key on overtime_types (org_id, lower(name)) where retired_at is null`.execute(db);

  await db.schema
    .createTable('overtime_submissions')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('org_id', 'uuid', (c) => c.notNull())
    .addColumn('user_id', 'uuid', (c) => c.notNull())
    // The person's department when the submission was made (filters, reports).
    .addColumn('department_id', 'uuid')
    .addColumn('overtime_type_id', 'uuid', (c) => c.notNull())
    .addColumn('date', 'date', (c) => c.notNull())
    .addColumn('hours', 'numeric(6, 2)', (c) => c.notNull().check(sql`hours > 0 and hours <= 24`))
    .addColumn('start_time', 'text')
    .addColumn('end_time', 'text')
    .addColumn('description', 'text')
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('PENDING', 'APPROVED', 'REJECTED', 'CANCELLED')`))
    .addColumn('toil_hours_accrued', 'numeric(9, 4)')
    .addColumn('decided_by', 'uuid')
    .addColumn('decided_at', 'timestamptz')
    .addColumn('decision_note', 'text')
    .addColumn('created_by', 'uuid')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('overtime_submissions_org_id_id_key', ['org_id', 'id'])
    .addForeignKeyConstraint('overtime_submissions_type_fk', ['org_id', 'overtime_type_id'], 'overtime_types', ['org_id', 'id'])
    .execute();
  await sql`create index overtime_submissions_user_idx on overtime_submissions (org_id, user_id, date)`.execute(db);
  await sql`create index overtime_submissions_list_idx on overtime_submissions (org_id, date desc, id desc)`.execute(db);

  await db.schema
    .createTable('overtime_submission_history')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('org_id', 'uuid', (c) => c.notNull())
    .addColumn('submission_id', 'uuid', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull().check(sql`action in ('CREATED', 'UPDATED', 'APPROVED', 'REJECTED', 'CANCELLED')`))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'uuid')
    .addColumn('note', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`clock_timestamp()`))
    .addForeignKeyConstraint('overtime_history_submission_fk', ['org_id', 'submission_id'], 'overtime_submissions', ['org_id', 'id'], (fk) => fk.onDelete('cascade'))
    .execute();
  await sql`create index overtime_history_submission_idx on overtime_submission_history (submission_id, created_at)`.execute(db);

  // A lot: TOIL earned at once (an approved TOIL submission, or an admin's credit), used oldest first.
  await db.schema
    .createTable('toil_lots')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('org_id', 'uuid', (c) => c.notNull())
    .addColumn('user_id', 'uuid', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull().check(sql`source in ('OVERTIME', 'ADJUSTMENT')`))
    .addColumn('submission_id', 'uuid')
    .addColumn('earned_on', 'date', (c) => c.notNull())
    .addColumn('hours', 'numeric(9, 4)', (c) => c.notNull().check(sql`hours > 0`))
    .addColumn('used', 'numeric(9, 4)', (c) => c.notNull().defaultTo(0))
    // First day on which the lot can no longer be used; null: never expires.
    .addColumn('expires_on', 'date')
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('toil_lots_org_id_id_key', ['org_id', 'id'])
    .addForeignKeyConstraint('toil_lots_submission_fk', ['org_id', 'submission_id'], 'overtime_submissions', ['org_id', 'id'])
    .addCheckConstraint('toil_lots_used_check', sql`used >= 0 and used <= hours`)
    .execute();
  await sql`create index toil_lots_user_idx on toil_lots (org_id, user_id, earned_on, created_at, id)`.execute(db);
  await sql`create unique index toil_lots_submission_key on toil_lots (org_id, submission_id) where submission_id is not null`.execute(db);

  // Every movement of TOIL hours, signed: ACCRUED +, USED -, RETURNED +, REVOKED -.
  await db.schema
    .createTable('toil_ledger')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('org_id', 'uuid', (c) => c.notNull())
    .addColumn('user_id', 'uuid', (c) => c.notNull())
    .addColumn('lot_id', 'uuid', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('ACCRUED', 'USED', 'RETURNED', 'REVOKED')`))
    .addColumn('hours', 'numeric(9, 4)', (c) => c.notNull())
    .addColumn('effective_date', 'date', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    // What caused it: a submission, a leave request, an adjustment's id.
    .addColumn('source_id', 'text')
    .addColumn('created_by', 'uuid')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`clock_timestamp()`))
    .addForeignKeyConstraint('toil_ledger_lot_fk', ['org_id', 'lot_id'], 'toil_lots', ['org_id', 'id'])
    .execute();
  await sql`create index toil_ledger_user_idx on toil_ledger (org_id, user_id, created_at, id)`.execute(db);

  // One row per person and day: the last hours recorded; `revision` counts replacements.
  await db.schema
    .createTable('hours_worked')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('org_id', 'uuid', (c) => c.notNull())
    .addColumn('user_id', 'uuid', (c) => c.notNull())
    .addColumn('date', 'date', (c) => c.notNull())
    .addColumn('hours', 'numeric(6, 2)', (c) => c.notNull().check(sql`hours >= 0 and hours <= 24`))
    .addColumn('leave_type_id', 'uuid')
    .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('recorded_by', 'uuid')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('hours_worked_org_user_date_key', ['org_id', 'user_id', 'date'])
    .execute();
}
