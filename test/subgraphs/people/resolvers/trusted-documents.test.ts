import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trustedDocumentId } from '../../../../subgraphs/shared/trusted-document-id.ts';
import { createKey, createTestOrg, startTestGraph, type TestGraph, type TestOrg, type TestUser } from '../../../helpers/graph.ts';
import { dataOf, expectError } from '../../../helpers/assertions.ts';
import { peopleClient, type PeopleClient } from '../people-client.ts';

let graph: TestGraph;
let people: PeopleClient;
let org: TestOrg;
let other: TestOrg;
let admin: string;
let manager: TestUser;
let employee: TestUser;

interface DocumentNode {
  id: string;
  name: string;
  body: string;
  createdAt: string;
  createdBy: { id: string } | null;
}
const DOCUMENT = 'id name body createdAt createdBy { id }';
const REGISTER = `mutation($input: RegisterTrustedDocumentsInput!) { registerTrustedDocuments(input: $input) { ${DOCUMENT} } }`;
const DELETE = `mutation($id: ID!) { deleteTrustedDocument(id: $id) { ${DOCUMENT} } }`;
const LIST = `query($first: Int, $after: String) { trustedDocuments(first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor } nodes { ${DOCUMENT} } } }`;

type Page = { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: DocumentNode[] };

async function register(key: string, documents: { name: string; body: string }[]) {
  return people.gql<{ registerTrustedDocuments: DocumentNode[] }>(key, REGISTER, { input: { documents } });
}
async function registered(key: string, documents: { name: string; body: string }[]): Promise<DocumentNode[]> {
  return dataOf(await register(key, documents)).registerTrustedDocuments;
}
async function list(key: string, first = 100, after: string | null = null): Promise<Page> {
  return dataOf(await people.gql<{ trustedDocuments: Page }>(key, LIST, { first, after })).trustedDocuments;
}
const rowsOf = (orgId: string) => graph.peopleDb.selectFrom('trusted_documents').selectAll().where('org_id', '=', orgId).orderBy('id').execute();
const allRows = () => graph.peopleDb.selectFrom('trusted_documents').selectAll().orderBy('org_id').orderBy('id').execute();

beforeAll(async () => {
  graph = await startTestGraph();
  people = peopleClient(graph);
  org = await createTestOrg(graph.peopleDb, 'Documents Org');
  other = await createTestOrg(graph.peopleDb, 'Other Documents Org');
  admin = org.admin.key;
  manager = await org.addUser({ role: 'MANAGER' });
  employee = await org.addUser({ role: 'EMPLOYEE', managerId: manager.id });
});
afterAll(() => graph.stop());

