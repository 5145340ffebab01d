import { sql, type Kysely } from 'kysely';

// Emails are compared after Unicode NFC normalisation (NFC "josé@" and NFD "jose\u0301@" are
// one person). Stored emails are normalised once; a row whose normalised email would
// collide with another person's of the same organization is left as it is (an operator
// resolves that duplicate), so the migration never fails on existing data.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    update users set email = normalize(email, NFC)
    where email <> normalize(email, NFC)
      and not exists (
        select 1 from users other
        where other.org_id = users.org_id and other.id <> users.id and lower(other.email) = lower(normalize(users.email, NFC))
      )`.execute(db);
}

export async function down(): Promise<void> {
  // Normalisation cannot be undone (the original form is not kept), and need not be.
}
