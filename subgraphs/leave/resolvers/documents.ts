import { badInput, conflict, forbidden, notFound } from '../../shared/errors.ts';
import { isId, requireText } from '../../shared/validation.ts';
import type { LeaveContext } from '../context.ts';
import { findDocumentsOfRequests, findLeaveDocument, insertLeaveDocumentIfRoom, softDeleteLeaveDocument, type DocumentWithOwnerRow } from '../db/repositories/documents.ts';
import { maySeeLeaveOfId } from '../domain/access.ts';
import { removeDocument, signDocumentUrl } from '../documents/store.ts';
import { groupedBy } from '../loaders.ts';
import { leaveRequestLoader } from './leave-requests.ts';
import type { Resolvers } from '../generated/graphql.ts';

/** Most documents (not deleted) one leave request holds (`LeaveRequest.documents`). */
export const MAX_DOCUMENTS_PER_REQUEST = 20;

/** Media types a document may have. */
export const DOCUMENT_CONTENT_TYPES: readonly string[] = ['application/pdf', 'image/png', 'image/jpeg', 'image/heic', 'text/plain'];

/** A document as the API shows it, with the request's person (who may download it depends on them). */
function toLeaveDocument(row: DocumentWithOwnerRow) {
  return {
    id: row.id,
    requestUserId: row.request_user_id,
    filename: row.filename,
    contentType: row.content_type,
    sizeBytes: row.size_bytes,
    uploaded: row.uploaded_at !== null,
    uploadedAt: row.uploaded_at,
    deleted: row.deleted_at !== null,
    createdAt: row.created_at,
  };
}
export type LeaveDocumentModel = ReturnType<typeof toLeaveDocument>;

interface RequestDocumentUploadInput {
  leaveRequestId: string;
  filename: string;
  contentType: string;
  sizeBytes: number;
}

/** Only the requester and admins may add or remove documents. */
function requireRequesterOrAdmin(ctx: LeaveContext, requesterId: string, action: string): void {
  if (ctx.identity.role !== 'ADMIN' && ctx.identity.userId !== requesterId) throw forbidden(`only the requester and admins may ${action}`);
}

function validateUpload(ctx: LeaveContext, input: RequestDocumentUploadInput) {
  const filename = requireText('input.filename', input.filename, 1, 200);
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[/\\\u0000-\u001f\u007f]/.test(filename)) throw badInput('input.filename', 'INVALID_FORMAT', 'must be a plain file name: no path separators or control characters');
  const contentType = input.contentType.trim().toLowerCase();
  if (!DOCUMENT_CONTENT_TYPES.includes(contentType)) throw badInput('input.contentType', 'INVALID_VALUE', `must be one of ${DOCUMENT_CONTENT_TYPES.join(', ')}`);
  const maxBytes = ctx.services.documents.maxBytes;
  if (!Number.isInteger(input.sizeBytes) || input.sizeBytes < 1 || input.sizeBytes > maxBytes) {
    throw badInput('input.sizeBytes', 'OUT_OF_RANGE', `must be from 1 to ${maxBytes} bytes (the largest file accepted)`);
  }
  return { filename, contentType, sizeBytes: input.sizeBytes };
}

/** The document `id` of the caller's organization, when the caller may see its request; NOT_FOUND otherwise. */
async function requireVisibleDocument(ctx: LeaveContext, id: string): Promise<DocumentWithOwnerRow> {
  const row = isId(id) ? await findLeaveDocument(ctx.db, ctx.identity.orgId, id) : undefined;
  if (!row || !(await maySeeLeaveOfId(ctx, row.request_user_id))) throw notFound('LeaveDocument', id);
  return row;
}

/** Per-request loader of requests' documents, one SQL statement per batch. */
function documentsOfRequest(ctx: LeaveContext) {
  return ctx.loaders.get('documents.ofRequest', () =>
    groupedBy((ids) => findDocumentsOfRequests(ctx.db, ctx.identity.orgId, ids), (row) => row.request_id),
  );
}

/** Document registration and removal, `LeaveRequest.documents` and signed `LeaveDocument.downloadUrl`. */
export const documentResolvers = {
  LeaveRequest: {
    documents: async (request: { id: string }, _: unknown, ctx: LeaveContext) => (await documentsOfRequest(ctx).load(request.id)).map(toLeaveDocument),
  },
  LeaveDocument: {
    downloadUrl: async (document: LeaveDocumentModel, _: unknown, ctx: LeaveContext) => {
      if (!document.uploaded || document.deleted) return null;
      if (!(await maySeeLeaveOfId(ctx, document.requestUserId))) return null;
      return signDocumentUrl(ctx.services.documents, 'download', document.id, ctx.services.now()).url;
    },
  },
  Mutation: {
    requestLeaveDocumentUpload: async (_: unknown, { input }: { input: RequestDocumentUploadInput }, ctx: LeaveContext) => {
      const request = isId(input.leaveRequestId) ? await leaveRequestLoader(ctx).load(input.leaveRequestId) : null;
      if (!request || !(await maySeeLeaveOfId(ctx, request.user_id))) throw notFound('LeaveRequest', input.leaveRequestId);
      requireRequesterOrAdmin(ctx, request.user_id, 'attach documents');
      const values = validateUpload(ctx, input);
      const row = await insertLeaveDocumentIfRoom(
        ctx.db,
        {
          org_id: ctx.identity.orgId,
          request_id: request.id,
          filename: values.filename,
          content_type: values.contentType,
          size_bytes: values.sizeBytes,
          created_by: ctx.identity.userId,
        },
        MAX_DOCUMENTS_PER_REQUEST,
      );
      // `LeaveRequest.documents` is a plain list: this bound keeps it short (said in the SDL).
      if (!row) {
        throw conflict(`the request already has ${MAX_DOCUMENTS_PER_REQUEST} documents: delete one before attaching another`, {
          rule: 'TOO_MANY_DOCUMENTS',
          max: MAX_DOCUMENTS_PER_REQUEST,
        });
      }
      const signed = signDocumentUrl(ctx.services.documents, 'upload', row.id, ctx.services.now());
      return {
        document: toLeaveDocument({ ...row, request_user_id: request.user_id }),
        uploadUrl: signed.url,
        method: 'PUT',
        expiresAt: signed.expiresAt,
      };
    },
    deleteLeaveDocument: async (_: unknown, { id }: { id: string }, ctx: LeaveContext) => {
      const document = await requireVisibleDocument(ctx, id);
      requireRequesterOrAdmin(ctx, document.request_user_id, 'remove documents');
      const row = await softDeleteLeaveDocument(ctx.db, ctx.identity.orgId, document.id, ctx.services.now());
      if (!row) throw notFound('LeaveDocument', id);
      await removeDocument(ctx.services.documents, row.org_id, row.id);
      return toLeaveDocument({ ...row, request_user_id: document.request_user_id });
    },
  },
} satisfies Resolvers;