describe('registerTrustedDocuments', () => {
  const calendar = { name: ' TeamCalendar ', body: 'query TeamCalendar($first: Int) {\n  users(first: $first) { nodes { id name } }\n}\n' };
  const me = { name: 'Me', body: '{ me { ...Who } }\nfragment Who on User { id email }' };

  it('should store each body exactly, under the hash of that body, and answer in the order given', async () => {
    const docs = await registered(admin, [calendar, me]);
    expect(docs).toEqual([
      { id: trustedDocumentId(calendar.body), name: 'TeamCalendar', body: calendar.body, createdAt: expect.any(String), createdBy: { id: org.admin.id } },
      { id: trustedDocumentId(me.body), name: 'Me', body: me.body, createdAt: expect.any(String), createdBy: { id: org.admin.id } },
    ]);
    expect(docs[0]!.id).toMatch(/^sha256:[0-9a-f]{64}$/);
    const rows = await rowsOf(org.id);
    expect(rows.map((r) => [r.id, r.body])).toEqual(
      [
        [trustedDocumentId(calendar.body), calendar.body],
        [trustedDocumentId(me.body), me.body],
      ].sort((x, y) => (x[0]! < y[0]! ? -1 : 1)),
    );
  });

  it('should be idempotent: a body registered again keeps its record, even under another name', async () => {
    const before = await rowsOf(org.id);
    const again = await registered(admin, [{ ...me, name: 'Renamed' }, calendar]);
    expect(again.map((d) => [d.id, d.name])).toEqual([
      [trustedDocumentId(me.body), 'Me'],
      [trustedDocumentId(calendar.body), 'TeamCalendar'],
    ]);
    expect(await rowsOf(org.id)).toEqual(before);
  });

  it('should store a body given twice in one call once, keeping the first name', async () => {
    const body = '{ organization { name } }';
    const docs = await registered(admin, [
      { name: 'First', body },
      { name: 'Second', body },
    ]);
    expect(docs.map((d) => [d.id, d.name])).toEqual([
      [trustedDocumentId(body), 'First'],
      [trustedDocumentId(body), 'First'],
    ]);
    expect((await rowsOf(org.id)).filter((r) => r.body === body)).toHaveLength(1);
  });

  it('should tell bodies apart that differ only in whitespace', async () => {
    const docs = await registered(admin, [
      { name: 'Tight', body: '{me{id}}' },
      { name: 'Loose', body: '{ me { id } }' },
    ]);
    expect(new Set(docs.map((d) => d.id)).size).toBe(2);
  });

  it('should accept 100 documents and a body of 100 000 characters', async () => {
    const documents = Array.from({ length: 100 }, (_, i) => ({ name: `Bulk ${i}`, body: `query Bulk${i} { me { id } }` }));
    expect(await registered(admin, documents)).toHaveLength(100);
    const tail = '\n{ me { id } }';
    const long = `#${'x'.repeat(100_000 - 1 - tail.length)}${tail}`;
    expect(long).toHaveLength(100_000);
    expect((await registered(admin, [{ name: 'Long', body: long }]))[0]!.id).toBe(trustedDocumentId(long));
  });

  const valid = { name: 'Fine', body: '{ me { id } }' };
  it.each<[string, () => { name: string; body: string }[], string, string]>([
    ['a body that does not parse', () => [valid, { name: 'Broken', body: 'query { me { id }' }], 'input.documents[1].body', 'must be a GraphQL document: Syntax Error: Expected Name, found <EOF>.'],
    ['an empty body', () => [{ name: 'Empty', body: '   ' }], 'input.documents[0].body', 'must be a GraphQL document: Syntax Error'],
    ['a schema definition', () => [{ name: 'Schema', body: 'type Query { leak: String }' }], 'input.documents[0].body', 'must be an executable document (operations and fragments only)'],
    ['fragments without an operation', () => [{ name: 'Fragment', body: 'fragment F on User { id }' }], 'input.documents[0].body', 'must contain an operation'],
    ['a body over 100 000 characters', () => [{ name: 'Huge', body: `#${'x'.repeat(100_000)}\n{ me { id } }` }], 'input.documents[0].body', 'must have at most 100000 characters'],
    ['an empty name', () => [valid, valid, { name: ' ', body: '{ me { email } }' }], 'input.documents[2].name', 'must not be empty'],
    ['a name over 200 characters', () => [{ name: 'n'.repeat(201), body: '{ me { email } }' }], 'input.documents[0].name', 'must have at most 200 characters'],
    ['no documents', () => [], 'input.documents', 'must hold from 1 to 100 documents'],
    ['101 documents', () => Array.from({ length: 101 }, (_, i) => ({ name: `D${i}`, body: `query Q${i} { me { id } }` })), 'input.documents', 'must hold from 1 to 100 documents'],
  ])('should refuse %s with BAD_USER_INPUT, storing nothing', async (_, documents, field, rule) => {
    const before = await allRows();
    const error = expectError(await register(admin, documents()), 'BAD_USER_INPUT', field);
    expect(error.message).toContain(rule);
    expect(await allRows()).toEqual(before);
  });
});

