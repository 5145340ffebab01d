import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { Kind, parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trustedDocumentId } from '../../../subgraphs/shared/trusted-document-id.ts';
import { createTestOrg, startTestGraph, type GraphQLBody, type TestGraph, type TestOrg } from '../../helpers/graph.ts';
import { dataOf } from '../../helpers/assertions.ts';
import { peopleClient, type PeopleClient } from './people-client.ts';

// Two organizations, each with a sandbox, keys with policies and trusted documents: every
// root field of key management and trusted documents, called by A (or A's sandbox) with
// B's ids, must answer as if B did not exist and leave B's rows untouched; and A's sandbox
// must not reach A.

let graph: TestGraph;
let people: PeopleClient;

interface Tenant {
  org: TestOrg;
  admin: string;
  /** A TEST key (admin scope) of the tenant's sandbox. */
  testKey: string;
  sandboxId: string;
  liveKey: string;
  sandboxKey: string;
  document: string;
  documentBody: string;
  sandboxDocument: string;
}
let a: Tenant;
let b: Tenant;
let bSnapshot: string;

type Body = GraphQLBody<unknown>;
const codeOf = (res: { body: Body }) => res.body.errors?.[0]?.extensions?.['code'];
const normalized = (res: { status: number; body: Body }, id: string) => JSON.stringify({ status: res.status, body: res.body }).replaceAll(id, '<id>');

async function createTenant(label: string): Promise<Tenant> {
  const org = await createTestOrg(graph.peopleDb, `Policy tenant ${label}`);
  const admin = org.admin.key;
  const create = async (key: string, input: Record<string, unknown>) =>
    dataOf(
      await people.gql<{ createApiKey: { secret: string; apiKey: { id: string } } }>(
        key,
        'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { id } } }',
        { input: { name: `${label} key`, scopes: ['admin'], ...input } },
      ),
    ).createApiKey;
  const live = await create(admin, { ipAllowlist: ['203.0.113.0/24'], requestsPerHour: 100, trustedDocumentsOnly: true });
  const test = await create(admin, { mode: 'TEST' });
  const sandboxKey = await create(admin, { mode: 'TEST', requestsPerHour: 5 });
  const register = async (key: string, name: string, body: string) =>
    dataOf(
      await people.gql<{ registerTrustedDocuments: { id: string }[] }>(
        key,
        'mutation($input: RegisterTrustedDocumentsInput!) { registerTrustedDocuments(input: $input) { id } }',
        { input: { documents: [{ name, body }] } },
      ),
    ).registerTrustedDocuments[0]!.id;
  const documentBody = `query ${label}Directory { users { totalCount } }`;
  return {
    org,
    admin,
    testKey: test.secret,
    sandboxId: (await people.identityOf(test.secret)).orgId,
    liveKey: live.apiKey.id,
    sandboxKey: sandboxKey.apiKey.id,
    document: await register(admin, `${label} directory`, documentBody),
    documentBody,
    sandboxDocument: await register(test.secret, `${label} sandbox`, `query ${label}Sandbox { me { id } }`),
  };
}

/** Every row of an organization and its sandbox that these fields touch (last use is bookkeeping, not data). */
async function snapshot(t: Tenant): Promise<string> {
  const ids = [t.org.id, t.sandboxId];
  const db = graph.peopleDb;
  return JSON.stringify({
    organizations: await db.selectFrom('organizations').selectAll().where('id', 'in', ids).orderBy('id').execute(),
    keys: (await db.selectFrom('api_keys').selectAll().where('org_id', 'in', ids).orderBy('id').execute()).map((k) => ({ ...k, last_used_at: undefined })),
    documents: await db.selectFrom('trusted_documents').selectAll().where('org_id', 'in', ids).orderBy('org_id').orderBy('id').execute(),
  });
}
async function expectBUnchanged(): Promise<void> {
  expect(await snapshot(b)).toBe(bSnapshot);
}

beforeAll(async () => {
  graph = await startTestGraph();
  people = peopleClient(graph);
  a = await createTenant('A');
  b = await createTenant('B');
  bSnapshot = await snapshot(b);
});
afterAll(() => graph.stop());

