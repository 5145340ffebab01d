import { sql, type Insertable, type Updateable } from 'kysely';
import { cursorConditions, readOrder, type PageArgs } from '../../../shared/pagination.ts';
import type { PeopleDb } from '../database.ts';
import type { TagRow, TagsTable } from '../tables/tags.ts';

export async function listTags(db: PeopleDb, orgId: string, limit: number, args: PageArgs): Promise<TagRow[]> {
  const q = db.selectFrom('tags').selectAll().where('org_id', '=', orgId);
  const dir = readOrder(args);
  return q.where(cursorConditions([sql.ref('name'), sql.ref('id')], args)).orderBy('name', dir).orderBy('id', dir).limit(limit + 1).execute();
}

export async function countTags(db: PeopleDb, orgId: string): Promise<number> {
  const row = await db.selectFrom('tags').select(sql<number>`count(*)::int`.as('n')).where('org_id', '=', orgId).executeTakeFirstOrThrow();
  return row.n;
}

export async function findTags(db: PeopleDb, orgId: string, ids: readonly string[]): Promise<TagRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('tags').selectAll().where('org_id', '=', orgId).where('id', 'in', ids).execute();
}

export async function findTagIdByName(db: PeopleDb, orgId: string, name: string, exceptId?: string): Promise<string | undefined> {
  let q = db.selectFrom('tags').select('id').where('org_id', '=', orgId).where(sql`lower(name)`, '=', name.toLowerCase());
  if (exceptId) q = q.where('id', '<>', exceptId);
  return (await q.executeTakeFirst())?.id;
}

export async function insertTag(db: PeopleDb, values: Insertable<TagsTable>): Promise<TagRow> {
  return db.insertInto('tags').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function updateTag(db: PeopleDb, orgId: string, id: string, patch: Updateable<TagsTable>): Promise<TagRow> {
  return db.updateTable('tags').set(patch).where('org_id', '=', orgId).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

/** Deletes a tag (its assignments go with it). */
export async function deleteTag(db: PeopleDb, orgId: string, id: string): Promise<TagRow> {
  return db.deleteFrom('tags').where('org_id', '=', orgId).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

/** Tags of each of `userIds`, as (user id, tag row) pairs, by tag name. */
export async function findTagsOfUsers(
  db: PeopleDb,
  orgId: string,
  userIds: readonly string[],
): Promise<(TagRow & { user_id: string })[]> {
  if (userIds.length === 0) return [];
  return db
    .selectFrom('user_tags as ut')
    .innerJoin('tags as t', 't.id', 'ut.tag_id')
    .selectAll('t')
    .select('ut.user_id')
    .where('ut.org_id', '=', orgId)
    .where('ut.user_id', 'in', userIds)
    .orderBy('t.name')
    .execute();
}
