import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey, createTestOrg, startTestGraph, type TestGraph, type TestOrg, type TestUser } from '../../../helpers/graph.ts';
import { dataOf, expectError } from '../../../helpers/assertions.ts';

let graph: TestGraph;
let org: TestOrg;
let admin: string;
/** The subject of the notes, their line manager, their department's manager, and people with no say. */
let subject: TestUser;
let lineManager: TestUser;
let departmentManager: TestUser;
let otherManager: TestUser;
let unrelated: TestUser;

interface Note {
  id: string;
  body: string;
  author: { name: string } | null;
  createdAt: string;
}
const NOTE = 'id body author { name } createdAt';
const ADD_NOTE = `mutation($userId: ID!, $body: String!) { addUserNote(input: { userId: $userId, body: $body }) { ${NOTE} } }`;
const DELETE_NOTE = `mutation($id: ID!) { deleteUserNote(id: $id) { ${NOTE} } }`;
const READ_NOTES = `query($id: ID!) { user(id: $id) { id notes(first: 100) { totalCount nodes { ${NOTE} } } } }`;

function addNote(key: string, body: string, userId = subject.id) {
  return graph.gql<{ addUserNote: Note }>(key, ADD_NOTE, { userId, body });
}

async function addedNote(key: string, body: string, userId = subject.id): Promise<Note> {
  return dataOf(await addNote(key, body, userId)).addUserNote;
}

async function readNotes(key: string, userId = subject.id) {
  return dataOf(await graph.gql<{ user: { notes: { totalCount: number; nodes: Note[] } } }>(key, READ_NOTES, { id: userId })).user.notes;
}

async function noteExists(id: string): Promise<boolean> {
  return (await graph.peopleDb.selectFrom('user_notes').select('id').where('id', '=', id).execute()).length === 1;
}

beforeAll(async () => {
  graph = await startTestGraph();
  org = await createTestOrg(graph.peopleDb, 'Notes Org');
  admin = org.admin.key;
  lineManager = await org.addUser({ role: 'MANAGER', firstName: 'Lena', lastName: 'Line' });
  departmentManager = await org.addUser({ role: 'MANAGER', firstName: 'Dan', lastName: 'Dept' });
  otherManager = await org.addUser({ role: 'MANAGER', firstName: 'Otto', lastName: 'Other' });
  const department = await graph.gql<{ createDepartment: { id: string } }>(
    admin,
    'mutation($m: ID) { createDepartment(input: { name: "Care", managerId: $m }) { id } }',
    { m: departmentManager.id },
  );
  subject = await org.addUser({ firstName: 'Sam', lastName: 'Subject', managerId: lineManager.id, departmentId: dataOf(department).createDepartment.id });
  unrelated = await org.addUser({ firstName: 'Una', lastName: 'Unrelated', managerId: otherManager.id });
});
afterAll(() => graph.stop());