/** A field taking an id: B's id must give exactly the NOT_FOUND an unknown id gives. */
interface NotFoundCase {
  readonly field: string;
  readonly label: string;
  readonly query: string;
  readonly target: (t: Tenant) => string;
  readonly unknown: () => string;
}
const UPDATE = 'mutation($id: ID!) { updateApiKey(id: $id, input: { name: "Taken", ipAllowlist: [], requestsPerHour: null, trustedDocumentsOnly: false }) { id } }';
const REVOKE = 'mutation($id: ID!) { revokeApiKey(id: $id) { id } }';
const DELETE = 'mutation($id: ID!) { deleteTrustedDocument(id: $id) { id body } }';
const notFoundCases: NotFoundCase[] = [
  { field: 'updateApiKey', label: 'a live key', query: UPDATE, target: (t) => t.liveKey, unknown: randomUUID },
  { field: 'updateApiKey', label: 'a sandbox key', query: UPDATE, target: (t) => t.sandboxKey, unknown: randomUUID },
  { field: 'revokeApiKey', label: 'a live key', query: REVOKE, target: (t) => t.liveKey, unknown: randomUUID },
  { field: 'revokeApiKey', label: 'a sandbox key', query: REVOKE, target: (t) => t.sandboxKey, unknown: randomUUID },
  { field: 'deleteTrustedDocument', label: 'a document', query: DELETE, target: (t) => t.document, unknown: () => trustedDocumentId(randomUUID()) },
  { field: 'deleteTrustedDocument', label: 'a sandbox document', query: DELETE, target: (t) => t.sandboxDocument, unknown: () => trustedDocumentId(randomUUID()) },
];

/** Lists: a caller sees exactly the rows of the organizations it manages. */
interface ListCase {
  readonly field: string;
  readonly query: string;
  readonly rows: (t: Tenant) => Promise<string[]>;
}
const keysOf = async (orgIds: string[]) => (await graph.peopleDb.selectFrom('api_keys').select('id').where('org_id', 'in', orgIds).execute()).map((r) => r.id);
const documentsOf = async (orgId: string) => (await graph.peopleDb.selectFrom('trusted_documents').select('id').where('org_id', '=', orgId).execute()).map((r) => r.id);
const listCases: ListCase[] = [
  { field: 'apiKeys', query: '{ list: apiKeys(status: ALL, first: 100) { totalCount nodes { id } } }', rows: (t) => keysOf([t.org.id, t.sandboxId]) },
  { field: 'trustedDocuments', query: '{ list: trustedDocuments(first: 100) { totalCount nodes { id } } }', rows: (t) => documentsOf(t.org.id) },
];

/** Writes that succeed for A: they must land in A (or A's sandbox) only. */
const ownWrites: { field: string; label: string; run: () => Promise<void> }[] = [
  {
    field: 'createApiKey',
    label: "creates A's TEST key in A's sandbox",
    run: async () => {
      const res = await people.gql<{ createApiKey: { apiKey: { id: string } } }>(a.admin, 'mutation { createApiKey(input: { name: "More", scopes: ["read:people"], mode: TEST }) { apiKey { id } } }');
      const row = await graph.peopleDb.selectFrom('api_keys').select('org_id').where('id', '=', dataOf(res).createApiKey.apiKey.id).executeTakeFirstOrThrow();
      expect(row.org_id).toBe(a.sandboxId);
    },
  },
  {
    field: 'registerTrustedDocuments',
    label: "registers in A, even with the exact body of B's document",
    run: async () => {
      const res = await people.gql<{ registerTrustedDocuments: { id: string; name: string }[] }>(
        a.admin,
        'mutation($body: String!) { registerTrustedDocuments(input: { documents: [{ name: "Copied", body: $body }] }) { id name } }',
        { body: b.documentBody },
      );
      expect(dataOf(res).registerTrustedDocuments).toEqual([{ id: b.document, name: 'Copied' }]);
      expect(await documentsOf(a.org.id)).toContain(b.document);
    },
  },
];

describe('coverage', () => {
  const sdl = parse(fs.readFileSync(new URL('../../../subgraphs/people/schema.graphql', import.meta.url), 'utf8'));
  it('should have a tenancy case for every root field of API keys and trusted documents', () => {
    const fields = sdl.definitions
      .flatMap((d) => (d.kind === Kind.OBJECT_TYPE_DEFINITION && (d.name.value === 'Query' || d.name.value === 'Mutation') ? (d.fields ?? []) : []))
      .map((f) => f.name.value)
      .filter((name) => /apikey|trusteddocument/i.test(name))
      .sort();
    const covered = [...new Set([...notFoundCases, ...listCases, ...ownWrites].map((c) => c.field))].sort();
    expect(covered).toEqual(fields);
  });
});

