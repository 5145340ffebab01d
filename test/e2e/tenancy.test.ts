import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { Kind, parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIdentity, type Identity } from '../../subgraphs/shared/identity.ts';
import { createTestOrg, startTestGraph, type GraphQLBody, type TestGraph, type TestOrg, type TestUser } from '../helpers/graph.ts';
import { dataOf } from '../helpers/assertions.ts';

// Two organizations side by side: every root field of the people subgraph, called by A
// with B's ids, must answer as if B did not exist, and must leave B's rows untouched.

let graph: TestGraph;

/** What each organization holds; every id is a record the cases aim at. */
interface Tenant {
  label: string;
  org: TestOrg;
  admin: string;
  manager: TestUser;
  employee: string;
  employeeEmail: string;
  externalId: string;
  deactivatedUser: string;
  department: string;
  team: string;
  site: string;
  siteName: string;
  tag: string;
  tagName: string;
  note: string;
  apiKey: string;
  trustedDocument: string;
  trustedDocumentBody: string;
}
let a: Tenant;
let b: Tenant;
let bSnapshot: string;

type Body = GraphQLBody<unknown>;

function codeOf(res: { body: Body }): unknown {
  return res.body.errors?.[0]?.extensions?.['code'];
}

async function created(key: string, mutation: string, inputType: string, input: Record<string, unknown>): Promise<string> {
  const res = await graph.gql<Record<string, { id: string }>>(key, `mutation($input: ${inputType}!) { ${mutation}(input: $input) { id } }`, { input });
  return dataOf(res)[mutation]!.id;
}

/** Builds an organization through the gateway, the way a client would. */
async function createTenant(label: string): Promise<Tenant> {
  const org = await createTestOrg(graph.peopleDb, `Tenant ${label}`);
  const admin = org.admin.key;
  const manager = await org.addUser({ role: 'MANAGER', firstName: `${label}Mgr`, lastName: 'Manager' });
  const department = await created(admin, 'createDepartment', 'CreateDepartmentInput', { name: 'Operations', managerId: manager.id });
  const team = await created(admin, 'createTeam', 'CreateTeamInput', { name: 'Rota', departmentId: department });
  const siteName = `${label} depot`;
  const site = await created(admin, 'createSite', 'CreateSiteInput', { name: siteName });
  const tagName = `${label} keyholder`;
  const tag = await created(admin, 'createTag', 'CreateTagInput', { name: tagName });
  const employeeEmail = `${label.toLowerCase()}.employee@tenancy.example.com`;
  const externalId = `EXT-${label}`;
  const employee = await created(admin, 'createUser', 'CreateUserInput', {
    email: employeeEmail,
    firstName: `${label}person`,
    lastName: 'Employee',
    managerId: manager.id,
    departmentId: department,
    siteId: site,
    tagIds: [tag],
    teamIds: [team],
    externalId,
  });
  const deactivatedUser = await created(admin, 'createUser', 'CreateUserInput', {
    email: `${label.toLowerCase()}.gone@tenancy.example.com`,
    firstName: `${label}gone`,
    lastName: 'Leaver',
  });
  dataOf(await graph.gql(admin, 'mutation($id: ID!) { deactivateUser(id: $id) { id } }', { id: deactivatedUser }));
  const note = dataOf(
    await graph.gql<{ addUserNote: { id: string } }>(admin, 'mutation($u: ID!) { addUserNote(input: { userId: $u, body: "Private note" }) { id } }', {
      u: employee,
    }),
  ).addUserNote.id;
  const apiKey = dataOf(
    await graph.gql<{ createApiKey: { apiKey: { id: string } } }>(
      admin,
      'mutation { createApiKey(input: { name: "Integration", scopes: ["read:people"] }) { apiKey { id } } }',
    ),
  ).createApiKey.apiKey.id;
  const trustedDocumentBody = `query ${label}Directory { users { totalCount } }`;
  const trustedDocument = dataOf(
    await graph.gql<{ registerTrustedDocuments: { id: string }[] }>(
      admin,
      'mutation($body: String!) { registerTrustedDocuments(input: { documents: [{ name: "Directory", body: $body }] }) { id } }',
      { body: trustedDocumentBody },
    ),
  ).registerTrustedDocuments[0]!.id;
  return {
    label,
    org,
    admin,
    manager,
    employee,
    employeeEmail,
    externalId,
    deactivatedUser,
    department,
    team,
    site,
    siteName,
    tag,
    tagName,
    note,
    apiKey,
    trustedDocument,
    trustedDocumentBody,
  };
}

const TABLES = ['users', 'departments', 'teams', 'team_members', 'sites', 'tags', 'user_tags', 'user_notes', 'api_keys', 'trusted_documents'] as const;

