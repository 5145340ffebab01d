import { sql, type Kysely } from 'kysely';

// Per-key policies the gateway enforces, sandbox (test-mode) organizations, and the
// trusted documents a key may be restricted to.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('api_keys')
    .addColumn('mode', 'text', (c) => c.notNull().defaultTo('live').check(sql`mode in ('live', 'test')`))
    // Normalised CIDR ranges; empty: any address.
    .addColumn('ip_allowlist', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
    // Null: the organization's default limit.
    .addColumn('requests_per_hour', 'integer', (c) => c.check(sql`requests_per_hour between 1 and 1000000`))
    .addColumn('trusted_documents_only', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();

  // A sandbox belongs to one live organization, which has at most one sandbox.
  await db.schema
    .alterTable('organizations')
    .addColumn('sandbox_of', 'uuid', (c) => c.references('organizations.id').onDelete('cascade'))
    .execute();
  await sql`alter table organizations add constraint organizations_sandbox_of_key unique (sandbox_of)`.execute(db);
  // A sandbox cannot have a sandbox, which a check constraint cannot see (it spans two rows).
  // Two generated columns let a foreign key say it: a sandbox's (sandbox_of, false) must
  // match its parent's (id, is_sandbox), so the parent is not a sandbox, an organization
  // cannot be its own sandbox, and an organization with a sandbox cannot become one.
  await sql`alter table organizations
    add column is_sandbox boolean generated always as (sandbox_of is not null) stored,
    add column sandbox_of_is_sandbox boolean generated always as (case when sandbox_of is not null then false end) stored`.execute(db);
  await sql`alter table organizations add constraint organizations_id_is_sandbox_key unique (id, is_sandbox)`.execute(db);
  await sql`alter table organizations add constraint organizations_sandbox_of_live_fk
    foreign key (sandbox_of, sandbox_of_is_sandbox) references organizations (id, is_sandbox)`.execute(db);

  await db.schema
    .createTable('trusted_documents')
    .addColumn('org_id', 'uuid', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    // `sha256:` and the hex SHA-256 of the exact body.
    .addColumn('id', 'text', (c) => c.notNull().check(sql`id ~ '^sha256:[0-9a-f]{64}$'`))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_by', 'uuid')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('trusted_documents_pkey', ['org_id', 'id'])
    .addForeignKeyConstraint('trusted_documents_created_by_fk', ['org_id', 'created_by'], 'users', ['org_id', 'id'])
    .execute();
  await sql`create index trusted_documents_org_name_idx on trusted_documents (org_id, name, id)`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('migrations are append-only');
}
