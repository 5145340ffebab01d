import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { DocumentSettings } from '../context.ts';

/** What a signed document URL allows. */
export type DocumentOperation = 'upload' | 'download';

/** How long a signed URL works: 15 minutes. */
export const SIGNED_URL_TTL_SECONDS = 15 * 60;

function signature(secret: string, op: DocumentOperation, id: string, expires: number): string {
  return crypto.createHmac('sha256', secret).update(`${op}:${id}:${expires}`).digest('base64url');
}

/**
 * A URL on the public base URL that allows `op` on document `id` until `now` + 15 minutes:
 * `<publicUrl>/documents/<id>?op=<op>&expires=<unix seconds>&signature=<HMAC-SHA256 of
 * "op:id:expires", base64url>`.
 */
export function signDocumentUrl(settings: DocumentSettings, op: DocumentOperation, id: string, now: Date): { url: string; expiresAt: Date } {
  const expires = Math.floor(now.getTime() / 1000) + SIGNED_URL_TTL_SECONDS;
  const query = new URLSearchParams({ op, expires: String(expires), signature: signature(settings.signingSecret, op, id, expires) });
  return { url: `${settings.publicUrl}/documents/${id}?${query.toString()}`, expiresAt: new Date(expires * 1000) };
}

/** Why a signed URL is refused, or null when it is good. */
export type SignatureProblem = 'bad signature' | 'expired' | null;

/**
 * Checks a signed URL's parameters for `op` on `id` at `now` (signature compared in
 * constant time). A URL signed for another operation or document is a bad signature.
 */
export function verifyDocumentSignature(
  secret: string,
  op: DocumentOperation,
  id: string,
  params: { expires: string | null; signature: string | null },
  now: Date,
): SignatureProblem {
  if (!params.expires || !/^\d{1,12}$/.test(params.expires) || !params.signature) return 'bad signature';
  const expires = Number(params.expires);
  const expected = Buffer.from(signature(secret, op, id, expires));
  const given = Buffer.from(params.signature);
  if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) return 'bad signature';
  return expires * 1000 < now.getTime() ? 'expired' : null;
}

/** Where a document's file lives: `<directory>/<orgId>/<id>`. */
export function documentPath(settings: DocumentSettings, orgId: string, id: string): string {
  return path.join(settings.directory, orgId, id);
}

/** The body was larger than allowed. */
export class DocumentTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`the file exceeds ${limit} bytes`);
  }
}

/** A file received into a temporary place, not yet where documents are read from. */
export interface StagedDocument {
  readonly sizeBytes: number;
  readonly sha256: string;
  /** Moves the file to its place (atomically: a rename in the same directory). */
  commit(): Promise<void>;
  /** Removes the temporary file. */
  discard(): Promise<void>;
}

/**
 * Streams `body` to a temporary file beside the document's place, computing its SHA-256
 * and refusing more than `limit` bytes (DocumentTooLargeError; nothing is kept).
 */
export async function stageDocument(settings: DocumentSettings, orgId: string, id: string, body: Readable, limit: number): Promise<StagedDocument> {
  const target = documentPath(settings, orgId, id);
  await fs.promises.mkdir(path.dirname(target), { recursive: true });
  const temp = path.join(path.dirname(target), `.${id}.${crypto.randomBytes(6).toString('hex')}.part`);
  const hash = crypto.createHash('sha256');
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      if (size > limit) return done(new DocumentTooLargeError(limit));
      hash.update(chunk);
      done(null, chunk);
    },
  });
  const discard = () => fs.promises.rm(temp, { force: true });
  // Open the file before streaming: a write stream opens lazily, so a body refused at once
  // could otherwise be cleaned up before its file exists and leave the file behind.
  const handle = await fs.promises.open(temp, 'wx', 0o600);
  try {
    await pipeline(body, meter, handle.createWriteStream());
  } catch (error) {
    await handle.close().catch(() => undefined);
    await discard();
    throw error;
  }
  return { sizeBytes: size, sha256: hash.digest('hex'), commit: () => fs.promises.rename(temp, target), discard };
}

/** Opens a document's file for reading, with its size; null when there is no file. */
export async function openDocument(settings: DocumentSettings, orgId: string, id: string): Promise<{ stream: fs.ReadStream; sizeBytes: number } | null> {
  const file = documentPath(settings, orgId, id);
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    const stat = await handle.stat();
    return { stream: handle.createReadStream(), sizeBytes: stat.size };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** Removes a document's file; a missing file is not an error. */
export async function removeDocument(settings: DocumentSettings, orgId: string, id: string): Promise<void> {
  await fs.promises.rm(documentPath(settings, orgId, id), { force: true });
}