/** Every people row of an organization, as a stable string (last use of a key is bookkeeping, not data). */
async function snapshot(orgId: string): Promise<string> {
  const db = graph.peopleDb;
  const parts: Record<string, string[]> = {
    organizations: (await db.selectFrom('organizations').selectAll().where('id', '=', orgId).execute()).map((r) => JSON.stringify(r)),
  };
  for (const table of TABLES) {
    // One representative table type: the query is the same for each.
    const rows = await db
      .selectFrom(table as 'users')
      .selectAll()
      .where('org_id', '=', orgId)
      .execute();
    parts[table] = rows.map((row) => JSON.stringify({ ...row, last_used_at: undefined })).sort();
  }
  return JSON.stringify(parts);
}

async function expectBUnchanged(): Promise<void> {
  expect(await snapshot(b.org.id)).toBe(bSnapshot);
}

/** The response with `id` replaced, to compare the answer for B's id with the answer for an unknown one. */
function normalized(res: { status: number; body: Body }, id: string): string {
  return JSON.stringify({ status: res.status, body: res.body }).replaceAll(id, '<id>');
}

beforeAll(async () => {
  graph = await startTestGraph();
  a = await createTenant('A');
  b = await createTenant('B');
  bSnapshot = await snapshot(b.org.id);
});
afterAll(() => graph.stop());

// ---------------------------------------------------------------- cases

/** A field taking an id: B's id must give exactly the NOT_FOUND an unknown id gives. */
interface NotFoundCase {
  readonly field: string;
  readonly query: string;
  readonly target: (t: Tenant) => string;
  readonly variables?: (id: string) => Record<string, unknown>;
}
const notFoundQueries: NotFoundCase[] = [
  { field: 'user', query: 'query($id: ID!) { user(id: $id) { id email name } }', target: (t) => t.employee },
  { field: 'department', query: 'query($id: ID!) { department(id: $id) { id name } }', target: (t) => t.department },
  { field: 'team', query: 'query($id: ID!) { team(id: $id) { id name } }', target: (t) => t.team },
  { field: 'site', query: 'query($id: ID!) { site(id: $id) { id name } }', target: (t) => t.site },
];
const notFoundMutations: NotFoundCase[] = [
  { field: 'updateUser', query: 'mutation($id: ID!) { updateUser(id: $id, input: { firstName: "Taken" }) { id } }', target: (t) => t.employee },
  { field: 'deactivateUser', query: 'mutation($id: ID!) { deactivateUser(id: $id) { id } }', target: (t) => t.employee },
  { field: 'reactivateUser', query: 'mutation($id: ID!) { reactivateUser(id: $id) { id } }', target: (t) => t.deactivatedUser },
  { field: 'updateDepartment', query: 'mutation($id: ID!) { updateDepartment(id: $id, input: { name: "Taken" }) { id } }', target: (t) => t.department },
  { field: 'deactivateDepartment', query: 'mutation($id: ID!) { deactivateDepartment(id: $id) { id } }', target: (t) => t.department },
  { field: 'updateTeam', query: 'mutation($id: ID!) { updateTeam(id: $id, input: { name: "Taken", memberIds: [] }) { id } }', target: (t) => t.team },
  { field: 'deactivateTeam', query: 'mutation($id: ID!) { deactivateTeam(id: $id) { id } }', target: (t) => t.team },
  { field: 'updateSite', query: 'mutation($id: ID!) { updateSite(id: $id, input: { name: "Taken" }) { id } }', target: (t) => t.site },
  { field: 'deactivateSite', query: 'mutation($id: ID!) { deactivateSite(id: $id) { id } }', target: (t) => t.site },
  { field: 'updateTag', query: 'mutation($id: ID!) { updateTag(id: $id, input: { name: "Taken" }) { id } }', target: (t) => t.tag },
  { field: 'deleteTag', query: 'mutation($id: ID!) { deleteTag(id: $id) { id } }', target: (t) => t.tag },
  {
    field: 'addUserNote',
    query: 'mutation($id: ID!) { addUserNote(input: { userId: $id, body: "Planted note" }) { id } }',
    target: (t) => t.employee,
  },
  { field: 'deleteUserNote', query: 'mutation($id: ID!) { deleteUserNote(id: $id) { id } }', target: (t) => t.note },
  { field: 'revokeApiKey', query: 'mutation($id: ID!) { revokeApiKey(id: $id) { id } }', target: (t) => t.apiKey },
  {
    field: 'updateApiKey',
    query: 'mutation($id: ID!) { updateApiKey(id: $id, input: { name: "Taken", ipAllowlist: [], requestsPerHour: null }) { id } }',
    target: (t) => t.apiKey,
  },
  { field: 'deleteTrustedDocument', query: 'mutation($id: ID!) { deleteTrustedDocument(id: $id) { id body } }', target: (t) => t.trustedDocument },
];

