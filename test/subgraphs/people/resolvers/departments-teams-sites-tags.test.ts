import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestOrg, startTestGraph, type TestGraph, type TestOrg, type TestUser } from '../../../helpers/graph.ts';
import { dataOf, expectError } from '../../../helpers/assertions.ts';

let graph: TestGraph;
let org: TestOrg;
let other: TestOrg;
let admin: string;
let manager: TestUser;
let employee: TestUser;
let deactivated: TestUser;
let otherUser: TestUser;

type Record_ = { id: string; name: string; active: boolean };

/** The three named, deactivatable kinds share one set of behaviours. */
const KINDS = [
  { one: 'department', list: 'departments', type: 'Department', extra: {} },
  { one: 'team', list: 'teams', type: 'Team', extra: { description: 'Night crew' } },
  { one: 'site', list: 'sites', type: 'Site', extra: { timeZone: 'Europe/London', country: 'GB', region: 'ENG', address: '1 High Street' } },
] as const;
type Kind = (typeof KINDS)[number];

/** Tags have no activity; the other kinds do. */
const defaultSelection = (kind: { type: string }) => (kind.type === 'Tag' ? 'id name' : 'id name active');

function create(key: string, kind: Kind | { type: string }, input: Record<string, unknown>, selection = defaultSelection(kind)) {
  return graph.gql<Record<string, Record_>>(key, `mutation($input: Create${kind.type}Input!) { create${kind.type}(input: $input) { ${selection} } }`, {
    input,
  });
}

function update(key: string, kind: Kind | { type: string }, id: string, input: Record<string, unknown>, selection = defaultSelection(kind)) {
  return graph.gql<Record<string, Record_>>(
    key,
    `mutation($id: ID!, $input: Update${kind.type}Input!) { update${kind.type}(id: $id, input: $input) { ${selection} } }`,
    { id, input },
  );
}

function deactivate(key: string, kind: Kind, id: string) {
  return graph.gql<Record<string, Record_>>(key, `mutation($id: ID!) { deactivate${kind.type}(id: $id) { id name active } }`, { id });
}

async function createdId(key: string, kind: Kind | { type: string }, input: Record<string, unknown>): Promise<string> {
  const record = dataOf(await create(key, kind, input))[`create${kind.type}`];
  if (!record) throw new Error('nothing created');
  return record.id;
}

async function listNames(kind: Kind, status: string): Promise<string[]> {
  const res = await graph.gql<Record<string, { totalCount: number; nodes: { name: string }[] }>>(
    admin,
    `query($status: ActivityStatus) { ${kind.list}(status: $status, first: 100) { totalCount nodes { name } } }`,
    { status },
  );
  const connection = dataOf(res)[kind.list]!;
  expect(connection.totalCount).toBe(connection.nodes.length);
  return connection.nodes.map((n) => n.name);
}

const DEPARTMENT = 'department';
const KIND_BY_NAME = Object.fromEntries(KINDS.map((k) => [k.one, k])) as Record<Kind['one'], Kind>;

beforeAll(async () => {
  graph = await startTestGraph();
  org = await createTestOrg(graph.peopleDb, 'Structure Org');
  other = await createTestOrg(graph.peopleDb, 'Other Org');
  admin = org.admin.key;
  manager = await org.addUser({ role: 'MANAGER', firstName: 'Mona', lastName: 'Manager' });
  employee = await org.addUser({ role: 'EMPLOYEE', firstName: 'Eve', lastName: 'Employee', managerId: manager.id });
  deactivated = await org.addUser({ firstName: 'Dee', lastName: 'Gone' });
  dataOf(await graph.gql(admin, 'mutation($id: ID!) { deactivateUser(id: $id) { id } }', { id: deactivated.id }));
  otherUser = await other.addUser({ role: 'MANAGER' });
});
afterAll(() => graph.stop());

