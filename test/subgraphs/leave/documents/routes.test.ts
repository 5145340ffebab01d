import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { signDocumentUrl } from '../../../../subgraphs/leave/documents/store.ts';
import { createTestOrg, startTestGraph, type TestGraph, type TestOrg, type TestUser } from '../../../helpers/graph.ts';
import { dataOf, insertLeave, insertLeaveType } from '../leave-fixtures.ts';

// End to end through the gateway: a signed URL from GraphQL, the bytes over plain HTTP.
const START = new Date('2026-12-01T10:00:00Z');
const MAX_BYTES = 4096;
let clock = START;

let graph: TestGraph;
let org: TestOrg;
let other: TestOrg;
let owner: TestUser;
let manager: TestUser;
let requestId: string;
let otherRequestId: string;
let otherOwner: TestUser;

interface Upload {
  document: { id: string; uploaded: boolean; sizeBytes: number };
  uploadUrl: string;
  method: string;
  expiresAt: string;
}

async function requestUpload(key: string, leaveRequestId: string, values: { filename?: string; contentType?: string; sizeBytes?: number } = {}): Promise<Upload> {
  const res = await graph.gql<{ requestLeaveDocumentUpload: Upload }>(
    key,
    `mutation($input: RequestDocumentUploadInput!) { requestLeaveDocumentUpload(input: $input) {
      document { id uploaded sizeBytes } uploadUrl method expiresAt } }`,
    { input: { leaveRequestId, filename: 'fit-note.pdf', contentType: 'application/pdf', sizeBytes: 1000, ...values } },
  );
  return dataOf(res).requestLeaveDocumentUpload;
}

const put = (url: string, body: Uint8Array | string, contentType = 'application/pdf') =>
  fetch(url, { method: 'PUT', headers: { 'content-type': contentType }, body });

async function documentsOf(key: string, id = requestId) {
  const res = await graph.gql<{ leaveRequest: { documents: { id: string; filename: string; uploaded: boolean; uploadedAt: string | null; sizeBytes: number; downloadUrl: string | null }[] } }>(
    key,
    'query($id: ID!) { leaveRequest(id: $id) { documents { id filename uploaded uploadedAt sizeBytes downloadUrl } } }',
    { id },
  );
  return dataOf(res).leaveRequest.documents;
}

const signed = (op: 'upload' | 'download', id: string) =>
  signDocumentUrl({ directory: graph.documentsDir, maxBytes: MAX_BYTES, publicUrl: graph.gateway.url, signingSecret: graph.identitySecret }, op, id, clock).url;

beforeAll(async () => {
  graph = await startTestGraph({ now: () => clock, documentMaxBytes: MAX_BYTES });
  org = await createTestOrg(graph.peopleDb, 'Documents Org');
  other = await createTestOrg(graph.peopleDb, 'Other Documents Org');
  manager = await org.addUser({ role: 'MANAGER' });
  owner = await org.addUser({ managerId: manager.id });
  otherOwner = await other.addUser({});
  await graph.leave.catchUpDirectory();
  const type = await insertLeaveType(graph.leaveDb, org.id, { name: 'Sick' });
  requestId = await insertLeave(graph.leaveDb, org.id, { userId: owner.id, leaveTypeId: type, startDate: '2027-01-11', endDate: '2027-01-12' });
  const otherType = await insertLeaveType(graph.leaveDb, other.id, { name: 'Sick' });
  otherRequestId = await insertLeave(graph.leaveDb, other.id, { userId: otherOwner.id, leaveTypeId: otherType, startDate: '2027-01-11', endDate: '2027-01-12' });
});
beforeEach(() => {
  clock = START;
});
afterAll(() => graph.stop());