/** A write of A that references B's records: refused exactly like an unknown id. */
interface BadInputCase {
  readonly field: string;
  readonly label: string;
  readonly query: string;
  readonly variables: (id: string) => Record<string, unknown>;
  readonly target: (t: Tenant) => string;
  readonly inputField: string;
}
const CREATE_USER = 'mutation($input: CreateUserInput!) { createUser(input: $input) { id } }';
const newUser = (extra: Record<string, unknown>) => ({ input: { email: `${randomUUID()}@tenancy.example.com`, firstName: 'New', lastName: 'Hire', ...extra } });
const badInputMutations: BadInputCase[] = [
  { field: 'createUser', label: 'departmentId', query: CREATE_USER, variables: (id) => newUser({ departmentId: id }), target: (t) => t.department, inputField: 'input.departmentId' },
  { field: 'createUser', label: 'managerId', query: CREATE_USER, variables: (id) => newUser({ managerId: id }), target: (t) => t.manager.id, inputField: 'input.managerId' },
  { field: 'createUser', label: 'siteId', query: CREATE_USER, variables: (id) => newUser({ siteId: id }), target: (t) => t.site, inputField: 'input.siteId' },
  { field: 'createUser', label: 'tagIds', query: CREATE_USER, variables: (id) => newUser({ tagIds: [id] }), target: (t) => t.tag, inputField: 'input.tagIds' },
  { field: 'createUser', label: 'teamIds', query: CREATE_USER, variables: (id) => newUser({ teamIds: [id] }), target: (t) => t.team, inputField: 'input.teamIds' },
  {
    field: 'createTeam',
    label: 'departmentId',
    query: 'mutation($id: ID!) { createTeam(input: { name: "Cross team", departmentId: $id }) { id } }',
    variables: (id) => ({ id }),
    target: (t) => t.department,
    inputField: 'input.departmentId',
  },
  {
    field: 'createTeam',
    label: 'memberIds',
    query: 'mutation($id: ID!) { createTeam(input: { name: "Cross team", memberIds: [$id] }) { id } }',
    variables: (id) => ({ id }),
    target: (t) => t.employee,
    inputField: 'input.memberIds',
  },
  {
    field: 'createDepartment',
    label: 'managerId',
    query: 'mutation($id: ID!) { createDepartment(input: { name: "Cross department", managerId: $id }) { id } }',
    variables: (id) => ({ id }),
    target: (t) => t.manager.id,
    inputField: 'input.managerId',
  },
  {
    field: 'createApiKey',
    label: 'userId',
    query: 'mutation($id: ID!) { createApiKey(input: { name: "Cross key", scopes: ["admin"], userId: $id }) { secret } }',
    variables: (id) => ({ id }),
    target: (t) => t.employee,
    inputField: 'input.userId',
  },
  {
    field: 'updateUser',
    label: "A's user moved into B's department",
    query: 'mutation($me: ID!, $id: ID) { updateUser(id: $me, input: { departmentId: $id }) { id } }',
    variables: (id) => ({ me: a.employee, id }),
    target: (t) => t.department,
    inputField: 'input.departmentId',
  },
  {
    field: 'updateDepartment',
    label: "A's department managed by B's manager",
    query: 'mutation($d: ID!, $id: ID) { updateDepartment(id: $d, input: { managerId: $id }) { id } }',
    variables: (id) => ({ d: a.department, id }),
    target: (t) => t.manager.id,
    inputField: 'input.managerId',
  },
  {
    field: 'updateTeam',
    label: "A's team given B's member",
    query: 'mutation($team: ID!, $id: ID!) { updateTeam(id: $team, input: { memberIds: [$id] }) { id } }',
    variables: (id) => ({ team: a.team, id }),
    target: (t) => t.employee,
    inputField: 'input.memberIds',
  },
];