describe.each(KINDS)('$list', (kind) => {
  it(`should create, update and deactivate a ${kind.one}`, async () => {
    const created = dataOf(await create(admin, kind, { name: `  First ${kind.one} `, ...kind.extra }))[`create${kind.type}`]!;
    expect(created).toMatchObject({ name: `First ${kind.one}`, active: true });

    const updated = dataOf(await update(admin, kind, created.id, { name: `Renamed ${kind.one}` }))[`update${kind.type}`]!;
    expect(updated).toEqual({ id: created.id, name: `Renamed ${kind.one}`, active: true });

    const read = await graph.gql<Record<string, Record_>>(admin, `query($id: ID!) { ${kind.one}(id: $id) { id name active createdAt } }`, {
      id: created.id,
    });
    expect(dataOf(read)[kind.one]).toMatchObject({ id: created.id, name: `Renamed ${kind.one}`, active: true });

    const gone = dataOf(await deactivate(admin, kind, created.id))[`deactivate${kind.type}`]!;
    expect(gone).toEqual({ id: created.id, name: `Renamed ${kind.one}`, active: false });
    // Deactivating again is a no-op.
    expect(dataOf(await deactivate(admin, kind, created.id))[`deactivate${kind.type}`]).toMatchObject({ active: false });
    const row = await graph.peopleDb
      .selectFrom(kind.list)
      .select(['org_id', 'deactivated_at'])
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow();
    expect(row.org_id).toBe(org.id);
    expect(row.deactivated_at).toBeInstanceOf(Date);
  });

  it(`should list ${kind.list} by status`, async () => {
    await createdId(admin, kind, { name: `Listed active ${kind.one}` });
    const retired = await createdId(admin, kind, { name: `Listed retired ${kind.one}` });
    dataOf(await deactivate(admin, kind, retired));

    const active = await listNames(kind, 'ACTIVE');
    const inactive = await listNames(kind, 'DEACTIVATED');
    const all = await listNames(kind, 'ALL');
    expect(active).toContain(`Listed active ${kind.one}`);
    expect(active).not.toContain(`Listed retired ${kind.one}`);
    expect(inactive).toContain(`Listed retired ${kind.one}`);
    expect(inactive).not.toContain(`Listed active ${kind.one}`);
    expect([...all].sort()).toEqual([...active, ...inactive].sort());
    // Default status is ACTIVE.
    const byDefault = await graph.gql<Record<string, { nodes: { name: string }[] }>>(admin, `{ ${kind.list}(first: 100) { nodes { name } } }`);
    expect(dataOf(byDefault)[kind.list]!.nodes.map((n) => n.name)).toEqual(active);
  });

  it(`should keep ${kind.one} names unique among active ones, ignoring case`, async () => {
    const first = await createdId(admin, kind, { name: `Unique ${kind.one}` });
    expectError(await create(admin, kind, { name: `UNIQUE ${kind.one.toUpperCase()}` }), 'BAD_USER_INPUT', 'input.name');

    const second = await createdId(admin, kind, { name: `Second ${kind.one}` });
    expectError(await update(admin, kind, second, { name: `unique ${kind.one}` }), 'BAD_USER_INPUT', 'input.name');
    // Changing the case of one's own name is fine.
    dataOf(await update(admin, kind, first, { name: `UNIQUE ${kind.one}` }));

    dataOf(await deactivate(admin, kind, first));
    const reused = await createdId(admin, kind, { name: `unique ${kind.one}` });
    expect(reused).not.toBe(first);
  });

  it.each([
    ['an empty name', { name: '  ' }],
    ['a name over 100 characters', { name: 'n'.repeat(101) }],
  ])(`should refuse a ${kind.one} with %s`, async (_, input) => {
    expectError(await create(admin, kind, input), 'BAD_USER_INPUT', 'input.name');
  });

  it(`should answer NOT_FOUND for an unknown ${kind.one}`, async () => {
    const id = randomUUID();
    const read = await graph.gql(admin, `query($id: ID!) { ${kind.one}(id: $id) { id } }`, { id });
    expectError(read, 'NOT_FOUND');
    expectError(await update(admin, kind, id, { name: 'Nothing' }), 'NOT_FOUND');
    expectError(await deactivate(admin, kind, id), 'NOT_FOUND');
    expectError(await update(admin, kind, 'not-an-id', { name: 'Nothing' }), 'NOT_FOUND');
  });
});

