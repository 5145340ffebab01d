import { sql, type Insertable } from 'kysely';
import { cursorConditions, readOrder, type PageArgs } from '../../../shared/pagination.ts';
import type { PeopleDb } from '../database.ts';
import type { UserNoteRow, UserNotesTable } from '../tables/user-notes.ts';

/** Sort key of note lists: creation time, id. */
export const noteSortKey = (row: UserNoteRow): unknown[] => [row.created_at.toISOString(), row.id];

export async function listUserNotes(db: PeopleDb, orgId: string, userId: string, limit: number, args: PageArgs): Promise<UserNoteRow[]> {
  const q = db.selectFrom('user_notes').selectAll().where('org_id', '=', orgId).where('user_id', '=', userId);
  // Cursors carry milliseconds (`noteSortKey`); the database keeps microseconds, so order
  // and compare at the cursor's precision or a page would repeat the previous page's last note.
  const createdMs = sql`date_trunc('milliseconds', created_at)`;
  const dir = readOrder(args);
  return q.where(cursorConditions([createdMs, sql.ref('id')], args, ['timestamp', 'uuid'])).orderBy(createdMs, dir).orderBy('id', dir).limit(limit + 1).execute();
}

export async function countUserNotes(db: PeopleDb, orgId: string, userId: string): Promise<number> {
  const row = await db
    .selectFrom('user_notes')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('org_id', '=', orgId)
    .where('user_id', '=', userId)
    .executeTakeFirstOrThrow();
  return row.n;
}

export async function findUserNote(db: PeopleDb, orgId: string, id: string): Promise<UserNoteRow | undefined> {
  return db.selectFrom('user_notes').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

export async function insertUserNote(db: PeopleDb, values: Insertable<UserNotesTable>): Promise<UserNoteRow> {
  return db.insertInto('user_notes').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function deleteUserNote(db: PeopleDb, orgId: string, id: string): Promise<void> {
  await db.deleteFrom('user_notes').where('org_id', '=', orgId).where('id', '=', id).execute();
}