/** Reads that list records: A sees exactly its own rows (checked against the database). */
interface ListCase {
  readonly field: string;
  readonly query: string;
  readonly table: (typeof TABLES)[number];
}
const listQueries: ListCase[] = [
  { field: 'users', query: '{ list: users(first: 100, filter: { status: ALL }) { totalCount nodes { id } } }', table: 'users' },
  { field: 'departments', query: '{ list: departments(status: ALL, first: 100) { totalCount nodes { id } } }', table: 'departments' },
  { field: 'teams', query: '{ list: teams(status: ALL, first: 100) { totalCount nodes { id } } }', table: 'teams' },
  { field: 'sites', query: '{ list: sites(status: ALL, first: 100) { totalCount nodes { id } } }', table: 'sites' },
  { field: 'tags', query: '{ list: tags(first: 100) { totalCount nodes { id } } }', table: 'tags' },
  { field: 'apiKeys', query: '{ list: apiKeys(status: ALL, first: 100) { totalCount nodes { id } } }', table: 'api_keys' },
  { field: 'trustedDocuments', query: '{ list: trustedDocuments(first: 100) { totalCount nodes { id } } }', table: 'trusted_documents' },
];

/** `users` filters aimed at B's records find nothing. */
const userFilters: [string, (t: Tenant) => Record<string, unknown>][] = [
  ['departmentId', (t) => ({ departmentId: t.department })],
  ['teamId', (t) => ({ teamId: t.team })],
  ['siteId', (t) => ({ siteId: t.site })],
  ['managerId', (t) => ({ managerId: t.manager.id })],
  ['tagId', (t) => ({ tagId: t.tag })],
  ['externalId', (t) => ({ externalId: t.externalId })],
  ['email', (t) => ({ email: t.employeeEmail })],
  ['search', (t) => ({ search: `${t.label}person` })],
];

/** Writes that succeed for A: they must land in A only. */
const ownWrites: { field: string; label: string; run: () => Promise<void> }[] = [
  {
    field: 'updateOrganization',
    label: "changes A's settings only",
    run: async () => {
      const res = await graph.gql<{ updateOrganization: { id: string; name: string } }>(
        a.admin,
        'mutation { updateOrganization(input: { name: "Tenant A renamed", leaveYearStartMonth: 4 }) { id name } }',
      );
      expect(dataOf(res).updateOrganization).toEqual({ id: a.org.id, name: 'Tenant A renamed' });
      const row = await graph.peopleDb.selectFrom('organizations').select(['name', 'leave_year_start_month']).where('id', '=', a.org.id).executeTakeFirstOrThrow();
      expect(row).toEqual({ name: 'Tenant A renamed', leave_year_start_month: 4 });
    },
  },
  {
    field: 'createSite',
    label: "creates in A, even with the name of B's site",
    run: async () => {
      const id = await created(a.admin, 'createSite', 'CreateSiteInput', { name: b.siteName });
      const row = await graph.peopleDb.selectFrom('sites').select('org_id').where('id', '=', id).executeTakeFirstOrThrow();
      expect(row.org_id).toBe(a.org.id);
    },
  },
  {
    field: 'createTag',
    label: "creates in A, even with the name of B's tag",
    run: async () => {
      const id = await created(a.admin, 'createTag', 'CreateTagInput', { name: b.tagName.toUpperCase() });
      const row = await graph.peopleDb.selectFrom('tags').select('org_id').where('id', '=', id).executeTakeFirstOrThrow();
      expect(row.org_id).toBe(a.org.id);
    },
  },
  {
    field: 'createUser',
    label: "creates in A, even with the email and externalId of B's user",
    run: async () => {
      const id = await created(a.admin, 'createUser', 'CreateUserInput', {
        email: b.employeeEmail,
        externalId: b.externalId,
        firstName: 'Same',
        lastName: 'Email',
      });
      const row = await graph.peopleDb.selectFrom('users').select('org_id').where('id', '=', id).executeTakeFirstOrThrow();
      expect(row.org_id).toBe(a.org.id);
    },
  },
  {
    field: 'registerTrustedDocuments',
    label: "registers in A, even with the exact body of B's document",
    run: async () => {
      const res = await graph.gql<{ registerTrustedDocuments: { id: string }[] }>(
        a.admin,
        'mutation($body: String!) { registerTrustedDocuments(input: { documents: [{ name: "Copied", body: $body }] }) { id } }',
        { body: b.trustedDocumentBody },
      );
      expect(dataOf(res).registerTrustedDocuments).toEqual([{ id: b.trustedDocument }]);
      const rows = await graph.peopleDb.selectFrom('trusted_documents').select(['org_id', 'name']).where('id', '=', b.trustedDocument).orderBy('name').execute();
      expect(rows).toEqual([
        { org_id: a.org.id, name: 'Copied' },
        { org_id: b.org.id, name: 'Directory' },
      ]);
    },
  },
  {
    field: 'createDepartment',
    label: 'creates in A',
    run: async () => {
      const id = await created(a.admin, 'createDepartment', 'CreateDepartmentInput', { name: 'A only' });
      const row = await graph.peopleDb.selectFrom('departments').select('org_id').where('id', '=', id).executeTakeFirstOrThrow();
      expect(row.org_id).toBe(a.org.id);
    },
  },
];