describe('departments', () => {
  const kind = KIND_BY_NAME[DEPARTMENT];

  it.each([
    ['an unknown user', () => randomUUID()],
    ['a user of another organization', () => otherUser.id],
    ['a deactivated user', () => deactivated.id],
    ['something that is not an id', () => 'boss'],
  ])('should refuse %s as manager', async (_, managerId) => {
    expectError(await create(admin, kind, { name: `Managed ${randomUUID()}`, managerId: managerId() }), 'BAD_USER_INPUT', 'input.managerId');
    const id = await createdId(admin, kind, { name: `Managed ${randomUUID()}` });
    expectError(await update(admin, kind, id, { managerId: managerId() }), 'BAD_USER_INPUT', 'input.managerId');
  });

  it('should show its manager and members, and refuse deactivation while active members remain', async () => {
    const res = await create(admin, kind, { name: 'Support', managerId: manager.id }, 'id manager { name }');
    const department = dataOf(res)['createDepartment'] as unknown as { id: string; manager: { name: string } };
    expect(department.manager).toEqual({ name: 'Mona Manager' });
    const zoe = await org.addUser({ firstName: 'Zoe', lastName: 'Adams', departmentId: department.id });
    const bob = await org.addUser({ firstName: 'Bob', lastName: 'Brown', departmentId: department.id });
    const old = await org.addUser({ firstName: 'Old', lastName: 'Timer', departmentId: department.id });
    dataOf(await graph.gql(admin, 'mutation($id: ID!) { deactivateUser(id: $id) { id } }', { id: old.id }));

    const read = await graph.gql<{
      department: {
        manager: { name: string } | null;
        members: { totalCount: number; nodes: { name: string }[] };
        all: { totalCount: number; nodes: { name: string }[] };
      };
    }>(
      admin,
      `query($id: ID!) { department(id: $id) {
        manager { name }
        members { totalCount nodes { name } }
        all: members(status: ALL) { totalCount nodes { name } }
      } }`,
      { id: department.id },
    );
    expect(dataOf(read).department).toEqual({
      manager: { name: 'Mona Manager' },
      members: { totalCount: 2, nodes: [{ name: 'Zoe Adams' }, { name: 'Bob Brown' }] },
      all: { totalCount: 3, nodes: [{ name: 'Zoe Adams' }, { name: 'Bob Brown' }, { name: 'Old Timer' }] },
    });

    const error = expectError(await deactivate(admin, kind, department.id), 'CONFLICT', { rule: 'HAS_ACTIVE_MEMBERS' });
    expect(error.message).toMatch(/2 active people/);
    for (const member of [zoe, bob]) {
      dataOf(await graph.gql(admin, 'mutation($id: ID!) { updateUser(id: $id, input: { departmentId: null }) { id } }', { id: member.id }));
    }
    // A deactivated member does not hold the department open.
    expect(dataOf(await deactivate(admin, kind, department.id))['deactivateDepartment']).toMatchObject({ active: false });
  });

  it('should change and clear the manager', async () => {
    const id = await createdId(admin, kind, { name: 'Finance' });
    const set = await update(admin, kind, id, { managerId: manager.id }, 'manager { id }');
    expect(dataOf(set)['updateDepartment']).toEqual({ manager: { id: manager.id } });
    const renamed = await update(admin, kind, id, { name: 'Finance & Legal' }, 'name manager { id }');
    expect(dataOf(renamed)['updateDepartment']).toEqual({ name: 'Finance & Legal', manager: { id: manager.id } });
    const cleared = await update(admin, kind, id, { managerId: null }, 'manager { id }');
    expect(dataOf(cleared)['updateDepartment']).toEqual({ manager: null });
  });
});