describe('trustedDocuments', () => {
  it('should page through the documents by name, without duplicates or gaps, with the total', async () => {
    const solo = await createTestOrg(graph.peopleDb, 'Paging Documents Org');
    const names = ['echo', 'alpha', 'delta', 'charlie', 'bravo'];
    await registered(
      solo.admin.key,
      names.map((name) => ({ name, body: `query ${name} { me { id } }` })),
    );
    const seen: DocumentNode[] = [];
    let after: string | null = null;
    for (let i = 0; i < 5; i++) {
      const page: Page = await list(solo.admin.key, 2, after);
      expect(page.totalCount).toBe(5);
      seen.push(...page.nodes);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen.map((d) => d.name)).toEqual(['alpha', 'bravo', 'charlie', 'delta', 'echo']);
    expect(seen.map((d) => d.id).sort()).toEqual((await rowsOf(solo.id)).map((r) => r.id).sort());
  });

  it('should refuse a cursor that is not one of its own', async () => {
    expectError(await people.gql(admin, LIST, { first: 2, after: 'bm90LWEtY3Vyc29y' }), 'BAD_USER_INPUT', 'after');
  });
});

describe('deleteTrustedDocument', () => {
  it('should delete the document and return it; then it is gone', async () => {
    const [doc] = await registered(admin, [{ name: 'Temporary', body: 'query Temporary { me { id } }' }]);
    const deleted = dataOf(await people.gql<{ deleteTrustedDocument: DocumentNode }>(admin, DELETE, { id: doc!.id })).deleteTrustedDocument;
    expect(deleted).toEqual(doc);
    expect((await rowsOf(org.id)).map((r) => r.id)).not.toContain(doc!.id);
    expect((await list(admin)).nodes.map((d) => d.id)).not.toContain(doc!.id);
    expectError(await people.gql(admin, DELETE, { id: doc!.id }), 'NOT_FOUND');
  });

  it('should answer NOT_FOUND for an unknown id, a malformed id and a document of another organization', async () => {
    const [theirs] = await registered(other.admin.key, [{ name: 'Theirs', body: 'query Theirs { me { id } }' }]);
    for (const id of [trustedDocumentId('query Unknown { me { id } }'), 'not-a-document-id', `SHA256:${'A'.repeat(64)}`, theirs!.id]) {
      expectError(await people.gql(admin, DELETE, { id }), 'NOT_FOUND');
    }
    expect((await rowsOf(other.id)).map((r) => r.id)).toEqual([theirs!.id]);
  });
});

describe('permissions', () => {
  const operations: [string, () => [string, Record<string, unknown>]][] = [
    ['registerTrustedDocuments', () => [REGISTER, { input: { documents: [{ name: 'Sneaky', body: '{ me { id } }' }] } }]],
    ['deleteTrustedDocument', () => [DELETE, { id: trustedDocumentId('query Keep { me { id } }') }]],
    ['trustedDocuments', () => [LIST, { first: 10 }]],
  ];
  const callers: [string, () => Promise<string>, string][] = [
    ['an employee', async () => employee.key, 'only admins'],
    ['a manager', async () => manager.key, 'only admins'],
    ['an admin key without the admin scope', async () => (await createKey(graph.peopleDb, org.id, null, ['read:people', 'write:people'])).secret, 'admin scope'],
  ];

  beforeAll(async () => {
    await registered(admin, [{ name: 'Keep', body: 'query Keep { me { id } }' }]);
  });

  it.each(callers.flatMap(([who, key, message]) => operations.map(([name, build]) => [who, name, key, message, build] as const)))(
    'should refuse %s %s with FORBIDDEN, changing nothing',
    async (_, __, key, message, build) => {
      const secret = await key();
      const before = await allRows();
      const [query, variables] = build();
      const res = await people.gql(secret, query, variables);
      expect(expectError(res, 'FORBIDDEN').message).toContain(message);
      expect(JSON.stringify(res.body)).not.toContain('query Keep');
      expect(await allRows()).toEqual(before);
    },
  );
});