const otherQueries = ['me', 'organization'];

// ---------------------------------------------------------------- coverage

describe('coverage', () => {
  const sdl = parse(fs.readFileSync(new URL('../../subgraphs/people/schema.graphql', import.meta.url), 'utf8'));
  const rootFields = (name: string): string[] =>
    sdl.definitions
      .flatMap((d) => ((d.kind === Kind.OBJECT_TYPE_DEFINITION || d.kind === Kind.OBJECT_TYPE_EXTENSION) && d.name.value === name ? (d.fields ?? []) : []))
      .map((f) => f.name.value)
      .sort();
  const covered = (fields: string[]) => [...new Set(fields)].sort();

  it('should have a tenancy case for every Query field of the people schema', () => {
    const fields = [...notFoundQueries.map((c) => c.field), ...listQueries.map((c) => c.field), ...otherQueries];
    expect(covered(fields)).toEqual(rootFields('Query'));
  });

  it('should have a tenancy case for every Mutation field of the people schema', () => {
    const fields = [...notFoundMutations.map((c) => c.field), ...badInputMutations.map((c) => c.field), ...ownWrites.map((c) => c.field)];
    expect(covered(fields)).toEqual(rootFields('Mutation'));
  });
});

// ---------------------------------------------------------------- queries

describe('queries', () => {
  it('should answer me and organization with A only', async () => {
    const res = await graph.gql<{ me: { id: string }; organization: { id: string } }>(a.admin, '{ me { id } organization { id } }');
    expect(dataOf(res)).toEqual({ me: { id: a.org.admin.id }, organization: { id: a.org.id } });
  });

  it.each(notFoundQueries.map((c) => [c.field, c] as const))("should answer %s with B's id exactly like an unknown id", async (_, c) => {
    const bId = c.target(b);
    const unknown = randomUUID();
    const withB = await graph.gql(a.admin, c.query, c.variables?.(bId) ?? { id: bId });
    const withUnknown = await graph.gql(a.admin, c.query, c.variables?.(unknown) ?? { id: unknown });
    expect(codeOf(withB)).toBe('NOT_FOUND');
    expect(normalized(withB, bId)).toBe(normalized(withUnknown, unknown));
    // And A's own record is found by the same query.
    const own = await graph.gql<Record<string, { id: string }>>(a.admin, c.query, c.variables?.(c.target(a)) ?? { id: c.target(a) });
    expect(dataOf(own)[c.field]?.id).toBe(c.target(a));
  });

  it.each(listQueries.map((c) => [c.field, c] as const))('should list only A records in %s', async (_, c) => {
    const res = await graph.gql<{ list: { totalCount: number; nodes: { id: string }[] } }>(a.admin, c.query);
    const list = dataOf(res).list;
    const own = await graph.peopleDb
      .selectFrom(c.table as 'users')
      .select('id')
      .where('org_id', '=', a.org.id)
      .execute();
    expect(list.nodes.map((n) => n.id).sort()).toEqual(own.map((r) => r.id).sort());
    expect(list.totalCount).toBe(own.length);
    const theirs = await graph.peopleDb
      .selectFrom(c.table as 'users')
      .select('id')
      .where('org_id', '=', b.org.id)
      .execute();
    expect(theirs.length).toBeGreaterThan(0);
    for (const row of theirs) expect(JSON.stringify(res.body)).not.toContain(row.id);
  });

  it.each(userFilters)("should find no user when users is filtered by B's %s", async (_, filter) => {
    const query = 'query($f: UserFilter) { users(filter: $f, first: 100) { totalCount nodes { id } } }';
    const res = await graph.gql<{ users: { totalCount: number; nodes: { id: string }[] } }>(a.admin, query, { f: { ...filter(b), status: 'ALL' } });
    expect(dataOf(res).users).toEqual({ totalCount: 0, nodes: [] });
    // The same filter aimed at A's own record does find it.
    const own = await graph.gql<{ users: { totalCount: number } }>(a.admin, query, { f: { ...filter(a), status: 'ALL' } });
    expect(dataOf(own).users.totalCount).toBeGreaterThan(0);
  });
});

// ---------------------------------------------------------------- mutations

