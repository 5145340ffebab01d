import { sql, type Kysely } from 'kysely';

// Automatic rolls can start in the future: SCHEDULED until their start, when the boarding
// process marks them from the whereabouts at that time and completes them.
const STATEMENTS = [
  `alter table rolls drop constraint rolls_status_check`,
  `alter table rolls add constraint rolls_status_check check (status in ('SCHEDULED', 'ACTIVE', 'COMPLETE') and (status <> 'SCHEDULED' or mode = 'AUTOMATIC'))`,
  `create index rolls_due_idx on rolls (starts_at) where status = 'SCHEDULED'`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of STATEMENTS) await sql.raw(statement).execute(db);
}