describe('adding and reading notes', () => {
  it('should let an admin, the line manager and the department manager add notes, and read them in order', async () => {
    const byAdmin = await addedNote(admin, '  Returned from sick leave  ');
    const byManager = await addedNote(lineManager.key, 'Agreed flexible Fridays');
    const byDepartment = await addedNote(departmentManager.key, 'Covering the rota in March');
    expect(byAdmin).toMatchObject({ body: 'Returned from sick leave', author: { name: 'Ada Admin' } });
    expect(byManager.author).toEqual({ name: 'Lena Line' });
    expect(byDepartment.author).toEqual({ name: 'Dan Dept' });

    for (const key of [admin, lineManager.key, departmentManager.key]) {
      const notes = await readNotes(key);
      expect(notes.totalCount).toBe(3);
      expect(notes.nodes.map((n) => n.id)).toEqual([byAdmin.id, byManager.id, byDepartment.id]);
    }
  });

  it('should accept a body of exactly 5000 characters', async () => {
    const note = await addedNote(admin, 'x'.repeat(5000), unrelated.id);
    expect(note.body).toHaveLength(5000);
  });

  it('should record no author for a service key', async () => {
    const service = await createKey(graph.peopleDb, org.id, null);
    const note = await addedNote(service.secret, 'Imported from the HR system', unrelated.id);
    expect(note.author).toBeNull();
  });

  it('should page through notes', async () => {
    const target = await org.addUser({ firstName: 'Paige', lastName: 'Notes' });
    for (const body of ['one', 'two', 'three']) await addedNote(admin, body, target.id);
    type Page = { user: { notes: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string }; nodes: { body: string }[] } } };
    const query = 'query($id: ID!, $after: String) { user(id: $id) { notes(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { body } } } }';
    const first = dataOf(await graph.gql<Page>(admin, query, { id: target.id })).user.notes;
    expect(first).toMatchObject({ totalCount: 3, pageInfo: { hasNextPage: true }, nodes: [{ body: 'one' }, { body: 'two' }] });
    const second = dataOf(await graph.gql<Page>(admin, query, { id: target.id, after: first.pageInfo.endCursor })).user.notes;
    expect(second).toMatchObject({ totalCount: 3, pageInfo: { hasNextPage: false }, nodes: [{ body: 'three' }] });
  });

  it.each([
    ['an empty body', ''],
    ['a blank body', '   \n '],
    ['a body over 5000 characters', 'y'.repeat(5001)],
  ])('should refuse %s with BAD_USER_INPUT naming body', async (_, body) => {
    const before = await graph.peopleDb.selectFrom('user_notes').select('id').execute();
    expectError(await addNote(admin, body), 'BAD_USER_INPUT', 'input.body');
    expect(await graph.peopleDb.selectFrom('user_notes').select('id').execute()).toHaveLength(before.length);
  });

  it('should answer NOT_FOUND for notes about an unknown user', async () => {
    expectError(await addNote(admin, 'Hello', randomUUID()), 'NOT_FOUND');
  });

  const outsiders: [string, () => TestUser][] = [
    ['an unrelated employee', () => unrelated],
    ["another employee's manager", () => otherManager],
    ['the user themself', () => subject],
  ];

  it.each(outsiders)('should refuse %s adding a note with FORBIDDEN', async (_, caller) => {
    const before = await graph.peopleDb.selectFrom('user_notes').select('id').where('user_id', '=', subject.id).execute();
    expectError(await addNote(caller().key, 'I should not be able to write this'), 'FORBIDDEN');
    const after = await graph.peopleDb.selectFrom('user_notes').select('id').where('user_id', '=', subject.id).execute();
    expect(after).toHaveLength(before.length);
  });

  it.each(outsiders)('should refuse %s reading notes with FORBIDDEN', async (_, caller) => {
    await addedNote(admin, 'Confidential: discussed performance');
    const res = await graph.gql(caller().key, READ_NOTES, { id: subject.id });
    expectError(res, 'FORBIDDEN');
    expect(JSON.stringify(res.body)).not.toContain('Confidential');
  });

  it('should still let an outsider read the rest of the user', async () => {
    const res = await graph.gql<{ user: { name: string } }>(unrelated.key, 'query($id: ID!) { user(id: $id) { name } }', { id: subject.id });
    expect(dataOf(res).user.name).toBe('Sam Subject');
  });
});

describe('deleting notes', () => {
  it('should let the author delete their own note', async () => {
    const note = await addedNote(lineManager.key, 'Mine to delete');
    const res = await graph.gql<{ deleteUserNote: Note }>(lineManager.key, DELETE_NOTE, { id: note.id });
    expect(dataOf(res).deleteUserNote).toEqual(note);
    expect(await noteExists(note.id)).toBe(false);
    expect((await readNotes(admin)).nodes.map((n) => n.id)).not.toContain(note.id);
  });

  it("should let an admin delete anyone's note", async () => {
    const note = await addedNote(departmentManager.key, 'Admin will remove this');
    expect(dataOf(await graph.gql<{ deleteUserNote: Note }>(admin, DELETE_NOTE, { id: note.id })).deleteUserNote.id).toBe(note.id);
    expect(await noteExists(note.id)).toBe(false);
  });

  it.each([
    ['the line manager, on an admin note', () => lineManager],
    ['the department manager, on an admin note', () => departmentManager],
    ['an unrelated employee', () => unrelated],
    ['the user the note is about', () => subject],
  ])('should refuse %s with FORBIDDEN', async (_, caller) => {
    const note = await addedNote(admin, 'Only admins or the author may delete this');
    const res = await graph.gql(caller().key, DELETE_NOTE, { id: note.id });
    expectError(res, 'FORBIDDEN');
    expect(await noteExists(note.id)).toBe(true);
  });

  it('should answer NOT_FOUND for an unknown note', async () => {
    expectError(await graph.gql(admin, DELETE_NOTE, { id: randomUUID() }), 'NOT_FOUND');
    expectError(await graph.gql(admin, DELETE_NOTE, { id: 'not-an-id' }), 'NOT_FOUND');
  });
});