describe('sandbox documents', () => {
  it('should keep the documents of a sandbox apart from those of its live organization', async () => {
    const live = await createTestOrg(graph.peopleDb, 'Documents With Sandbox');
    const created = await people.gql<{ createApiKey: { secret: string } }>(
      live.admin.key,
      'mutation { createApiKey(input: { name: "Sandbox admin", scopes: ["admin"], mode: TEST }) { secret } }',
    );
    const testKey = dataOf(created).createApiKey.secret;
    const sandboxId = (await people.identityOf(testKey)).orgId;
    const [liveDoc] = await registered(live.admin.key, [{ name: 'Live', body: 'query Live { me { id } }' }]);
    const [testDoc] = await registered(testKey, [{ name: 'Test', body: 'query Test { me { id } }' }]);
    expect(testDoc!.createdBy).toBeNull();
    expect((await list(live.admin.key)).nodes.map((d) => d.id)).toEqual([liveDoc!.id]);
    expect((await list(testKey)).nodes.map((d) => d.id)).toEqual([testDoc!.id]);
    expect((await rowsOf(sandboxId)).map((r) => r.id)).toEqual([testDoc!.id]);
    // Neither side can delete the other's document.
    expectError(await people.gql(testKey, DELETE, { id: liveDoc!.id }), 'NOT_FOUND');
    expectError(await people.gql(live.admin.key, DELETE, { id: testDoc!.id }), 'NOT_FOUND');
    // The gateway looks documents up by the caller's organization.
    expect(await people.internal('/internal/trusted-document', { orgId: sandboxId, id: testDoc!.id })).toEqual({ status: 200, body: { body: testDoc!.body } });
    expect((await people.internal('/internal/trusted-document', { orgId: sandboxId, id: liveDoc!.id })).status).toBe(404);
    expect((await people.internal('/internal/trusted-document', { orgId: live.id, id: testDoc!.id })).status).toBe(404);
  });
});

describe('the trusted-document route', () => {
  let ours: DocumentNode;
  let theirs: DocumentNode;
  beforeAll(async () => {
    [ours] = (await registered(admin, [{ name: 'Route', body: 'query Route { organization { id } }' }])) as [DocumentNode];
    [theirs] = (await registered(other.admin.key, [{ name: 'Secret route', body: 'query SecretRoute { users { totalCount } }' }])) as [DocumentNode];
  });

  it("should answer an organization's document with its body", async () => {
    expect(await people.internal('/internal/trusted-document', { orgId: org.id, id: ours.id })).toEqual({ status: 200, body: { body: ours.body } });
  });

  it("should never answer another organization's document", async () => {
    const res = await people.internal('/internal/trusted-document', { orgId: org.id, id: theirs.id });
    expect(res.status).toBe(404);
    expect(res.body['error']).toEqual(expect.any(String));
    expect(JSON.stringify(res.body)).not.toContain('SecretRoute');
  });

  it('should answer 404 for an unknown id and for an unknown organization', async () => {
    expect((await people.internal('/internal/trusted-document', { orgId: org.id, id: trustedDocumentId('{ nothing }') })).status).toBe(404);
    expect((await people.internal('/internal/trusted-document', { orgId: '00000000-0000-4000-8000-000000000000', id: ours.id })).status).toBe(404);
  });

  it.each<[string, unknown]>([
    ['no id', { orgId: '00000000-0000-4000-8000-000000000000' }],
    ['no orgId', { id: trustedDocumentId('{ me { id } }') }],
    ['an orgId that is not an id', { orgId: 'acme', id: trustedDocumentId('{ me { id } }') }],
    ['an id that is not a document id', { orgId: '00000000-0000-4000-8000-000000000000', id: 'sha256:abc' }],
    ['an upper-case hash', { orgId: '00000000-0000-4000-8000-000000000000', id: `sha256:${'A'.repeat(64)}` }],
    ['numbers', { orgId: 1, id: 2 }],
    ['an array', [1, 2]],
    ['null', null],
  ])('should answer 400 to a request with %s', async (_, body) => {
    const res = await people.internal('/internal/trusted-document', body);
    expect(res.status).toBe(400);
    expect(res.body['error']).toEqual(expect.any(String));
  });

  it('should answer 401 to an unsigned request', async () => {
    const res = await people.internal('/internal/trusted-document', { orgId: org.id, id: ours.id }, {});
    expect(res.status).toBe(401);
    expect(JSON.stringify(res.body)).not.toContain('query Route');
  });
});
