import crypto from 'node:crypto';

/** What a trusted document id looks like: `sha256:` and 64 lower-case hex digits. */
export const TRUSTED_DOCUMENT_ID_RE = /^sha256:[0-9a-f]{64}$/;

/**
 * The id of a trusted document: `sha256:` and the lower-case hex SHA-256 of the exact body
 * (UTF-8, nothing trimmed or reformatted), so a client can compute it without asking.
 */
export function trustedDocumentId(body: string): string {
  return `sha256:${crypto.createHash('sha256').update(body, 'utf8').digest('hex')}`;
}

/** True when `id` has the shape of a trusted document id. */
export function isTrustedDocumentId(id: string): boolean {
  return TRUSTED_DOCUMENT_ID_RE.test(id);
}
