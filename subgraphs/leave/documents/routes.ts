import type http from 'node:http';
import { sendJson } from '../../shared/http.ts';
import type { RawRoute } from '../../shared/subgraph-server.ts';
import { isId } from '../../shared/validation.ts';
import type { DocumentSettings } from '../context.ts';
import type { LeaveDb } from '../db/database.ts';
import { findDocumentForTransfer, markDocumentUploaded, unmarkDocumentUploaded } from '../db/repositories/documents.ts';
import type { LeaveDocumentRow } from '../db/tables/leave-documents.ts';
import { DocumentTooLargeError, openDocument, removeDocument, stageDocument, verifyDocumentSignature, type DocumentOperation, type StagedDocument } from './store.ts';

export interface DocumentRoutesOptions {
  readonly db: LeaveDb;
  /** Read on every request: the public URL may be known only after start. */
  readonly settings: DocumentSettings;
  /** Clock of signature expiry. */
  readonly now: () => Date;
}

const CLIENT_GONE = new Set(['ERR_STREAM_PREMATURE_CLOSE', 'ECONNRESET', 'ECONNABORTED']);

const OPERATION_OF_METHOD: Record<string, DocumentOperation> = { PUT: 'upload', GET: 'download', HEAD: 'download' };

/** The media type of a Content-Type header, lower-cased, without parameters. */
function mediaType(header: string | undefined): string {
  return (header ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? '';
}

/** `Content-Disposition` for a download: an ASCII fallback name and the exact UTF-8 one (RFC 6266 / 5987). */
function contentDisposition(filename: string): string {
  const fallback = filename.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

/**
 * The raw routes of signed document URLs, mounted at `/documents/`:
 *
 * - `PUT /documents/:id?op=upload&expires=..&signature=..`: stores the body as the
 *   document's file. 403 for a bad or expired signature, 404 for an unknown or deleted
 *   document, 409 once uploaded, 415 unless Content-Type is the declared type, 413 above
 *   the declared size or the configured maximum. The body goes to a temporary file, is
 *   hashed (SHA-256) and renamed into place; the row records size, digest and time.
 * - `GET|HEAD /documents/:id?op=download&...`: streams the uploaded file as an
 *   attachment, never cached, never sniffed.
 */
export function createDocumentRoutes(options: DocumentRoutesOptions): RawRoute {
  const { db } = options;
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const match = /^\/documents\/([^/]+)$/.exec(url.pathname);
    const id = match?.[1];
    if (!id || !isId(id)) return sendJson(req, res, 404, { error: 'not found' });
    const op = OPERATION_OF_METHOD[req.method ?? ''];
    if (!op) {
      res.setHeader('Allow', 'GET, HEAD, PUT');
      return sendJson(req, res, 405, { error: 'use PUT to upload, GET to download' });
    }
    const problem =
      url.searchParams.get('op') === op
        ? verifyDocumentSignature(
            options.settings.signingSecret,
            op,
            id,
            { expires: url.searchParams.get('expires'), signature: url.searchParams.get('signature') },
            options.now(),
          )
        : 'bad signature';
    if (problem) return sendJson(req, res, 403, { error: problem === 'expired' ? 'this link has expired' : 'this link is not valid' });
    const document = await findDocumentForTransfer(db, id);
    if (!document) return sendJson(req, res, 404, { error: 'no such document' });
    return op === 'upload' ? upload(options, document, req, res) : download(options, document, req, res);
  };
}

async function upload(options: DocumentRoutesOptions, document: LeaveDocumentRow, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const { db, settings } = options;
  if (document.uploaded_at) return sendJson(req, res, 409, { error: 'the document has already been uploaded' });
  if (mediaType(req.headers['content-type']) !== document.content_type) {
    return sendJson(req, res, 415, { error: `Content-Type must be ${document.content_type}, as declared` });
  }
  const limit = Math.min(document.size_bytes, settings.maxBytes);
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) return sendJson(req, res, 413, { error: `the file may have at most ${limit} bytes` });

  let staged: StagedDocument;
  try {
    staged = await stageDocument(settings, document.org_id, document.id, req, limit);
  } catch (error) {
    if (error instanceof DocumentTooLargeError) return sendJson(req, res, 413, { error: `the file may have at most ${limit} bytes` });
    // The client went away mid-upload: nothing was kept, and there is no one to answer.
    if (CLIENT_GONE.has((error as NodeJS.ErrnoException).code ?? '')) return void res.destroy();
    throw error;
  }
  // The row is claimed before the file moves into place: of two uploads at once, one wins.
  const row = await markDocumentUploaded(db, document.id, { sizeBytes: staged.sizeBytes, sha256: staged.sha256, uploadedAt: new Date() });
  if (!row) {
    await staged.discard();
    return sendJson(req, res, 409, { error: 'the document has already been uploaded or was deleted' });
  }
  try {
    await staged.commit();
  } catch (error) {
    await unmarkDocumentUploaded(db, document.id, document.size_bytes);
    await staged.discard();
    throw error;
  }
  // Deleted between the claim and the rename: the delete removed no file, so remove it here.
  if (!(await findDocumentForTransfer(db, document.id))) {
    await removeDocument(settings, document.org_id, document.id);
    return sendJson(req, res, 404, { error: 'no such document' });
  }
  sendJson(req, res, 200, { id: row.id, sizeBytes: row.size_bytes, sha256: row.sha256, uploadedAt: row.uploaded_at });
}

async function download(options: DocumentRoutesOptions, document: LeaveDocumentRow, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const file = document.uploaded_at ? await openDocument(options.settings, document.org_id, document.id) : null;
  if (!file) return sendJson(req, res, 404, { error: 'the document has not been uploaded' });
  res.writeHead(200, {
    'Content-Type': document.content_type,
    'Content-Length': String(file.sizeBytes),
    'Content-Disposition': contentDisposition(document.filename),
    'Cache-Control': 'private, no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  if (req.method === 'HEAD') {
    file.stream.destroy();
    res.end();
    return;
  }
  file.stream.on('error', () => res.destroy());
  file.stream.pipe(res);
}