describe('sites', () => {
  const kind = KIND_BY_NAME['site'];
  const SITE = 'id name timeZone country region address active';

  it('should normalize codes, keep omitted fields and clear a field given null', async () => {
    const created = dataOf(await create(admin, kind, { name: 'Glasgow', timeZone: 'Europe/London', country: 'gb', region: 'sct' }, SITE))[
      'createSite'
    ]!;
    expect(created).toMatchObject({ timeZone: 'Europe/London', country: 'GB', region: 'SCT', address: null });
    const patched = dataOf(await update(admin, kind, created.id, { address: '1 Clyde St', region: null }, SITE))['updateSite'];
    expect(patched).toEqual({ ...created, address: '1 Clyde St', region: null });
  });

  it.each([
    ['an unknown time zone', { timeZone: 'Mars/Olympus_Mons' }, 'input.timeZone'],
    ['an unknown country', { country: 'XX' }, 'input.country'],
    ['a malformed region', { region: 'no such region' }, 'input.region'],
    ['an address over 500 characters', { address: 'a'.repeat(501) }, 'input.address'],
  ])('should refuse %s', async (_, input, field) => {
    expectError(await create(admin, kind, { name: `Site ${randomUUID()}`, ...input }), 'BAD_USER_INPUT', field);
  });

  it('should refuse deactivation while active people work there', async () => {
    const id = await createdId(admin, kind, { name: 'Warehouse' });
    const worker = await org.addUser({ firstName: 'Wendy', lastName: 'Worker' });
    dataOf(await graph.gql(admin, 'mutation($id: ID!, $s: ID) { updateUser(id: $id, input: { siteId: $s }) { id } }', { id: worker.id, s: id }));
    expectError(await deactivate(admin, kind, id), 'CONFLICT');
    dataOf(await graph.gql(admin, 'mutation($id: ID!) { updateUser(id: $id, input: { siteId: null }) { id } }', { id: worker.id }));
    expect(dataOf(await deactivate(admin, kind, id))['deactivateSite']).toMatchObject({ active: false });
  });
});

describe('teams', () => {
  const kind = KIND_BY_NAME['team'];
  type TeamRead = {
    team: { description: string | null; department: { name: string } | null; members: { totalCount: number; nodes: { name: string }[] } };
  };
  const readTeam = async (id: string) =>
    dataOf(
      await graph.gql<TeamRead>(admin, 'query($id: ID!) { team(id: $id) { description department { name } members { totalCount nodes { name } } } }', {
        id,
      }),
    ).team;

  it('should create a team with members and a department, then replace its members', async () => {
    const department = await createdId(admin, KIND_BY_NAME[DEPARTMENT], { name: 'Operations' });
    const amy = await org.addUser({ firstName: 'Amy', lastName: 'Zeta' });
    const ben = await org.addUser({ firstName: 'Ben', lastName: 'Alpha' });
    const id = await createdId(admin, kind, { name: 'Rota', description: 'Weekend rota', departmentId: department, memberIds: [amy.id, ben.id, amy.id] });
    expect(await readTeam(id)).toEqual({
      description: 'Weekend rota',
      department: { name: 'Operations' },
      members: { totalCount: 2, nodes: [{ name: 'Ben Alpha' }, { name: 'Amy Zeta' }] },
    });

    dataOf(await update(admin, kind, id, { memberIds: [employee.id], description: null }));
    expect(await readTeam(id)).toEqual({
      description: null,
      department: { name: 'Operations' },
      members: { totalCount: 1, nodes: [{ name: 'Eve Employee' }] },
    });
    const teamsOfEve = await graph.gql<{ user: { teams: { name: string }[] } }>(admin, 'query($id: ID!) { user(id: $id) { teams { name } } }', {
      id: employee.id,
    });
    expect(dataOf(teamsOfEve).user.teams).toContainEqual({ name: 'Rota' });
  });

  it('should end memberships when the team is deactivated', async () => {
    const member = await org.addUser({ firstName: 'Tess', lastName: 'Member' });
    const id = await createdId(admin, kind, { name: 'Short-lived', memberIds: [member.id] });
    dataOf(await deactivate(admin, kind, id));
    const rows = await graph.peopleDb.selectFrom('team_members').select('user_id').where('team_id', '=', id).execute();
    expect(rows).toEqual([]);
    const teams = await graph.gql<{ user: { teams: { name: string }[] } }>(admin, 'query($id: ID!) { user(id: $id) { teams { name } } }', {
      id: member.id,
    });
    expect(dataOf(teams).user.teams).toEqual([]);
  });

  it.each([
    ['an unknown member', () => ({ memberIds: [randomUUID()] }), 'input.memberIds'],
    ['a deactivated member', () => ({ memberIds: [deactivated.id] }), 'input.memberIds'],
    ['a member of another organization', () => ({ memberIds: [employee.id, otherUser.id] }), 'input.memberIds'],
    ['an unknown department', () => ({ departmentId: randomUUID() }), 'input.departmentId'],
    ['a description over 1000 characters', () => ({ description: 'd'.repeat(1001) }), 'input.description'],
  ])('should refuse %s', async (_, input, field) => {
    expectError(await create(admin, kind, { name: `Team ${randomUUID()}`, ...input() }), 'BAD_USER_INPUT', field);
    const id = await createdId(admin, kind, { name: `Team ${randomUUID()}` });
    expectError(await update(admin, kind, id, input()), 'BAD_USER_INPUT', field);
  });
});

