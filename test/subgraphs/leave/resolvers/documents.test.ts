import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestOrg, startTestGraph, type TestGraph, type TestOrg, type TestUser } from '../../../helpers/graph.ts';
import { dataOf, expectError, insertLeave, insertLeaveType } from '../leave-fixtures.ts';

const MAX_BYTES = 2000;
let graph: TestGraph;
let org: TestOrg;
let other: TestOrg;
let admin: string;
let manager: TestUser;
let owner: TestUser;
let colleague: TestUser;
let requestId: string;
let otherRequestId: string;
let otherOwner: TestUser;

interface Doc {
  id: string;
  filename: string;
  contentType: string;
  sizeBytes: number;
  uploaded: boolean;
  uploadedAt: string | null;
  downloadUrl: string | null;
  createdAt: string;
}
const DOC = 'id filename contentType sizeBytes uploaded uploadedAt downloadUrl createdAt';

function requestUpload(key: string, input: Record<string, unknown>) {
  return graph.gql<{ requestLeaveDocumentUpload: { document: Doc; uploadUrl: string; method: string; expiresAt: string } }>(
    key,
    `mutation($input: RequestDocumentUploadInput!) { requestLeaveDocumentUpload(input: $input) { document { ${DOC} } uploadUrl method expiresAt } }`,
    { input: { leaveRequestId: requestId, filename: 'note.pdf', contentType: 'application/pdf', sizeBytes: 100, ...input } },
  );
}

const deleteDocument = (key: string, id: string) =>
  graph.gql<{ deleteLeaveDocument: Doc }>(key, `mutation($id: ID!) { deleteLeaveDocument(id: $id) { ${DOC} } }`, { id });

async function documentsOf(key: string, id = requestId): Promise<Doc[]> {
  const res = await graph.gql<{ leaveRequest: { documents: Doc[] } }>(key, `query($id: ID!) { leaveRequest(id: $id) { documents { ${DOC} } } }`, { id });
  return dataOf(res).leaveRequest.documents;
}

beforeAll(async () => {
  graph = await startTestGraph({ documentMaxBytes: MAX_BYTES });
  org = await createTestOrg(graph.peopleDb, 'Document Resolvers Org');
  other = await createTestOrg(graph.peopleDb, 'Other Document Resolvers Org');
  admin = org.admin.key;
  manager = await org.addUser({ role: 'MANAGER' });
  owner = await org.addUser({ managerId: manager.id });
  colleague = await org.addUser({});
  otherOwner = await other.addUser({});
  await graph.leave.catchUpDirectory();
  const type = await insertLeaveType(graph.leaveDb, org.id, { name: 'Sick' });
  requestId = await insertLeave(graph.leaveDb, org.id, { userId: owner.id, leaveTypeId: type, startDate: '2027-01-11', endDate: '2027-01-11' });
  const otherType = await insertLeaveType(graph.leaveDb, other.id, { name: 'Sick' });
  otherRequestId = await insertLeave(graph.leaveDb, other.id, { userId: otherOwner.id, leaveTypeId: otherType, startDate: '2027-01-11', endDate: '2027-01-11' });
});
afterAll(() => graph.stop());