describe('document upload and download through the gateway', () => {
  it('should store the uploaded bytes and serve them back from the download URL', async () => {
    const bytes = crypto.randomBytes(1000);
    const upload = await requestUpload(owner.key, requestId, { filename: 'Fit note – März "final".pdf' });
    expect(upload.method).toBe('PUT');
    expect(upload.uploadUrl.startsWith(`${graph.gateway.url}/documents/${upload.document.id}?`)).toBe(true);
    expect(upload.expiresAt).toBe('2026-12-01T10:15:00.000Z');
    expect(upload.document).toEqual({ id: upload.document.id, uploaded: false, sizeBytes: 1000 });
    expect((await documentsOf(owner.key)).find((d) => d.id === upload.document.id)).toMatchObject({ uploaded: false, downloadUrl: null });

    const stored = await put(upload.uploadUrl, bytes);
    expect(stored.status, await stored.clone().text()).toBe(200);
    const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
    expect(await stored.json()).toMatchObject({ id: upload.document.id, sizeBytes: 1000, sha256 });
    expect(fs.readFileSync(path.join(graph.documentsDir, org.id, upload.document.id))).toEqual(bytes);
    const row = await graph.leaveDb.selectFrom('leave_documents').select(['sha256', 'uploaded_at']).where('id', '=', upload.document.id).executeTakeFirstOrThrow();
    expect(row.sha256).toBe(sha256);
    expect(row.uploaded_at).not.toBeNull();

    for (const key of [owner.key, manager.key, org.admin.key]) {
      const doc = (await documentsOf(key)).find((d) => d.id === upload.document.id)!;
      expect(doc).toMatchObject({ uploaded: true, filename: 'Fit note – März "final".pdf' });
      expect(doc.downloadUrl).toMatch(new RegExp(`^${graph.gateway.url}/documents/${upload.document.id}\\?op=download&expires=\\d+&signature=`));
    }
    const doc = (await documentsOf(owner.key)).find((d) => d.id === upload.document.id)!;
    const download = await fetch(doc.downloadUrl!);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer())).toEqual(bytes);
    expect(download.headers.get('content-type')).toBe('application/pdf');
    expect(download.headers.get('content-disposition')).toBe(
      `attachment; filename="Fit note _ M_rz _final_.pdf"; filename*=UTF-8''Fit%20note%20%E2%80%93%20M%C3%A4rz%20%22final%22.pdf`,
    );
    expect(download.headers.get('cache-control')).toBe('private, no-store');
    expect(download.headers.get('x-content-type-options')).toBe('nosniff');
    const head = await fetch(doc.downloadUrl!, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('1000');

    // One upload per document.
    expect((await put(upload.uploadUrl, bytes)).status).toBe(409);
  });

  it('should accept a smaller file than declared and record its real size', async () => {
    const upload = await requestUpload(owner.key, requestId, { filename: 'note.txt', contentType: 'text/plain', sizeBytes: 100 });
    expect((await put(upload.uploadUrl, 'short note', 'text/plain; charset=utf-8')).status).toBe(200);
    expect((await documentsOf(owner.key)).find((d) => d.id === upload.document.id)).toMatchObject({ sizeBytes: 10, uploaded: true });
  });

  it('should refuse an expired link with 403', async () => {
    const upload = await requestUpload(owner.key, requestId);
    clock = new Date(START.getTime() + 15 * 60_000 + 1_000);
    const res = await put(upload.uploadUrl, crypto.randomBytes(10));
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ error: 'this link has expired' });
  });

  it('should refuse a download link once it has expired', async () => {
    const upload = await requestUpload(owner.key, requestId, { sizeBytes: 5 });
    expect((await put(upload.uploadUrl, 'hello')).status).toBe(200);
    const url = (await documentsOf(owner.key)).find((d) => d.id === upload.document.id)!.downloadUrl!;
    clock = new Date(START.getTime() + 16 * 60_000);
    expect((await fetch(url)).status).toBe(403);
  });

  it('should refuse a tampered signature, another operation or another document with 403', async () => {
    const upload = await requestUpload(owner.key, requestId);
    const url = new URL(upload.uploadUrl);
    const signature = url.searchParams.get('signature')!;
    url.searchParams.set('signature', `${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`);
    expect((await put(url.toString(), 'x')).status).toBe(403);

    const later = new URL(upload.uploadUrl);
    later.searchParams.set('expires', String(Number(later.searchParams.get('expires')) + 3600));
    expect((await put(later.toString(), 'x')).status).toBe(403);

    const asDownload = new URL(upload.uploadUrl);
    asDownload.searchParams.set('op', 'download');
    expect((await fetch(asDownload)).status).toBe(403);
    expect((await fetch(upload.uploadUrl)).status).toBe(403);

    const another = await requestUpload(owner.key, requestId);
    expect((await put(upload.uploadUrl.replace(upload.document.id, another.document.id), 'x')).status).toBe(403);
    const unsigned = `${graph.gateway.url}/documents/${upload.document.id}`;
    expect((await put(unsigned, 'x')).status).toBe(403);
  });

  it("should not let another organization's signed URL reach this organization's documents", async () => {
    const theirs = await requestUpload(otherOwner.key, otherRequestId);
    const mine = await requestUpload(owner.key, requestId);
    const res = await put(theirs.uploadUrl.replace(theirs.document.id, mine.document.id), crypto.randomBytes(10));
    expect(res.status).toBe(403);
    // Their own URL works for their own document, in their own folder.
    expect((await put(theirs.uploadUrl, Buffer.alloc(10))).status).toBe(200);
    expect(fs.existsSync(path.join(graph.documentsDir, other.id, theirs.document.id))).toBe(true);
  });

  it('should refuse a body larger than declared or than the limit with 413, and another type with 415', async () => {
    const small = await requestUpload(owner.key, requestId, { sizeBytes: 10 });
    expect((await put(small.uploadUrl, Buffer.alloc(11))).status).toBe(413);
    expect((await put(small.uploadUrl, Buffer.alloc(10), 'image/png')).status).toBe(415);
    expect((await put(small.uploadUrl, Buffer.alloc(10), '')).status).toBe(415);

    const streamed = await requestUpload(owner.key, requestId, { sizeBytes: MAX_BYTES });
    // Without Content-Length the limit still holds while streaming.
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 5; i++) controller.enqueue(new Uint8Array(1024));
        controller.close();
      },
    });
    const res = await fetch(streamed.uploadUrl, { method: 'PUT', headers: { 'content-type': 'application/pdf' }, body, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(413);
    expect(fs.existsSync(path.join(graph.documentsDir, org.id, streamed.document.id))).toBe(false);
    // Nothing was recorded: the right file can still be sent.
    expect((await put(streamed.uploadUrl, Buffer.alloc(MAX_BYTES))).status).toBe(200);
    expect(fs.readdirSync(path.join(graph.documentsDir, org.id)).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('should answer 404 for unknown, deleted or not yet uploaded documents', async () => {
    expect((await put(signed('upload', crypto.randomUUID()), 'x')).status).toBe(404);
    expect((await fetch(`${graph.gateway.url}/documents/not-an-id`)).status).toBe(404);
    const pending = await requestUpload(owner.key, requestId, { sizeBytes: 3 });
    expect((await fetch(signed('download', pending.document.id))).status).toBe(404);

    expect((await put(pending.uploadUrl, 'abc')).status).toBe(200);
    const download = signed('download', pending.document.id);
    expect((await fetch(download)).status).toBe(200);
    dataOf(await graph.gql(owner.key, 'mutation($id: ID!) { deleteLeaveDocument(id: $id) { id } }', { id: pending.document.id }));
    expect((await fetch(download)).status).toBe(404);
    expect(fs.existsSync(path.join(graph.documentsDir, org.id, pending.document.id))).toBe(false);
  });

  it('should refuse other methods with 405', async () => {
    const upload = await requestUpload(owner.key, requestId);
    const res = await fetch(upload.uploadUrl, { method: 'POST', body: 'x' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toContain('PUT');
  });
});