describe('tags', () => {
  const tag = { type: 'Tag' };
  const TAG = 'id name colour';

  it('should create, update and delete a tag, removing it from everyone', async () => {
    const created = dataOf(await create(admin, tag, { name: ' Mentor ', colour: '#a1b2c3' }, TAG))['createTag']!;
    expect(created).toMatchObject({ name: 'Mentor', colour: '#A1B2C3' });
    const renamed = dataOf(await update(admin, tag, created.id, { name: 'Mentors' }, TAG))['updateTag'];
    expect(renamed).toEqual({ id: created.id, name: 'Mentors', colour: '#A1B2C3' });
    const cleared = dataOf(await update(admin, tag, created.id, { colour: null }, TAG))['updateTag'];
    expect(cleared).toEqual({ id: created.id, name: 'Mentors', colour: null });

    const holder = await org.addUser({ firstName: 'Holly', lastName: 'Holder' });
    dataOf(await graph.gql(admin, 'mutation($id: ID!, $t: [ID!]) { updateUser(id: $id, input: { tagIds: $t }) { id } }', { id: holder.id, t: [created.id] }));
    const list = await graph.gql<{ tags: { totalCount: number; nodes: { id: string }[] } }>(admin, '{ tags(first: 100) { totalCount nodes { id } } }');
    expect(dataOf(list).tags.nodes.map((n) => n.id)).toContain(created.id);

    const deleted = await graph.gql<{ deleteTag: { id: string; name: string } }>(admin, 'mutation($id: ID!) { deleteTag(id: $id) { id name } }', {
      id: created.id,
    });
    expect(dataOf(deleted).deleteTag).toEqual({ id: created.id, name: 'Mentors' });
    const tagsOfHolder = await graph.gql<{ user: { tags: { name: string }[] } }>(admin, 'query($id: ID!) { user(id: $id) { tags { name } } }', {
      id: holder.id,
    });
    expect(dataOf(tagsOfHolder).user.tags).toEqual([]);
    expect(await graph.peopleDb.selectFrom('tags').select('id').where('id', '=', created.id).execute()).toEqual([]);
    // The name is free again.
    await createdId(admin, tag, { name: 'mentors' });
  });

  it('should keep tag names unique, ignoring case', async () => {
    const first = await createdId(admin, tag, { name: 'Fire warden' });
    expectError(await create(admin, tag, { name: 'FIRE WARDEN' }), 'BAD_USER_INPUT', 'input.name');
    const second = await createdId(admin, tag, { name: 'First aider' });
    expectError(await update(admin, tag, second, { name: 'fire warden' }), 'BAD_USER_INPUT', 'input.name');
    dataOf(await update(admin, tag, first, { name: 'FIRE WARDEN' }));
  });

  it.each([
    ['the colour #12345G', { name: 'Bad colour', colour: '#12345G' }, 'input.colour'],
    ['a colour name', { name: 'Red', colour: 'red' }, 'input.colour'],
    ['a short colour', { name: 'Short', colour: '#FFF' }, 'input.colour'],
    ['an empty name', { name: '' }, 'input.name'],
    ['a name over 50 characters', { name: 't'.repeat(51) }, 'input.name'],
  ])('should refuse %s', async (_, input, field) => {
    expectError(await create(admin, tag, input), 'BAD_USER_INPUT', field);
  });

  it('should answer NOT_FOUND for an unknown tag', async () => {
    expectError(await update(admin, tag, randomUUID(), { name: 'x' }), 'NOT_FOUND');
    expectError(await graph.gql(admin, 'mutation($id: ID!) { deleteTag(id: $id) { id } }', { id: randomUUID() }), 'NOT_FOUND');
  });
});