describe('requestLeaveDocumentUpload', () => {
  it('should register a document for the requester and list it on the request', async () => {
    const before = Date.now();
    const upload = dataOf(await requestUpload(owner.key, { filename: ' scan.png ', contentType: 'IMAGE/PNG', sizeBytes: MAX_BYTES })).requestLeaveDocumentUpload;
    expect(upload.method).toBe('PUT');
    expect(upload.document).toMatchObject({ filename: 'scan.png', contentType: 'image/png', sizeBytes: MAX_BYTES, uploaded: false, uploadedAt: null, downloadUrl: null });
    const expires = Date.parse(upload.expiresAt);
    expect(expires).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 15 * 60_000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 15 * 60_000);
    expect(new URL(upload.uploadUrl).searchParams.get('expires')).toBe(String(expires / 1000));

    const listed = await documentsOf(owner.key);
    expect(listed.map((d) => d.id)).toContain(upload.document.id);
    const row = await graph.leaveDb.selectFrom('leave_documents').selectAll().where('id', '=', upload.document.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ org_id: org.id, request_id: requestId, created_by: owner.id, uploaded_at: null, deleted_at: null });
  });

  it('should let an admin attach a document, but not the manager', async () => {
    dataOf(await requestUpload(admin, {}));
    expectError(await requestUpload(manager.key, {}), 'FORBIDDEN');
  });

  it('should answer NOT_FOUND for a request the caller cannot see, an unknown one or another organization\'s', async () => {
    expectError(await requestUpload(colleague.key, {}), 'NOT_FOUND');
    expectError(await requestUpload(admin, { leaveRequestId: '00000000-0000-4000-8000-000000000000' }), 'NOT_FOUND');
    expectError(await requestUpload(admin, { leaveRequestId: 'nope' }), 'NOT_FOUND');
    expectError(await requestUpload(admin, { leaveRequestId: otherRequestId }), 'NOT_FOUND');
    const count = await graph.leaveDb.selectFrom('leave_documents').select((eb) => eb.fn.countAll<number>().as('n')).where('request_id', '=', otherRequestId).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(0);
  });

  it.each([
    ['input.filename', { filename: '' }],
    ['input.filename', { filename: `${'a'.repeat(197)}.pdf` }],
    ['input.filename', { filename: '../etc/passwd' }],
    ['input.filename', { filename: 'c:\\temp\\note.pdf' }],
    ['input.filename', { filename: 'note\u0000.pdf' }],
    ['input.filename', { filename: 'line\nbreak.pdf' }],
    ['input.contentType', { contentType: 'application/zip' }],
    ['input.contentType', { contentType: 'text/html' }],
    ['input.sizeBytes', { sizeBytes: 0 }],
    ['input.sizeBytes', { sizeBytes: MAX_BYTES + 1 }],
  ])('should refuse a bad %s', async (field, input) => {
    const error = expectError(await requestUpload(owner.key, input), 'BAD_USER_INPUT', field);
    if (field === 'input.sizeBytes') expect(error.message).toContain(String(MAX_BYTES));
  });

  it('should hold at most 20 documents a request, refusing the 21st with CONFLICT TOO_MANY_DOCUMENTS until one is deleted', async () => {
    const [type] = await graph.leaveDb.selectFrom('leave_types').select('id').where('org_id', '=', org.id).execute();
    const full = await insertLeave(graph.leaveDb, org.id, { userId: owner.id, leaveTypeId: type!.id, startDate: '2027-02-15', endDate: '2027-02-15' });
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push(dataOf(await requestUpload(owner.key, { leaveRequestId: full })).requestLeaveDocumentUpload.document.id);
    const refused = await requestUpload(owner.key, { leaveRequestId: full });
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', rule: 'TOO_MANY_DOCUMENTS', max: 20 });
    expect(await documentsOf(owner.key, full)).toHaveLength(20);
    expect(dataOf(await deleteDocument(owner.key, ids[0]!)).deleteLeaveDocument.id).toBe(ids[0]);
    expect(dataOf(await requestUpload(owner.key, { leaveRequestId: full })).requestLeaveDocumentUpload.document.id).toBeTruthy();
    expect(await documentsOf(owner.key, full)).toHaveLength(20);
  });

  it('should accept a 200-character file name', async () => {
    dataOf(await requestUpload(owner.key, { filename: `${'a'.repeat(196)}.pdf` }));
  });
});

describe('LeaveDocument.downloadUrl', () => {
  it('should be signed for the requester, their manager and admins once uploaded', async () => {
    const upload = dataOf(await requestUpload(owner.key, { sizeBytes: 4, contentType: 'text/plain' })).requestLeaveDocumentUpload;
    const put = await fetch(upload.uploadUrl, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: 'abcd' });
    expect(put.status).toBe(200);
    for (const key of [owner.key, manager.key, admin]) {
      const doc = (await documentsOf(key)).find((d) => d.id === upload.document.id)!;
      expect(doc.uploaded).toBe(true);
      expect(doc.uploadedAt).not.toBeNull();
      expect(await (await fetch(doc.downloadUrl!)).text()).toBe('abcd');
    }
  });
});

describe('deleteLeaveDocument', () => {
  it('should soft-delete a document and remove its file', async () => {
    const upload = dataOf(await requestUpload(owner.key, { sizeBytes: 3, contentType: 'text/plain' })).requestLeaveDocumentUpload;
    await fetch(upload.uploadUrl, { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: 'xyz' });
    const file = path.join(graph.documentsDir, org.id, upload.document.id);
    expect(fs.existsSync(file)).toBe(true);

    expectError(await deleteDocument(manager.key, upload.document.id), 'FORBIDDEN');
    expectError(await deleteDocument(colleague.key, upload.document.id), 'NOT_FOUND');
    const deleted = dataOf(await deleteDocument(owner.key, upload.document.id)).deleteLeaveDocument;
    expect(deleted).toMatchObject({ id: upload.document.id, downloadUrl: null });
    expect(fs.existsSync(file)).toBe(false);
    const row = await graph.leaveDb.selectFrom('leave_documents').select('deleted_at').where('id', '=', upload.document.id).executeTakeFirstOrThrow();
    expect(row.deleted_at).not.toBeNull();
    expect((await documentsOf(owner.key)).map((d) => d.id)).not.toContain(upload.document.id);
    expectError(await deleteDocument(owner.key, upload.document.id), 'NOT_FOUND');
  });

  it("should let an admin delete, and treat another organization's documents like unknown ones", async () => {
    const mine = dataOf(await requestUpload(owner.key, {})).requestLeaveDocumentUpload.document;
    dataOf(await deleteDocument(admin, mine.id));
    const theirs = dataOf(await requestUpload(other.admin.key, { leaveRequestId: otherRequestId })).requestLeaveDocumentUpload.document;
    for (const id of [theirs.id, '00000000-0000-4000-8000-000000000000', 'nope']) expectError(await deleteDocument(admin, id), 'NOT_FOUND');
    const row = await graph.leaveDb.selectFrom('leave_documents').select('deleted_at').where('id', '=', theirs.id).executeTakeFirstOrThrow();
    expect(row.deleted_at).toBeNull();
  });
});