describe('mutations', () => {
  it.each(notFoundMutations.map((c) => [c.field, c] as const))("should answer %s with B's id exactly like an unknown id, changing nothing", async (_, c) => {
    const bId = c.target(b);
    const unknown = randomUUID();
    const withB = await graph.gql(a.admin, c.query, c.variables?.(bId) ?? { id: bId });
    const withUnknown = await graph.gql(a.admin, c.query, c.variables?.(unknown) ?? { id: unknown });
    expect(codeOf(withB), JSON.stringify(withB.body)).toBe('NOT_FOUND');
    expect(normalized(withB, bId)).toBe(normalized(withUnknown, unknown));
    await expectBUnchanged();
  });

  it.each(badInputMutations.map((c) => [c.field, c.label, c] as const))(
    "should refuse %s referencing B's %s exactly like an unknown id",
    async (_, __, c) => {
      const bId = c.target(b);
      const unknown = randomUUID();
      const withB = await graph.gql(a.admin, c.query, c.variables(bId));
      const withUnknown = await graph.gql(a.admin, c.query, c.variables(unknown));
      expect(codeOf(withB), JSON.stringify(withB.body)).toBe('BAD_USER_INPUT');
      expect(withB.body.errors?.[0]?.extensions?.['field']).toBe(c.inputField);
      // Emails in `newUser` are random: compare the errors, not the whole request echo.
      expect(normalized(withB, bId)).toBe(normalized(withUnknown, unknown));
      await expectBUnchanged();
    },
  );

  it.each(ownWrites.map((c) => [c.field, c.label, c] as const))('should let %s act on A only: %s', async (_, __, c) => {
    await c.run();
    await expectBUnchanged();
  });

  it("should leave A's users count blind to B", async () => {
    const res = await graph.gql<{ users: { totalCount: number } }>(a.admin, '{ users(filter: { status: ALL }) { totalCount } }');
    const own = await graph.peopleDb.selectFrom('users').select('id').where('org_id', '=', a.org.id).execute();
    const all = await graph.peopleDb.selectFrom('users').select('id').execute();
    expect(dataOf(res).users.totalCount).toBe(own.length);
    expect(all.length).toBeGreaterThan(own.length);
  });
});

// ---------------------------------------------------------------- around the gateway

