import { sql } from 'kysely';
import { cursorConditions, readOrder, type PageArgs } from '../../../shared/pagination.ts';
import type { PeopleDb } from '../database.ts';
import type { TrustedDocumentRow } from '../tables/trusted-documents.ts';

/** Sort key of document lists: by name, then id. */
export const trustedDocumentSortKey = (row: TrustedDocumentRow): unknown[] => [row.name, row.id];

/** One page of the organization's trusted documents by name; `limit + 1` rows tell whether a next page exists. */
export async function listTrustedDocuments(db: PeopleDb, orgId: string, limit: number, args: PageArgs): Promise<TrustedDocumentRow[]> {
  const q = db.selectFrom('trusted_documents').selectAll().where('org_id', '=', orgId);
  const dir = readOrder(args);
  return q.where(cursorConditions([sql.ref('name'), sql.ref('id')], args, ['text', 'text'])).orderBy('name', dir).orderBy('id', dir).limit(limit + 1).execute();
}

export async function countTrustedDocuments(db: PeopleDb, orgId: string): Promise<number> {
  const row = await db
    .selectFrom('trusted_documents')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('org_id', '=', orgId)
    .executeTakeFirstOrThrow();
  return row.n;
}

/** The organization's documents with these ids (ids of other organizations find nothing). */
export async function findTrustedDocuments(db: PeopleDb, orgId: string, ids: readonly string[]): Promise<TrustedDocumentRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('trusted_documents').selectAll().where('org_id', '=', orgId).where('id', 'in', ids).execute();
}

/**
 * Registers `documents` for `orgId`, keeping any already registered under the same id
 * (the same body) untouched, and returns the stored row of every given id, new or old.
 */
export async function insertTrustedDocuments(
  db: PeopleDb,
  orgId: string,
  createdBy: string | null,
  documents: readonly Pick<TrustedDocumentRow, 'id' | 'name' | 'body'>[],
): Promise<TrustedDocumentRow[]> {
  if (documents.length === 0) return [];
  await db
    .insertInto('trusted_documents')
    .values(documents.map((d) => ({ org_id: orgId, id: d.id, name: d.name, body: d.body, created_by: createdBy })))
    .onConflict((oc) => oc.columns(['org_id', 'id']).doNothing())
    .execute();
  return findTrustedDocuments(
    db,
    orgId,
    documents.map((d) => d.id),
  );
}

/** Deletes the organization's document `id`; undefined when it has none. */
export async function deleteTrustedDocument(db: PeopleDb, orgId: string, id: string): Promise<TrustedDocumentRow | undefined> {
  return db.deleteFrom('trusted_documents').where('org_id', '=', orgId).where('id', '=', id).returningAll().executeTakeFirst();
}
