import { sql, type Insertable } from 'kysely';
import type { LeaveDb } from '../database.ts';
import type { LeaveDocumentRow, LeaveDocumentsTable } from '../tables/leave-documents.ts';

/** A document with the person whose request it belongs to (who may download it depends on them). */
export type DocumentWithOwnerRow = LeaveDocumentRow & { request_user_id: string };

function withOwner(db: LeaveDb) {
  return db
    .selectFrom('leave_documents as doc')
    .innerJoin('leave_requests as r', (j) => j.onRef('r.org_id', '=', 'doc.org_id').onRef('r.id', '=', 'doc.request_id'))
    .selectAll('doc')
    .select('r.user_id as request_user_id')
    .where('doc.deleted_at', 'is', null);
}

/** Registers a document (not yet uploaded). */
export async function insertLeaveDocument(db: LeaveDb, values: Insertable<LeaveDocumentsTable>): Promise<LeaveDocumentRow> {
  return db.insertInto('leave_documents').values(values).returningAll().executeTakeFirstOrThrow();
}

/**
 * Registers a document unless its request already has `max` (not deleted): the request's
 * row is locked first, so two registrations at once cannot both take the last place.
 * Undefined when the request is full.
 */
export async function insertLeaveDocumentIfRoom(db: LeaveDb, values: Insertable<LeaveDocumentsTable>, max: number): Promise<LeaveDocumentRow | undefined> {
  return db.transaction().execute(async (trx) => {
    await trx.selectFrom('leave_requests').select('id').where('org_id', '=', values.org_id).where('id', '=', values.request_id).forUpdate().executeTakeFirst();
    const { n } = await trx
      .selectFrom('leave_documents')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('org_id', '=', values.org_id)
      .where('request_id', '=', values.request_id)
      .where('deleted_at', 'is', null)
      .executeTakeFirstOrThrow();
    if (n >= max) return undefined;
    return insertLeaveDocument(trx, values);
  });
}

/** A document of the organization that is not deleted, with its request's person; `id` must be a uuid. */
export async function findLeaveDocument(db: LeaveDb, orgId: string, id: string): Promise<DocumentWithOwnerRow | undefined> {
  return withOwner(db).where('doc.org_id', '=', orgId).where('doc.id', '=', id).executeTakeFirst();
}

/** The documents (not deleted) of several requests of the organization, oldest first. */
export async function findDocumentsOfRequests(db: LeaveDb, orgId: string, requestIds: readonly string[]): Promise<DocumentWithOwnerRow[]> {
  if (requestIds.length === 0) return [];
  return withOwner(db)
    .where('doc.org_id', '=', orgId)
    .where('doc.request_id', 'in', requestIds)
    .orderBy('doc.created_at')
    .orderBy('doc.id')
    .execute();
}

/**
 * A document by id alone, for the signed routes (the signature names the id, the row names
 * the organization); undefined when unknown or deleted.
 */
export async function findDocumentForTransfer(db: LeaveDb, id: string): Promise<LeaveDocumentRow | undefined> {
  return db.selectFrom('leave_documents').selectAll().where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
}

/**
 * Records the upload of a document not yet uploaded nor deleted: its real size and digest.
 * Undefined when another upload won, or the document was deleted meanwhile.
 */
export async function markDocumentUploaded(
  db: LeaveDb,
  id: string,
  values: { sizeBytes: number; sha256: string; uploadedAt: Date },
): Promise<LeaveDocumentRow | undefined> {
  return db
    .updateTable('leave_documents')
    .set({ size_bytes: values.sizeBytes, sha256: values.sha256, uploaded_at: values.uploadedAt })
    .where('id', '=', id)
    .where('uploaded_at', 'is', null)
    .where('deleted_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

/** Takes back an upload whose file could not be stored (restoring the declared size), so it can be tried again. */
export async function unmarkDocumentUploaded(db: LeaveDb, id: string, declaredSizeBytes: number): Promise<void> {
  await db.updateTable('leave_documents').set({ size_bytes: declaredSizeBytes, sha256: null, uploaded_at: null }).where('id', '=', id).execute();
}

/** Marks a document deleted; undefined when it already was or does not exist in the organization. */
export async function softDeleteLeaveDocument(db: LeaveDb, orgId: string, id: string, now: Date): Promise<LeaveDocumentRow | undefined> {
  return db
    .updateTable('leave_documents')
    .set({ deleted_at: now })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}