describe('permissions', () => {
  let targets: Record<string, string>;
  beforeAll(async () => {
    targets = {
      Department: await createdId(admin, KIND_BY_NAME[DEPARTMENT], { name: 'Protected department' }),
      Team: await createdId(admin, KIND_BY_NAME['team'], { name: 'Protected team' }),
      Site: await createdId(admin, KIND_BY_NAME['site'], { name: 'Protected site' }),
      Tag: await createdId(admin, { type: 'Tag' }, { name: 'Protected tag' }),
    };
  });

  const operations: [string, (id: string) => [string, Record<string, unknown>]][] = [
    ...(['Department', 'Team', 'Site', 'Tag'] as const).flatMap((type): [string, (id: string) => [string, Record<string, unknown>]][] => [
      [`create${type}`, () => [`mutation($input: Create${type}Input!) { create${type}(input: $input) { id } }`, { input: { name: `Sneaky ${type}` } }]],
      [`update${type}`, (id) => [`mutation($id: ID!) { update${type}(id: $id, input: { name: "Hijacked" }) { id } }`, { id }]],
    ]),
    ...(['Department', 'Team', 'Site'] as const).map((type): [string, (id: string) => [string, Record<string, unknown>]] => [
      `deactivate${type}`,
      (id) => [`mutation($id: ID!) { deactivate${type}(id: $id) { id } }`, { id }],
    ]),
    ['deleteTag', (id) => ['mutation($id: ID!) { deleteTag(id: $id) { id } }', { id }]],
  ];
  const roles = ['EMPLOYEE', 'MANAGER'] as const;

  it.each(roles.flatMap((role) => operations.map(([name, build]) => [role, name, build] as const)))(
    'should refuse %s callers %s with FORBIDDEN',
    async (role, name, build) => {
      const type = /(Department|Team|Site|Tag)$/.exec(name)![1]!;
      const [query, variables] = build(targets[type]!);
      expectError(await graph.gql(role === 'EMPLOYEE' ? employee.key : manager.key, query, variables), 'FORBIDDEN');
    },
  );

  it('should have left every protected record as it was', async () => {
    for (const [table, id] of [
      ['departments', targets['Department']],
      ['teams', targets['Team']],
      ['sites', targets['Site']],
    ] as const) {
      const row = await graph.peopleDb.selectFrom(table).select(['name', 'deactivated_at']).where('id', '=', id!).executeTakeFirstOrThrow();
      expect(row.name).toMatch(/^Protected/);
      expect(row.deactivated_at).toBeNull();
    }
    const tagRow = await graph.peopleDb.selectFrom('tags').select('name').where('id', '=', targets['Tag']!).executeTakeFirstOrThrow();
    expect(tagRow.name).toBe('Protected tag');
    const sneaky = await graph.peopleDb.selectFrom('tags').select('id').where('name', 'like', 'Sneaky%').execute();
    expect(sneaky).toEqual([]);
  });

  it('should let employees read the structure', async () => {
    const res = await graph.gql<{ departments: { totalCount: number }; teams: { totalCount: number }; sites: { totalCount: number }; tags: { totalCount: number } }>(
      employee.key,
      '{ departments { totalCount } teams { totalCount } sites { totalCount } tags { totalCount } }',
    );
    const data = dataOf(res);
    expect(data.departments.totalCount).toBeGreaterThan(0);
    expect(data.tags.totalCount).toBeGreaterThan(0);
  });
});