describe('the people subgraph', () => {
  const identityOf = (t: Tenant): Identity => ({
    orgId: t.org.id,
    userId: t.org.admin.id,
    role: 'ADMIN',
    scopes: ['admin'],
    keyId: null,
    authMethod: 'api-key',
  });
  const ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) {
    ... on User { id email }
    ... on Department { id name }
    ... on Organization { id name }
  } }`;

  /** Signs the body to be sent (its exact text) as the test case says. */
  type Signer = (body: string) => Record<string, string>;
  const gatewaySigns =
    (identity: Identity, now?: number): Signer =>
    (body) =>
      signIdentity(identity, graph.identitySecret, { audience: 'people', body }, now);

  async function postToPeople(sign: Signer, query: string, variables: Record<string, unknown> = {}, path = '/graphql') {
    const body = JSON.stringify({ query, variables });
    const response = await fetch(`${graph.people.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...sign(body) },
      body,
    });
    return { status: response.status, body: (await response.json()) as GraphQLBody<{ _entities: ({ id: string } | null)[] }> };
  }

  it("should not resolve B's entities for A's identity", async () => {
    const representations = [
      { __typename: 'User', id: b.employee },
      { __typename: 'User', id: a.employee },
      { __typename: 'Department', id: b.department },
      { __typename: 'Department', id: a.department },
      { __typename: 'Organization', id: b.org.id },
      { __typename: 'Organization', id: a.org.id },
      { __typename: 'User', id: 'not-an-id' },
    ];
    const res = await postToPeople(gatewaySigns(identityOf(a)), ENTITIES, { r: representations });
    expect(res.status).toBe(200);
    const entities = dataOf(res)._entities;
    expect(entities.map((e) => e?.id ?? null)).toEqual([null, a.employee, null, a.department, null, a.org.id, null]);
    expect(JSON.stringify(res.body)).not.toContain(b.employeeEmail);
  });

  const forged: [string, () => Signer, string, string?][] = [
    ['no signature', () => () => ({}), 'missing signature'],
    ['a signature made with another secret', () => (body) => signIdentity(identityOf(a), 'not the secret', { audience: 'people', body }), 'bad signature'],
    ['a signature older than the 30 s window', () => gatewaySigns(identityOf(a), Date.now() - 31_000), 'expired signature'],
    ['a signature dated more than 30 s ahead', () => gatewaySigns(identityOf(a), Date.now() + 31_000), 'expired signature'],
    [
      "A's signature over B's identity",
      () => (body) => {
        const signed = gatewaySigns(identityOf(a))(body);
        const other = signIdentity(identityOf(b), 'whatever', { audience: 'people', body });
        return { 'x-leave-identity': other['x-leave-identity']!, 'x-leave-signature': signed['x-leave-signature']! };
      },
      'bad signature',
    ],
    // A captured header replayed with another query: the signature binds the body's bytes.
    ['a valid header signed for another body', () => () => gatewaySigns(identityOf(a))(JSON.stringify({ query: '{ organization { id } }' })), 'signed for another request body'],
    // A header captured on its way to leave, replayed against people.
    ['a valid header signed for the leave subgraph', () => (body) => signIdentity(identityOf(a), graph.identitySecret, { audience: 'leave', body }), 'signed for another subgraph'],
    ['no signature, on the internal key check', () => () => ({}), 'missing signature', '/internal/verify-api-key'],
    [
      "a header signed for another body, on the internal key check",
      () => () => signIdentity(null, graph.identitySecret, { audience: 'people', body: '{}' }),
      'signed for another request body',
      '/internal/verify-api-key',
    ],
  ];

  it.each(forged)('should answer 401 to a request with %s', async (_, signer, reason, path) => {
    const res = await postToPeople(signer(), ENTITIES, { r: [{ __typename: 'User', id: a.employee }] }, path);
    expect(res.status).toBe(401);
    expect(res.body.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    expect(res.body.errors?.[0]?.message).toContain(reason);
    expect(JSON.stringify(res.body)).not.toContain(a.employee);
  });

  it('should accept a fresh signature of the gateway secret, within the window either way', async () => {
    for (const skew of [-25_000, 25_000]) {
      const res = await postToPeople(gatewaySigns(identityOf(a), Date.now() + skew), '{ organization { id } }');
      expect(res.status).toBe(200);
      expect(res.body.data).toEqual({ organization: { id: a.org.id } });
    }
  });

  it('should refuse, on leave, a header the gateway signed for people, and accept the one signed for leave', async () => {
    const body = JSON.stringify({ query: '{ __typename }' });
    const send = (audience: string) =>
      fetch(`${graph.leave.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...signIdentity(identityOf(a), graph.identitySecret, { audience, body }) },
        body,
      });
    expect((await send('people')).status).toBe(401);
    expect((await send('leave')).status).toBe(200);
  });
});

// ---------------------------------------------------------------- webhooks

// Endpoints at a public address literal (no DNS, registration passes the production SSRF
// check), disabled so that nothing leaves the machine; sendTestWebhook still makes a
// delivery and a logged attempt ("endpoint is disabled") for the log cases.
describe('webhooks', () => {
  const WEBHOOK_ROOT_FIELDS = {
    Query: ['webhookEventTypes', 'webhookEndpoints', 'webhookEndpoint', 'webhookDeliveries', 'webhookDeliveryAttempts'],
    Mutation: ['createWebhookEndpoint', 'updateWebhookEndpoint', 'deleteWebhookEndpoint', 'rotateWebhookSecret', 'redeliverWebhook', 'sendTestWebhook'],
  };
  let aEndpoint: string;
  let bEndpoint: string;
  let bDelivery: string;

  async function endpointFor(t: Tenant): Promise<{ endpoint: string; delivery: string }> {
    const res = await graph.gql<{ createWebhookEndpoint: { endpoint: { id: string } } }>(
      t.admin,
      'mutation { createWebhookEndpoint(input: { url: "https://93.184.215.14/hook", enabled: false }) { endpoint { id } } }',
    );
    const endpoint = dataOf(res).createWebhookEndpoint.endpoint.id;
    const sent = await graph.gql<{ sendTestWebhook: { id: string } }>(t.admin, 'mutation($id: ID!) { sendTestWebhook(id: $id) { id } }', { id: endpoint });
    const delivery = dataOf(sent).sendTestWebhook.id;
    await waitForFailed(t.admin, delivery);
    return { endpoint, delivery };
  }

  async function waitForFailed(key: string, delivery: string): Promise<void> {
    for (let i = 0; i < 500; i++) {
      const res = await graph.gql<{ webhookDeliveries: { nodes: { id: string; status: string }[] } }>(key, '{ webhookDeliveries(first: 100) { nodes { id status } } }');
      if (dataOf(res).webhookDeliveries.nodes.some((d) => d.id === delivery && d.status === 'FAILED')) return;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('the test delivery did not finish');
  }

  beforeAll(async () => {
    aEndpoint = (await endpointFor(a)).endpoint;
    const bOwn = await endpointFor(b);
    bEndpoint = bOwn.endpoint;
    bDelivery = bOwn.delivery;
  });

  it('should have a tenancy case for every root field of the webhooks schema', () => {
    const sdl = parse(fs.readFileSync(new URL('../../subgraphs/webhooks/schema.graphql', import.meta.url), 'utf8'));
    for (const type of ['Query', 'Mutation'] as const) {
      const fields = sdl.definitions
        .flatMap((d) => (d.kind === Kind.OBJECT_TYPE_DEFINITION && d.name.value === type ? (d.fields ?? []) : []))
        .map((f) => f.name.value)
        .sort();
      expect(fields).toEqual([...WEBHOOK_ROOT_FIELDS[type]].sort());
    }
  });

  it("should show A only A's endpoints, deliveries and log, and the shared catalogue", async () => {
    const res = await graph.gql<{
      webhookEventTypes: { totalCount: number };
      webhookEndpoints: { nodes: { id: string }[] };
      webhookEndpoint: unknown;
      webhookDeliveries: { totalCount: number; nodes: { endpointId: string }[] };
      webhookDeliveryAttempts: { totalCount: number; nodes: { endpointId: string }[] };
      byB: { totalCount: number; nodes: unknown[] };
      logByB: { totalCount: number; nodes: unknown[] };
    }>(
      a.admin,
      `query($b: ID!, $d: ID!) { webhookEventTypes { totalCount } webhookEndpoints(first: 100) { nodes { id } } webhookEndpoint(id: $b) { id }
        webhookDeliveries(first: 100) { totalCount nodes { endpointId } } webhookDeliveryAttempts(first: 100) { totalCount nodes { endpointId } }
        byB: webhookDeliveries(filter: { endpointId: $b }) { totalCount nodes { id } } logByB: webhookDeliveryAttempts(filter: { deliveryId: $d }) { totalCount nodes { id } } }`,
      { b: bEndpoint, d: bDelivery },
    );
    const seen = dataOf(res);
    expect(seen.webhookEventTypes.totalCount).toBeGreaterThan(0);
    expect(seen.webhookEndpoints.nodes.map((n) => n.id)).toEqual([aEndpoint]);
    expect(seen.webhookEndpoint).toBeNull();
    expect(seen.webhookDeliveries.nodes.map((n) => n.endpointId)).toEqual([aEndpoint]);
    expect(seen.webhookDeliveryAttempts.nodes.map((n) => n.endpointId)).toEqual([aEndpoint]);
    expect(seen.byB.nodes).toEqual([]);
    expect(seen.logByB.nodes).toEqual([]);
    // The counts are A's too.
    expect([seen.webhookDeliveries.totalCount, seen.webhookDeliveryAttempts.totalCount, seen.byB.totalCount, seen.logByB.totalCount]).toEqual([1, 1, 0, 0]);
  });

  it.each([
    ['updateWebhookEndpoint', 'mutation($id: ID!) { updateWebhookEndpoint(id: $id, input: { description: "taken" }) { id } }', () => bEndpoint],
    ['rotateWebhookSecret', 'mutation($id: ID!) { rotateWebhookSecret(id: $id) { signingSecret } }', () => bEndpoint],
    ['sendTestWebhook', 'mutation($id: ID!) { sendTestWebhook(id: $id) { id } }', () => bEndpoint],
    ['redeliverWebhook', 'mutation($id: ID!) { redeliverWebhook(id: $id) { id } }', () => bDelivery],
  ])("should answer %s with B's id exactly like an unknown id", async (_, query, target) => {
    const withB = await graph.gql(a.admin, query, { id: target() });
    const unknown = randomUUID();
    const withUnknown = await graph.gql(a.admin, query, { id: unknown });
    expect(codeOf(withB)).toBe('NOT_FOUND');
    expect(normalized(withB, target())).toBe(normalized(withUnknown, unknown));
  });

  it("should not delete B's endpoint, and create A's own in A", async () => {
    const res = await graph.gql<{ deleteWebhookEndpoint: boolean }>(a.admin, 'mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }', { id: bEndpoint });
    expect(dataOf(res).deleteWebhookEndpoint).toBe(false);
    const asB = await graph.gql<{ webhookEndpoint: { id: string; description: string | null } }>(b.admin, 'query($id: ID!) { webhookEndpoint(id: $id) { id description } }', { id: bEndpoint });
    expect(dataOf(asB).webhookEndpoint).toEqual({ id: bEndpoint, description: null });
    const bDeliveries = await graph.gql<{ webhookDeliveries: { nodes: { id: string }[] } }>(b.admin, '{ webhookDeliveries(first: 100) { nodes { id } } }');
    expect(dataOf(bDeliveries).webhookDeliveries.nodes.map((n) => n.id)).toEqual([bDelivery]);
    const mine = await graph.gql<{ webhookEndpoints: { totalCount: number } }>(b.admin, '{ webhookEndpoints { totalCount } }');
    expect(dataOf(mine).webhookEndpoints.totalCount).toBe(1);
  });
});
