import { sql, type Kysely } from 'kysely';

// Tenancy is enforced by the database too: references between rows are composite
// foreign keys on (org_id, id). Days and hours are numeric, never floats.
export async function up(db: Kysely<unknown>): Promise<void> {
  // The local directory: what leave knows of people, built from people's events only.
  await db.schema
    .createTable('directory_organizations')
    .addColumn('org_id', 'uuid', (c) => c.primaryKey())
    .addColumn('time_zone', 'text', (c) => c.notNull())
    .addColumn('country', 'text', (c) => c.notNull())
    .addColumn('leave_year_start_month', 'integer', (c) => c.notNull())
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
    .addColumn('country', 'text')
    .addColumn('region', 'text')
    .addColumn('working_pattern', sql`numeric(4,2)[]`, (c) => c.notNull())
    .addColumn('employment_type', 'text', (c) => c.notNull())
    .addColumn('employment_start_date', 'date')
    .addColumn('active', 'boolean', (c) => c.notNull())
    .addColumn('last_event_id', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('directory_users_org_id_id_key', ['org_id', 'id'])
    .execute();
  await sql`create index directory_users_department_idx on directory_users (org_id, department_id)`.execute(db);
  await sql`create index directory_users_manager_idx on directory_users (org_id, manager_id)`.execute(db);

  await db.schema
    .createTable('leave_types')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('org_id', 'uuid', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('colour', 'text')
    .addColumn('unit', 'text', (c) => c.notNull().check(sql`unit in ('DAYS', 'HOURS')`))
    .addColumn('category', 'text', (c) => c.notNull().check(sql`category in ('VACATION', 'SICK_LEAVE', 'UNPAID_LEAVE', 'OTHER')`))
    .addColumn('paid', 'boolean', (c) => c.notNull())
    .addColumn('requires_approval', 'boolean', (c) => c.notNull())
    .addColumn('requires_document', 'boolean', (c) => c.notNull())
    .addColumn('requires_comment', 'boolean', (c) => c.notNull())
    .addColumn('half_days_allowed', 'boolean', (c) => c.notNull())
    .addColumn('deducts_from_allowance', 'boolean', (c) => c.notNull())
    .addColumn('allow_negative_balance', 'boolean', (c) => c.notNull())
    .addColumn('private', 'boolean', (c) => c.notNull())
    .addColumn('default_entitlement', 'numeric(7, 2)')
    .addColumn('deactivated_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('leave_types_org_id_id_key', ['org_id', 'id'])
    .execute();
  await sql`create unique index leave_types_org_code_key on leave_types (org_id, lower(code)) where deactivated_at is null`.execute(db);
  await sql`create unique index leave_types_org_name_key on leave_types (org_id, lower(name)) where deactivated_at is null`.execute(db);

  await db.schema
    .createTable('allowances')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('org_id', 'uuid', (c) => c.notNull())
    .addColumn('user_id', 'uuid', (c) => c.notNull())
    .addColumn('leave_type_id', 'uuid', (c) => c.notNull())
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('start_date', 'date', (c) => c.notNull())
    .addColumn('end_date', 'date', (c) => c.notNull())
    // Entitlement before pro-rating (null: the type's default) and after it.
    .addColumn('base_entitlement', 'numeric(7, 2)')
    .addColumn('entitlement', 'numeric(7, 2)', (c) => c.notNull())
    .addColumn('carried_over', 'numeric(7, 2)', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('allowances_org_id_id_key', ['org_id', 'id'])
    .addUniqueConstraint('allowances_user_type_year_key', ['org_id', 'user_id', 'leave_type_id', 'year'])
    .addForeignKeyConstraint('allowances_type_fk', ['org_id', 'leave_type_id'], 'leave_types', ['org_id', 'id'])
    .execute();

  await db.schema
    .createTable('allowance_ledger')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('org_id', 'uuid', (c) => c.notNull())
    .addColumn('allowance_id', 'uuid', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('ADJUSTMENT', 'ACCRUAL')`))
    .addColumn('amount', 'numeric(9, 4)', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('effective_date', 'date', (c) => c.notNull())
    // Idempotency key of an accrual from another subgraph (e.g. an hours-worked submission).
    .addColumn('source_id', 'text')
    .addColumn('created_by', 'uuid')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addForeignKeyConstraint('allowance_ledger_allowance_fk', ['org_id', 'allowance_id'], 'allowances', ['org_id', 'id'])
    .execute();
  await sql`create index allowance_ledger_allowance_idx on allowance_ledger (allowance_id, effective_date, id)`.execute(db);
  await sql`create unique index allowance_ledger_source_key on allowance_ledger (org_id, source_id) where source_id is not null`.execute(db);

  await db.schema
    .createTable('leave_requests')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('org_id', 'uuid', (c) => c.notNull())
    .addColumn('user_id', 'uuid', (c) => c.notNull())
    .addColumn('leave_type_id', 'uuid', (c) => c.notNull())
    // The requester's department when the request was made (for reports and coverage).
    .addColumn('department_id', 'uuid')
    .addColumn('allowance_id', 'uuid')
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('PENDING', 'APPROVED', 'REJECTED', 'CANCELLED')`))
    .addColumn('start_date', 'date', (c) => c.notNull())
    .addColumn('end_date', 'date', (c) => c.notNull())
    .addColumn('first_day_portion', 'text', (c) => c.notNull().check(sql`first_day_portion in ('FULL_DAY', 'MORNING', 'AFTERNOON')`))
    .addColumn('last_day_portion', 'text', (c) => c.notNull().check(sql`last_day_portion in ('FULL_DAY', 'MORNING', 'AFTERNOON')`))
    .addColumn('first_day_hours', 'numeric(4, 2)')
    .addColumn('last_day_hours', 'numeric(4, 2)')
    .addColumn('unit', 'text', (c) => c.notNull())
    .addColumn('amount', 'numeric(9, 4)', (c) => c.notNull())
    .addColumn('hours', 'numeric(9, 4)', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('comment', 'text')
    .addColumn('decided_by', 'uuid')
    .addColumn('decided_at', 'timestamptz')
    .addColumn('decision_note', 'text')
    .addColumn('created_by', 'uuid')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('leave_requests_org_id_id_key', ['org_id', 'id'])
    .addForeignKeyConstraint('leave_requests_type_fk', ['org_id', 'leave_type_id'], 'leave_types', ['org_id', 'id'])
    .addForeignKeyConstraint('leave_requests_allowance_fk', ['org_id', 'allowance_id'], 'allowances', ['org_id', 'id'])
    .addCheckConstraint('leave_requests_dates_check', sql`end_date >= start_date`)
    .execute();
  await sql`create index leave_requests_user_idx on leave_requests (org_id, user_id, start_date)`.execute(db);
  await sql`create index leave_requests_org_start_idx on leave_requests (org_id, start_date, id)`.execute(db);
  await sql`create index leave_requests_allowance_idx on leave_requests (allowance_id) where status in ('PENDING', 'APPROVED')`.execute(db);

  // One row per calendar day of a request: what that day deducts and why not, for
  // reports by month, coverage and who-is-out.
  await db.schema
    .createTable('leave_request_days')
    .addColumn('org_id', 'uuid', (c) => c.notNull())
    .addColumn('request_id', 'uuid', (c) => c.notNull())
    .addColumn('date', 'date', (c) => c.notNull())
    .addColumn('amount', 'numeric(9, 4)', (c) => c.notNull())
    .addColumn('hours', 'numeric(9, 4)', (c) => c.notNull())
    .addColumn('portion', 'text', (c) => c.notNull())
    .addColumn('excluded_reason', 'text')
    .addColumn('holiday_name', 'text')
    .addPrimaryKeyConstraint('leave_request_days_pkey', ['request_id', 'date'])
    .addForeignKeyConstraint('leave_request_days_request_fk', ['org_id', 'request_id'], 'leave_requests', ['org_id', 'id'], (c) =>
      c.onDelete('cascade'),
    )
    .execute();
  await sql`create index leave_request_days_org_date_idx on leave_request_days (org_id, date)`.execute(db);

  await db.schema
    .createTable('leave_request_history')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('org_id', 'uuid', (c) => c.notNull())
    .addColumn('request_id', 'uuid', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('from_status', 'text')
    .addColumn('to_status', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'uuid')
    .addColumn('note', 'text')
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`clock_timestamp()`))
    .addForeignKeyConstraint('leave_request_history_request_fk', ['org_id', 'request_id'], 'leave_requests', ['org_id', 'id'])
    .execute();
  await sql`create index leave_request_history_request_idx on leave_request_history (request_id, occurred_at)`.execute(db);

  await db.schema
    .createTable('leave_documents')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('org_id', 'uuid', (c) => c.notNull())
    .addColumn('request_id', 'uuid', (c) => c.notNull())
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('size_bytes', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text')
    .addColumn('uploaded_at', 'timestamptz')
    .addColumn('created_by', 'uuid')
    .addColumn('deleted_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addForeignKeyConstraint('leave_documents_request_fk', ['org_id', 'request_id'], 'leave_requests', ['org_id', 'id'])
    .execute();
  await sql`create index leave_documents_request_idx on leave_documents (request_id)`.execute(db);

  await db.schema
    .createTable('coverage_rules')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('org_id', 'uuid', (c) => c.notNull())
    .addColumn('department_id', 'uuid', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('minimum_percent', 'numeric(5, 2)')
    .addColumn('minimum_count', 'integer')
    .addColumn('enforcement', 'text', (c) => c.notNull().check(sql`enforcement in ('WARN', 'BLOCK')`))
    .addColumn('deleted_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('coverage_rules_minimum_check', sql`minimum_percent is not null or minimum_count is not null`)
    .execute();
  await sql`create index coverage_rules_department_idx on coverage_rules (org_id, department_id)`.execute(db);

  await db.schema
    .createTable('restricted_days')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('org_id', 'uuid', (c) => c.notNull())
    .addColumn('department_id', 'uuid')
    .addColumn('date', 'date', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('created_by', 'uuid')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create index restricted_days_org_date_idx on restricted_days (org_id, date)`.execute(db);

  await db.schema
    .createTable('closure_days')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('org_id', 'uuid', (c) => c.notNull())
    .addColumn('date', 'date', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_by', 'uuid')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('closure_days_org_date_key', ['org_id', 'date'])
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('migrations are append-only');
}
