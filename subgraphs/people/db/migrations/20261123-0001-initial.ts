import { sql, type Kysely } from 'kysely';

// Tenancy is enforced by the database as well as by queries: every cross-row reference
// is a composite foreign key on (org_id, id), so a row can never point into another
// organization.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('organizations')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('time_zone', 'text', (c) => c.notNull())
    .addColumn('country', 'text', (c) => c.notNull())
    .addColumn('leave_year_start_month', 'integer', (c) => c.notNull().defaultTo(1).check(sql`leave_year_start_month between 1 and 12`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('sites')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('org_id', 'uuid', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('time_zone', 'text')
    .addColumn('country', 'text')
    .addColumn('region', 'text')
    .addColumn('address', 'text')
    .addColumn('deactivated_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('sites_org_id_id_key', ['org_id', 'id'])
    .execute();

  await db.schema
    .createTable('departments')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('org_id', 'uuid', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('manager_id', 'uuid')
    .addColumn('deactivated_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('departments_org_id_id_key', ['org_id', 'id'])
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('org_id', 'uuid', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('first_name', 'text', (c) => c.notNull())
    .addColumn('last_name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('ADMIN', 'MANAGER', 'EMPLOYEE')`))
    .addColumn('department_id', 'uuid')
    .addColumn('manager_id', 'uuid')
    .addColumn('site_id', 'uuid')
    .addColumn('country', 'text')
    .addColumn('region', 'text')
    .addColumn('employment_start_date', 'date')
    .addColumn('employment_type', 'text', (c) =>
      c.notNull().defaultTo('FULL_TIME').check(sql`employment_type in ('FULL_TIME', 'PART_TIME', 'IRREGULAR_HOURS')`),
    )
    // Hours per weekday, Monday first: numeric, never floats.
    .addColumn('working_pattern', sql`numeric(4,2)[]`, (c) =>
      c.notNull().defaultTo(sql`'{8,8,8,8,8,0,0}'::numeric(4,2)[]`).check(sql`cardinality(working_pattern) = 7`),
    )
    .addColumn('external_id', 'text')
    .addColumn('deactivated_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('users_org_id_id_key', ['org_id', 'id'])
    .addForeignKeyConstraint('users_department_fk', ['org_id', 'department_id'], 'departments', ['org_id', 'id'])
    .addForeignKeyConstraint('users_manager_fk', ['org_id', 'manager_id'], 'users', ['org_id', 'id'])
    .addForeignKeyConstraint('users_site_fk', ['org_id', 'site_id'], 'sites', ['org_id', 'id'])
    .execute();
  await sql`create unique index users_org_email_key on users (org_id, lower(email))`.execute(db);
  await sql`create unique index users_org_external_id_key on users (org_id, external_id) where external_id is not null`.execute(db);
  await sql`create index users_org_name_idx on users (org_id, last_name, first_name, id)`.execute(db);
  await sql`create index users_org_department_idx on users (org_id, department_id)`.execute(db);
  await sql`create index users_org_manager_idx on users (org_id, manager_id)`.execute(db);

  await sql`alter table departments add constraint departments_manager_fk
    foreign key (org_id, manager_id) references users (org_id, id) deferrable initially deferred`.execute(db);
  await sql`create unique index departments_org_name_key on departments (org_id, lower(name)) where deactivated_at is null`.execute(db);
  await sql`create unique index sites_org_name_key on sites (org_id, lower(name)) where deactivated_at is null`.execute(db);

  await db.schema
    .createTable('teams')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('org_id', 'uuid', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('department_id', 'uuid')
    .addColumn('deactivated_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('teams_org_id_id_key', ['org_id', 'id'])
    .addForeignKeyConstraint('teams_department_fk', ['org_id', 'department_id'], 'departments', ['org_id', 'id'])
    .execute();
  await sql`create unique index teams_org_name_key on teams (org_id, lower(name)) where deactivated_at is null`.execute(db);

  await db.schema
    .createTable('team_members')
    .addColumn('org_id', 'uuid', (c) => c.notNull())
    .addColumn('team_id', 'uuid', (c) => c.notNull())
    .addColumn('user_id', 'uuid', (c) => c.notNull())
    .addPrimaryKeyConstraint('team_members_pkey', ['team_id', 'user_id'])
    .addForeignKeyConstraint('team_members_team_fk', ['org_id', 'team_id'], 'teams', ['org_id', 'id'], (c) => c.onDelete('cascade'))
    .addForeignKeyConstraint('team_members_user_fk', ['org_id', 'user_id'], 'users', ['org_id', 'id'], (c) => c.onDelete('cascade'))
    .execute();
  await sql`create index team_members_user_idx on team_members (user_id)`.execute(db);

  await db.schema
    .createTable('tags')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('org_id', 'uuid', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('colour', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('tags_org_id_id_key', ['org_id', 'id'])
    .execute();
  await sql`create unique index tags_org_name_key on tags (org_id, lower(name))`.execute(db);

  await db.schema
    .createTable('user_tags')
    .addColumn('org_id', 'uuid', (c) => c.notNull())
    .addColumn('user_id', 'uuid', (c) => c.notNull())
    .addColumn('tag_id', 'uuid', (c) => c.notNull())
    .addPrimaryKeyConstraint('user_tags_pkey', ['user_id', 'tag_id'])
    .addForeignKeyConstraint('user_tags_user_fk', ['org_id', 'user_id'], 'users', ['org_id', 'id'], (c) => c.onDelete('cascade'))
    .addForeignKeyConstraint('user_tags_tag_fk', ['org_id', 'tag_id'], 'tags', ['org_id', 'id'], (c) => c.onDelete('cascade'))
    .execute();
  await sql`create index user_tags_tag_idx on user_tags (tag_id)`.execute(db);

  await db.schema
    .createTable('user_notes')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('org_id', 'uuid', (c) => c.notNull())
    .addColumn('user_id', 'uuid', (c) => c.notNull())
    .addColumn('author_id', 'uuid')
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addForeignKeyConstraint('user_notes_user_fk', ['org_id', 'user_id'], 'users', ['org_id', 'id'], (c) => c.onDelete('cascade'))
    .addForeignKeyConstraint('user_notes_author_fk', ['org_id', 'author_id'], 'users', ['org_id', 'id'])
    .execute();
  await sql`create index user_notes_user_idx on user_notes (org_id, user_id, created_at, id)`.execute(db);

  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('org_id', 'uuid', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('user_id', 'uuid')
    .addColumn('name', 'text', (c) => c.notNull())
    // The first characters of the secret: shown in listings and used to find the row.
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('secret_hash', 'bytea', (c) => c.notNull())
    .addColumn('scopes', sql`text[]`, (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('last_used_at', 'timestamptz')
    .addColumn('created_by', 'uuid')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addForeignKeyConstraint('api_keys_user_fk', ['org_id', 'user_id'], 'users', ['org_id', 'id'])
    .addForeignKeyConstraint('api_keys_created_by_fk', ['org_id', 'created_by'], 'users', ['org_id', 'id'])
    .execute();
  await sql`create index api_keys_prefix_idx on api_keys (prefix)`.execute(db);
  await sql`create index api_keys_org_idx on api_keys (org_id, created_at, id)`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('migrations are append-only');
}