describe("A's admin", () => {
  it.each(notFoundCases.map((c) => [c.field, c.label, c] as const))("should answer %s with B's %s exactly like an unknown id, changing nothing", async (_, __, c) => {
    const bId = c.target(b);
    const unknown = c.unknown();
    const withB = await people.gql(a.admin, c.query, { id: bId });
    const withUnknown = await people.gql(a.admin, c.query, { id: unknown });
    expect(codeOf(withB), JSON.stringify(withB.body)).toBe('NOT_FOUND');
    expect(normalized(withB, bId)).toBe(normalized(withUnknown, unknown));
    await expectBUnchanged();
  });

  it.each(listCases.map((c) => [c.field, c] as const))('should list only A records in %s', async (_, c) => {
    const res = await people.gql<{ list: { totalCount: number; nodes: { id: string }[] } }>(a.admin, c.query);
    const own = await c.rows(a);
    expect(dataOf(res).list.nodes.map((n) => n.id).sort()).toEqual([...own].sort());
    expect(dataOf(res).list.totalCount).toBe(own.length);
    const theirs = await c.rows(b);
    expect(theirs.length).toBeGreaterThan(0);
    for (const id of theirs) expect(JSON.stringify(res.body)).not.toContain(id);
  });

  it.each(ownWrites.map((c) => [c.field, c.label, c] as const))('should let %s act on A only: %s', async (_, __, c) => {
    await c.run();
    await expectBUnchanged();
  });

  it("should see A's sandbox, never B's", async () => {
    const res = await people.gql<{ organization: { sandbox: { id: string } } }>(a.admin, '{ organization { sandbox { id } } }');
    expect(dataOf(res).organization.sandbox.id).toBe(a.sandboxId);
    expect(JSON.stringify(res.body)).not.toContain(b.sandboxId);
  });
});

describe("A's sandbox", () => {
  const aTargets: [string, string, (t: Tenant) => string][] = [
    ['updateApiKey', UPDATE, (t) => t.liveKey],
    ['revokeApiKey', REVOKE, (t) => t.liveKey],
    ['deleteTrustedDocument', DELETE, (t) => t.document],
  ];

  it.each(aTargets)("should not reach A's live records through %s", async (_, query, target) => {
    const before = await snapshot(a);
    const res = await people.gql(a.testKey, query, { id: target(a) });
    expect(codeOf(res)).toBe('NOT_FOUND');
    // A's own snapshot may only differ by the test key's last use.
    expect(await snapshot(a)).toBe(before);
  });

  it('should list only the sandbox records', async () => {
    const keys = dataOf(await people.gql<{ apiKeys: { nodes: { id: string }[] } }>(a.testKey, '{ apiKeys(status: ALL, first: 100) { nodes { id } } }')).apiKeys;
    expect(keys.nodes.map((k) => k.id).sort()).toEqual((await keysOf([a.sandboxId])).sort());
    const documents = dataOf(await people.gql<{ trustedDocuments: { nodes: { id: string }[] } }>(a.testKey, '{ trustedDocuments(first: 100) { nodes { id } } }')).trustedDocuments;
    expect(documents.nodes.map((d) => d.id)).toEqual([a.sandboxDocument]);
  });
});

describe('the trusted-document route', () => {
  // (A may have registered the same body itself, as ownWrites does: then the document is A's own.)
  it("should never answer B's documents for A, nor for A's sandbox", async () => {
    for (const orgId of [a.org.id, a.sandboxId]) {
      const res = await people.internal('/internal/trusted-document', { orgId, id: b.sandboxDocument });
      expect(res.status).toBe(404);
      expect(JSON.stringify(res.body)).not.toContain('BSandbox');
    }
    expect((await people.internal('/internal/trusted-document', { orgId: a.sandboxId, id: b.document })).status).toBe(404);
    expect(await people.internal('/internal/trusted-document', { orgId: b.org.id, id: b.document })).toEqual({ status: 200, body: { body: b.documentBody } });
  });
});
