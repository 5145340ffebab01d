import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey, createTestOrg, startTestGraph, type TestGraph, type TestOrg, type TestUser } from '../../../helpers/graph.ts';
import { dataOf, errorOf, expectError } from '../../../helpers/assertions.ts';

// The cache TTL is 0 so that a deactivation is seen by the gateway on the next request.
let graph: TestGraph;
let org: TestOrg;
let other: TestOrg;
let admin: string;
let manager: TestUser;
let employee: TestUser;
let deactivated: TestUser;
/** Ids of records of `org` and of `other` that the cases reference. */
const ids = {
  department: '',
  deactivatedDepartment: '',
  site: '',
  firstAider: '',
  fireWarden: '',
  team: '',
  otherUser: '',
  otherDepartment: '',
  otherSite: '',
  otherTag: '',
  otherTeam: '',
};

const CREATE_USER = 'mutation($input: CreateUserInput!) { createUser(input: $input) { id } }';
const UPDATE_USER = 'mutation($id: ID!, $input: UpdateUserInput!) { updateUser(id: $id, input: $input) { id } }';
const DEACTIVATE_USER = 'mutation($id: ID!) { deactivateUser(id: $id) { id active deactivatedAt } }';
const REACTIVATE_USER = 'mutation($id: ID!) { reactivateUser(id: $id) { id active deactivatedAt } }';

let emailCounter = 0;
const nextEmail = () => `person${++emailCounter}@users-test.example.com`;

function createUser(key: string, input: Record<string, unknown>) {
  return graph.gql<{ createUser: { id: string } }>(key, CREATE_USER, {
    input: { email: nextEmail(), firstName: 'Pat', lastName: 'Person', ...input },
  });
}

async function createdUserId(key: string, input: Record<string, unknown>): Promise<string> {
  return dataOf(await createUser(key, input)).createUser.id;
}

function updateUser(key: string, id: string, input: Record<string, unknown>) {
  return graph.gql<{ updateUser: { id: string } }>(key, UPDATE_USER, { id, input });
}

/** Runs a create mutation of a named record and returns its id. */
async function createRecord(key: string, mutation: string, input: Record<string, unknown>): Promise<string> {
  const res = await graph.gql<Record<string, { id: string }>>(key, `mutation($input: ${inputTypeOf(mutation)}!) { ${mutation}(input: $input) { id } }`, {
    input,
  });
  const record = dataOf(res)[mutation];
  if (!record) throw new Error(`${mutation} returned nothing`);
  return record.id;
}

function inputTypeOf(mutation: string): string {
  return `${mutation.charAt(0).toUpperCase()}${mutation.slice(1)}Input`;
}

beforeAll(async () => {
  graph = await startTestGraph({ apiKeyCacheTtlMs: 0 });
  org = await createTestOrg(graph.peopleDb, 'Users Org');
  other = await createTestOrg(graph.peopleDb, 'Other Org');
  admin = org.admin.key;
  manager = await org.addUser({ role: 'MANAGER', firstName: 'Mona', lastName: 'Manager' });
  employee = await org.addUser({ role: 'EMPLOYEE', firstName: 'Eve', lastName: 'Employee', managerId: manager.id });
  deactivated = await org.addUser({ firstName: 'Dee', lastName: 'Gone' });
  dataOf(await graph.gql(admin, DEACTIVATE_USER, { id: deactivated.id }));

  ids.department = await createRecord(admin, 'createDepartment', { name: 'Engineering' });
  ids.deactivatedDepartment = await createRecord(admin, 'createDepartment', { name: 'Closed' });
  dataOf(await graph.gql(admin, 'mutation($id: ID!) { deactivateDepartment(id: $id) { id } }', { id: ids.deactivatedDepartment }));
  ids.site = await createRecord(admin, 'createSite', { name: 'Head office' });
  ids.firstAider = await createRecord(admin, 'createTag', { name: 'First aider' });
  ids.fireWarden = await createRecord(admin, 'createTag', { name: 'Fire warden' });
  ids.team = await createRecord(admin, 'createTeam', { name: 'Platform' });

  ids.otherUser = (await other.addUser({ role: 'MANAGER' })).id;
  ids.otherDepartment = await createRecord(other.admin.key, 'createDepartment', { name: 'Engineering' });
  ids.otherSite = await createRecord(other.admin.key, 'createSite', { name: 'Head office' });
  ids.otherTag = await createRecord(other.admin.key, 'createTag', { name: 'First aider' });
  ids.otherTeam = await createRecord(other.admin.key, 'createTeam', { name: 'Platform' });

  await createdUserId(admin, { email: 'taken@users-test.example.com', externalId: 'EXT-1' });
});
afterAll(() => graph.stop());

describe('createUser validation', () => {
  const cases: [string, () => Record<string, unknown>, string][] = [
    ['a malformed email', () => ({ email: 'not-an-email' }), 'input.email'],
    ['an email without a domain dot', () => ({ email: 'someone@localhost' }), 'input.email'],
    ['an email already used, in another case', () => ({ email: 'TAKEN@Users-Test.example.com' }), 'input.email'],
    ['an empty first name', () => ({ firstName: '   ' }), 'input.firstName'],
    ['a first name over 100 characters', () => ({ firstName: 'x'.repeat(101) }), 'input.firstName'],
    ['an empty last name', () => ({ lastName: '' }), 'input.lastName'],
    ['a last name over 100 characters', () => ({ lastName: 'y'.repeat(101) }), 'input.lastName'],
    ['an unknown country code', () => ({ country: 'XX' }), 'input.country'],
    ['a three-letter country code', () => ({ country: 'GBR' }), 'input.country'],
    ['a malformed region', () => ({ country: 'GB', region: 'not a region' }), 'input.region'],
    ['a region over 10 characters', () => ({ region: 'ABCDEFGHIJK' }), 'input.region'],
    ['negative hours', () => ({ workingPattern: { monday: -1, tuesday: 8 } }), 'input.workingPattern.monday'],
    ['more than 24 hours', () => ({ workingPattern: { tuesday: 24.01 } }), 'input.workingPattern.tuesday'],
    ['hours with 3 decimals', () => ({ workingPattern: { wednesday: 7.125 } }), 'input.workingPattern.wednesday'],
    ['an all-zero pattern for FULL_TIME', () => ({ employmentType: 'FULL_TIME', workingPattern: { monday: 0 } }), 'input.workingPattern'],
    ['an all-zero pattern for PART_TIME', () => ({ employmentType: 'PART_TIME', workingPattern: {} }), 'input.workingPattern'],
    ['an externalId already used', () => ({ externalId: 'EXT-1' }), 'input.externalId'],
    ['an unknown managerId', () => ({ managerId: randomUUID() }), 'input.managerId'],
    ['a manager of another organization', () => ({ managerId: ids.otherUser }), 'input.managerId'],
    ['a deactivated manager', () => ({ managerId: deactivated.id }), 'input.managerId'],
    ['a managerId that is not an id', () => ({ managerId: 'boss' }), 'input.managerId'],
    ['an unknown departmentId', () => ({ departmentId: randomUUID() }), 'input.departmentId'],
    ['a department of another organization', () => ({ departmentId: ids.otherDepartment }), 'input.departmentId'],
    ['a deactivated department', () => ({ departmentId: ids.deactivatedDepartment }), 'input.departmentId'],
    ['an unknown siteId', () => ({ siteId: randomUUID() }), 'input.siteId'],
    ['a site of another organization', () => ({ siteId: ids.otherSite }), 'input.siteId'],
    ['an unknown tag among tagIds', () => ({ tagIds: [ids.firstAider, randomUUID()] }), 'input.tagIds'],
    ['a tag of another organization', () => ({ tagIds: [ids.otherTag] }), 'input.tagIds'],
    ['an unknown team among teamIds', () => ({ teamIds: [randomUUID()] }), 'input.teamIds'],
    ['a team of another organization', () => ({ teamIds: [ids.team, ids.otherTeam] }), 'input.teamIds'],
    // User.tags and User.teams are plain lists bounded at 50: the 51st distinct id is refused before any lookup.
    ['51 distinct tags', () => ({ tagIds: Array.from({ length: 51 }, () => randomUUID()) }), 'input.tagIds'],
    ['51 distinct teams', () => ({ teamIds: Array.from({ length: 51 }, () => randomUUID()) }), 'input.teamIds'],
  ];

  it.each(cases)('should refuse %s with BAD_USER_INPUT naming the field', async (_, input, field) => {
    const res = await createUser(admin, input());
    expectError(res, 'BAD_USER_INPUT', field);
    expect(res.body.data).toBeNull();
  });

  it('should create nothing when refused', async () => {
    const before = await graph.peopleDb.selectFrom('users').select(({ fn }) => fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expectError(await createUser(admin, { email: 'refused@users-test.example.com', tagIds: [randomUUID()] }), 'BAD_USER_INPUT', 'input.tagIds');
    const after = await graph.peopleDb.selectFrom('users').select(({ fn }) => fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it.each([
    ['managerId', () => ids.otherUser],
    ['departmentId', () => ids.otherDepartment],
    ['siteId', () => ids.otherSite],
    ['tagIds', () => [ids.otherTag]],
    ['teamIds', () => [ids.otherTeam]],
  ] as const)('should answer %s of another organization exactly like an unknown id', async (field, otherValue) => {
    const value = otherValue();
    const otherId = Array.isArray(value) ? value[0]! : (value as string);
    const unknownId = randomUUID();
    const withOther = expectError(await createUser(admin, { [field]: value }), 'BAD_USER_INPUT', `input.${field}`);
    const withUnknown = expectError(
      await createUser(admin, { [field]: Array.isArray(value) ? [unknownId] : unknownId }),
      'BAD_USER_INPUT',
      `input.${field}`,
    );
    expect(JSON.stringify(withOther).replaceAll(otherId, '<id>')).toBe(JSON.stringify(withUnknown).replaceAll(unknownId, '<id>'));
  });

  it('should accept an all-zero pattern for IRREGULAR_HOURS', async () => {
    const res = await graph.gql<{ createUser: { employmentType: string; workingPattern: { totalHours: number; workingDays: number } } }>(
      admin,
      'mutation($input: CreateUserInput!) { createUser(input: $input) { employmentType workingPattern { totalHours workingDays } } }',
      { input: { email: nextEmail(), firstName: 'Ira', lastName: 'Irregular', employmentType: 'IRREGULAR_HOURS', workingPattern: {} } },
    );
    expect(dataOf(res).createUser).toEqual({ employmentType: 'IRREGULAR_HOURS', workingPattern: { totalHours: 0, workingDays: 0 } });
  });

  it('should accept 0, 24 and two decimals as hours', async () => {
    const res = await graph.gql<{ createUser: { workingPattern: Record<string, number> } }>(
      admin,
      'mutation($input: CreateUserInput!) { createUser(input: $input) { workingPattern { monday tuesday wednesday totalHours workingDays } } }',
      { input: { email: nextEmail(), firstName: 'Max', lastName: 'Hours', workingPattern: { monday: 24, tuesday: 0, wednesday: 0.01 } } },
    );
    expect(dataOf(res).createUser.workingPattern).toEqual({ monday: 24, tuesday: 0, wednesday: 0.01, totalHours: 24.01, workingDays: 2 });
  });

  it('should accept an email used in another organization', async () => {
    const otherEmail = 'shared@users-test.example.com';
    await createdUserId(other.admin.key, { email: otherEmail });
    expect(await createdUserId(admin, { email: otherEmail.toUpperCase() })).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('createUser and updateUser', () => {
  const USER_FIELDS = `id email name firstName lastName role country region employmentStartDate employmentType externalId active
    department { name } manager { name } site { name } tags { name } teams { name }
    workingPattern { monday tuesday wednesday thursday friday saturday sunday totalHours workingDays }`;

  async function readUser(id: string) {
    return dataOf(await graph.gql<{ user: Record<string, unknown> }>(admin, `query($id: ID!) { user(id: $id) { ${USER_FIELDS} } }`, { id })).user;
  }

  it('should create a user with department, manager, site, tags and teams, and read them back', async () => {
    const id = await createdUserId(admin, {
      email: '  Nina.Newman@Users-Test.example.com ',
      firstName: ' Nina ',
      lastName: 'Newman',
      role: 'EMPLOYEE',
      departmentId: ids.department,
      managerId: manager.id,
      siteId: ids.site,
      tagIds: [ids.fireWarden, ids.firstAider, ids.fireWarden],
      teamIds: [ids.team],
      country: 'gb',
      region: 'sct',
      employmentStartDate: '2026-01-05',
      employmentType: 'PART_TIME',
      workingPattern: { monday: 7.5, tuesday: 7.5, wednesday: 4.25 },
      externalId: 'HR-42',
    });
    expect(await readUser(id)).toEqual({
      id,
      email: 'nina.newman@users-test.example.com',
      name: 'Nina Newman',
      firstName: 'Nina',
      lastName: 'Newman',
      role: 'EMPLOYEE',
      country: 'GB',
      region: 'SCT',
      employmentStartDate: '2026-01-05',
      employmentType: 'PART_TIME',
      externalId: 'HR-42',
      active: true,
      department: { name: 'Engineering' },
      manager: { name: 'Mona Manager' },
      site: { name: 'Head office' },
      tags: [{ name: 'Fire warden' }, { name: 'First aider' }],
      teams: [{ name: 'Platform' }],
      workingPattern: { monday: 7.5, tuesday: 7.5, wednesday: 4.25, thursday: 0, friday: 0, saturday: 0, sunday: 0, totalHours: 19.25, workingDays: 3 },
    });
    const reports = await graph.gql<{ user: { directReports: { nodes: { id: string }[] } } }>(
      admin,
      'query($id: ID!) { user(id: $id) { directReports(first: 100) { nodes { id } } } }',
      { id: manager.id },
    );
    expect(dataOf(reports).user.directReports.nodes.map((n) => n.id)).toContain(id);
  });

  it('should default to an employee working 8 hours Monday to Friday, in the organization country', async () => {
    const id = await createdUserId(admin, { firstName: 'Dora', lastName: 'Default' });
    expect(await readUser(id)).toMatchObject({
      role: 'EMPLOYEE',
      employmentType: 'FULL_TIME',
      country: 'GB',
      region: null,
      department: null,
      manager: null,
      tags: [],
      teams: [],
      workingPattern: { monday: 8, friday: 8, saturday: 0, sunday: 0, totalHours: 40, workingDays: 5 },
    });
  });

  it('should leave omitted fields unchanged and clear a field given null', async () => {
    const id = await createdUserId(admin, {
      firstName: 'Paul',
      lastName: 'Patch',
      country: 'GB',
      region: 'SCT',
      departmentId: ids.department,
      managerId: manager.id,
      tagIds: [ids.firstAider],
      teamIds: [ids.team],
      externalId: 'PATCH-1',
      workingPattern: { monday: 6 },
    });
    const before = await readUser(id);

    dataOf(await updateUser(admin, id, { firstName: 'Paula' }));
    expect(await readUser(id)).toEqual({ ...before, firstName: 'Paula', name: 'Paula Patch' });

    dataOf(await updateUser(admin, id, { region: null }));
    expect(await readUser(id)).toEqual({ ...before, firstName: 'Paula', name: 'Paula Patch', region: null });

    dataOf(await updateUser(admin, id, { departmentId: null, managerId: null, externalId: null, tagIds: [], teamIds: [] }));
    expect(await readUser(id)).toMatchObject({
      region: null,
      country: 'GB',
      department: null,
      manager: null,
      externalId: null,
      tags: [],
      teams: [],
      workingPattern: { monday: 6, totalHours: 6 },
    });
  });

  it('should replace tags, teams and the working pattern as a whole', async () => {
    const id = await createdUserId(admin, { tagIds: [ids.firstAider], teamIds: [ids.team], workingPattern: { monday: 8, tuesday: 8 } });
    dataOf(await updateUser(admin, id, { tagIds: [ids.fireWarden], workingPattern: { friday: 4 } }));
    expect(await readUser(id)).toMatchObject({
      tags: [{ name: 'Fire warden' }],
      teams: [{ name: 'Platform' }],
      workingPattern: { monday: 0, tuesday: 0, friday: 4, totalHours: 4, workingDays: 1 },
    });
  });

  it('should let a user keep their own email in another case', async () => {
    const id = await createdUserId(admin, { email: 'keep@users-test.example.com' });
    dataOf(await updateUser(admin, id, { email: 'KEEP@users-test.example.com' }));
    expect(await readUser(id)).toMatchObject({ email: 'keep@users-test.example.com' });
  });

  const updateCases: [string, (self: string) => Record<string, unknown>, string, RegExp?][] = [
    ['an explicit null email', () => ({ email: null }), 'input.email', /must not be null/],
    ['an explicit null first name', () => ({ firstName: null }), 'input.firstName', /must not be null/],
    ['an explicit null working pattern', () => ({ workingPattern: null }), 'input.workingPattern', /must not be null/],
    ['an explicit null tag list', () => ({ tagIds: null }), 'input.tagIds', /must not be null/],
    ['another user email, in another case', () => ({ email: 'Taken@USERS-TEST.example.com' }), 'input.email'],
    ['another user externalId', () => ({ externalId: 'EXT-1' }), 'input.externalId'],
    ['the user as their own manager', (self) => ({ managerId: self }), 'input.managerId', /own manager/],
    ['a deactivated manager', () => ({ managerId: deactivated.id }), 'input.managerId'],
    ['a manager of another organization', () => ({ managerId: ids.otherUser }), 'input.managerId'],
    ['a department of another organization', () => ({ departmentId: ids.otherDepartment }), 'input.departmentId'],
    ['a deactivated department', () => ({ departmentId: ids.deactivatedDepartment }), 'input.departmentId'],
    ['a site of another organization', () => ({ siteId: ids.otherSite }), 'input.siteId'],
    ['a tag of another organization', () => ({ tagIds: [ids.otherTag] }), 'input.tagIds'],
    ['a team of another organization', () => ({ teamIds: [ids.otherTeam] }), 'input.teamIds'],
    ['an empty last name', () => ({ lastName: ' ' }), 'input.lastName'],
    ['25 hours on a day', () => ({ workingPattern: { sunday: 25 } }), 'input.workingPattern.sunday'],
  ];

  it.each(updateCases)('should refuse %s with BAD_USER_INPUT naming the field', async (_, input, field, message) => {
    const id = await createdUserId(admin, { externalId: null });
    const error = expectError(await updateUser(admin, id, input(id)), 'BAD_USER_INPUT', field);
    if (message) expect(error.message).toMatch(message);
  });

  it('should refuse a management cycle, directly or through a chain', async () => {
    const a = await createdUserId(admin, { firstName: 'Alpha' });
    const b = await createdUserId(admin, { firstName: 'Bravo', managerId: a });
    const c = await createdUserId(admin, { firstName: 'Charlie', managerId: b });
    expectError(await updateUser(admin, a, { managerId: b }), 'BAD_USER_INPUT', 'input.managerId');
    const error = expectError(await updateUser(admin, a, { managerId: c }), 'BAD_USER_INPUT', 'input.managerId');
    expect(error.message).toMatch(/cycle/);
    // Not a cycle: C may report to A directly.
    dataOf(await updateUser(admin, c, { managerId: a }));
    const row = await graph.peopleDb.selectFrom('users').select('manager_id').where('id', '=', a).executeTakeFirstOrThrow();
    expect(row.manager_id).toBeNull();
  });

  it('should require a working pattern when an irregular-hours worker becomes full-time', async () => {
    const id = await createdUserId(admin, { employmentType: 'IRREGULAR_HOURS', workingPattern: {} });
    expectError(await updateUser(admin, id, { employmentType: 'FULL_TIME' }), 'BAD_USER_INPUT', 'input.workingPattern');
    dataOf(await updateUser(admin, id, { employmentType: 'FULL_TIME', workingPattern: { monday: 8 } }));
  });

  it('should answer NOT_FOUND for an unknown user', async () => {
    expectError(await updateUser(admin, randomUUID(), { firstName: 'Nobody' }), 'NOT_FOUND');
  });
});

describe('permissions and deactivation', () => {
  const mutations: [string, (target: string) => [string, Record<string, unknown>]][] = [
    ['createUser', () => [CREATE_USER, { input: { email: nextEmail(), firstName: 'No', lastName: 'Way' } }]],
    ['updateUser', (target) => [UPDATE_USER, { id: target, input: { firstName: 'Hacked' } }]],
    ['deactivateUser', (target) => [DEACTIVATE_USER, { id: target }]],
    ['reactivateUser', (target) => [REACTIVATE_USER, { id: target }]],
  ];
  const roles = ['EMPLOYEE', 'MANAGER'] as const;

  it.each(roles.flatMap((role) => mutations.map(([name, build]) => [role, name, build] as const)))(
    'should refuse %s callers %s with FORBIDDEN',
    async (role, _name, build) => {
      const caller = role === 'EMPLOYEE' ? employee : manager;
      const [query, variables] = build(role === 'EMPLOYEE' ? manager.id : employee.id);
      const res = await graph.gql(caller.key, query, variables);
      expectError(res, 'FORBIDDEN');
      const target = await graph.peopleDb
        .selectFrom('users')
        .select(['first_name', 'deactivated_at'])
        .where('id', '=', role === 'EMPLOYEE' ? manager.id : employee.id)
        .executeTakeFirstOrThrow();
      expect(target).toEqual({ first_name: role === 'EMPLOYEE' ? 'Mona' : 'Eve', deactivated_at: null });
    },
  );

  it('should refuse an admin deactivating themself with CONFLICT', async () => {
    const error = expectError(await graph.gql(admin, DEACTIVATE_USER, { id: org.admin.id }), 'CONFLICT', { rule: 'SELF_DEACTIVATION' });
    expect(error.extensions?.['field']).toBe('id');
  });

  describe('in an organization with one admin', () => {
    let solo: TestOrg;
    let service: string;
    beforeAll(async () => {
      solo = await createTestOrg(graph.peopleDb, 'Solo Org');
      service = (await createKey(graph.peopleDb, solo.id, null)).secret;
    });

    it('should refuse demoting the last admin with CONFLICT', async () => {
      const error = expectError(await updateUser(solo.admin.key, solo.admin.id, { role: 'MANAGER' }), 'CONFLICT', { rule: 'LAST_ADMIN' });
      expect(error.message).toMatch(/at least one active admin/);
      expectError(await updateUser(service, solo.admin.id, { role: 'EMPLOYEE' }), 'CONFLICT');
    });

    it('should refuse deactivating the last admin with CONFLICT', async () => {
      const error = expectError(await graph.gql(service, DEACTIVATE_USER, { id: solo.admin.id }), 'CONFLICT', { rule: 'LAST_ADMIN' });
      expect(error.message).toMatch(/at least one active admin/);
      const row = await graph.peopleDb.selectFrom('users').select(['role', 'deactivated_at']).where('id', '=', solo.admin.id).executeTakeFirstOrThrow();
      expect(row).toEqual({ role: 'ADMIN', deactivated_at: null });
    });

    it('should allow demoting an admin once another admin exists', async () => {
      const second = await createdUserId(service, { role: 'ADMIN', firstName: 'Second', lastName: 'Admin' });
      const res = await graph.gql<{ updateUser: { role: string } }>(
        service,
        'mutation($id: ID!) { updateUser(id: $id, input: { role: MANAGER }) { role } }',
        { id: solo.admin.id },
      );
      expect(dataOf(res).updateUser.role).toBe('MANAGER');
      expectError(await updateUser(service, second, { role: 'EMPLOYEE' }), 'CONFLICT');
    });
  });

  it('should refuse deactivating someone with active reports, until they have none', async () => {
    const boss = await createdUserId(admin, { role: 'MANAGER', firstName: 'Boss' });
    const report = await createdUserId(admin, { managerId: boss });
    const error = expectError(await graph.gql(admin, DEACTIVATE_USER, { id: boss }), 'CONFLICT', { rule: 'MANAGES_ACTIVE_PEOPLE' });
    expect(error.message).toMatch(/manages 1 active/);
    dataOf(await updateUser(admin, report, { managerId: null }));
    const res = await graph.gql<{ deactivateUser: { active: boolean; deactivatedAt: string | null } }>(admin, DEACTIVATE_USER, { id: boss });
    expect(dataOf(res).deactivateUser).toMatchObject({ active: false, deactivatedAt: expect.any(String) });
  });

  it('should refuse the key of a deactivated user at the gateway, and accept it again once reactivated', async () => {
    const user = await org.addUser({ firstName: 'Kim', lastName: 'Keyholder' });
    const me = '{ me { id active } }';
    const before = await graph.gql<{ me: { id: string } }>(user.key, me);
    expect(before.status).toBe(200);
    expect(dataOf(before).me.id).toBe(user.id);

    const deactivatedRes = await graph.gql<{ deactivateUser: { active: boolean } }>(admin, DEACTIVATE_USER, { id: user.id });
    expect(dataOf(deactivatedRes).deactivateUser.active).toBe(false);
    const refused = await graph.gql(user.key, me);
    expect(refused.status).toBe(401);
    expect(errorOf(refused).extensions?.['code']).toBe('UNAUTHENTICATED');

    const listed = await graph.gql<{ users: { nodes: { id: string }[] } }>(admin, '{ users(first: 100, filter: { status: DEACTIVATED }) { nodes { id } } }');
    expect(dataOf(listed).users.nodes.map((n) => n.id)).toContain(user.id);

    const reactivated = await graph.gql<{ reactivateUser: { active: boolean; deactivatedAt: string | null } }>(admin, REACTIVATE_USER, {
      id: user.id,
    });
    expect(dataOf(reactivated).reactivateUser).toEqual({ id: user.id, active: true, deactivatedAt: null });
    const after = await graph.gql<{ me: { id: string; active: boolean } }>(user.key, me);
    expect(after.status).toBe(200);
    expect(dataOf(after).me).toEqual({ id: user.id, active: true });
  });

  it('should make deactivating an inactive user and reactivating an active one no-ops', async () => {
    const res = await graph.gql<{ deactivateUser: { active: boolean } }>(admin, DEACTIVATE_USER, { id: deactivated.id });
    expect(dataOf(res).deactivateUser.active).toBe(false);
    const res2 = await graph.gql<{ reactivateUser: { active: boolean } }>(admin, REACTIVATE_USER, { id: employee.id });
    expect(dataOf(res2).reactivateUser.active).toBe(true);
  });
});

describe('users filters', () => {
  let forg: TestOrg;
  const f = { department: '', team: '', tag: '', site: '', zed: '' };

  beforeAll(async () => {
    forg = await createTestOrg(graph.peopleDb, 'Filters Org');
    const key = forg.admin.key;
    f.department = await createRecord(key, 'createDepartment', { name: 'Support' });
    f.team = await createRecord(key, 'createTeam', { name: 'Night shift' });
    f.tag = await createRecord(key, 'createTag', { name: 'Keyholder' });
    f.site = await createRecord(key, 'createSite', { name: 'Depot' });
    f.zed = await createdUserId(key, {
      email: 'zed.quinn@filters.example.com',
      firstName: 'Zed',
      lastName: 'Quinn',
      role: 'MANAGER',
      departmentId: f.department,
      teamIds: [f.team],
      tagIds: [f.tag],
      siteId: f.site,
      externalId: 'Q-1',
    });
    await createdUserId(key, {
      email: 'yan@filters.example.com',
      firstName: 'Yan',
      lastName: 'Roe',
      managerId: f.zed,
      departmentId: f.department,
      employmentType: 'PART_TIME',
      workingPattern: { monday: 4 },
    });
    await createdUserId(key, {
      email: 'xia@filters.example.com',
      firstName: 'Xia',
      lastName: 'Stone',
      teamIds: [f.team],
      employmentType: 'IRREGULAR_HOURS',
      workingPattern: {},
    });
    const wes = await createdUserId(key, { email: 'wes@filters.example.com', firstName: 'Wes', lastName: 'Tate', departmentId: f.department });
    dataOf(await graph.gql(key, DEACTIVATE_USER, { id: wes }));
  });

  const cases: [string, () => Record<string, unknown>, string[]][] = [
    ['no filter (active only)', () => ({}), ['Ada Admin', 'Zed Quinn', 'Yan Roe', 'Xia Stone']],
    ['search on a first name, any case', () => ({ search: 'zED' }), ['Zed Quinn']],
    ['search on a last name', () => ({ search: 'stone' }), ['Xia Stone']],
    ['search on a full name', () => ({ search: 'yan roe' }), ['Yan Roe']],
    ['search on an email', () => ({ search: 'xia@filters' }), ['Xia Stone']],
    ['search with LIKE wildcards taken literally', () => ({ search: '%' }), []],
    ['roles', () => ({ roles: ['MANAGER'] }), ['Zed Quinn']],
    ['several roles', () => ({ roles: ['ADMIN', 'MANAGER'] }), ['Ada Admin', 'Zed Quinn']],
    ['departmentId', () => ({ departmentId: f.department }), ['Zed Quinn', 'Yan Roe']],
    ['departmentId and roles together', () => ({ departmentId: f.department, roles: ['EMPLOYEE'] }), ['Yan Roe']],
    ['managerId', () => ({ managerId: f.zed }), ['Yan Roe']],
    ['teamId', () => ({ teamId: f.team }), ['Zed Quinn', 'Xia Stone']],
    ['tagId', () => ({ tagId: f.tag }), ['Zed Quinn']],
    ['siteId', () => ({ siteId: f.site }), ['Zed Quinn']],
    ['employmentType', () => ({ employmentType: 'IRREGULAR_HOURS' }), ['Xia Stone']],
    ['externalId', () => ({ externalId: 'Q-1' }), ['Zed Quinn']],
    ['email, any case', () => ({ email: 'ZED.Quinn@Filters.example.com' }), ['Zed Quinn']],
    ['status ACTIVE', () => ({ status: 'ACTIVE' }), ['Ada Admin', 'Zed Quinn', 'Yan Roe', 'Xia Stone']],
    ['status DEACTIVATED', () => ({ status: 'DEACTIVATED' }), ['Wes Tate']],
    ['status ALL', () => ({ status: 'ALL' }), ['Ada Admin', 'Zed Quinn', 'Yan Roe', 'Xia Stone', 'Wes Tate']],
    ['departmentId with status ALL', () => ({ departmentId: f.department, status: 'ALL' }), ['Zed Quinn', 'Yan Roe', 'Wes Tate']],
    ['an unknown departmentId', () => ({ departmentId: randomUUID() }), []],
  ];

  it.each(cases)('should filter by %s', async (_, filter, names) => {
    const res = await graph.gql<{ users: { totalCount: number; nodes: { name: string }[] } }>(
      forg.admin.key,
      'query($filter: UserFilter) { users(filter: $filter, first: 100) { totalCount nodes { name } } }',
      { filter: filter() },
    );
    const users = dataOf(res).users;
    expect(users.nodes.map((n) => n.name)).toEqual(names);
    expect(users.totalCount).toBe(names.length);
  });

  it.each(['departmentId', 'teamId', 'siteId', 'managerId', 'tagId'])('should refuse a %s that is not an id with BAD_USER_INPUT', async (field) => {
    const res = await graph.gql(forg.admin.key, 'query($filter: UserFilter) { users(filter: $filter) { totalCount } }', {
      filter: { [field]: 'not-an-id' },
    });
    expectError(res, 'BAD_USER_INPUT', `filter.${field}`);
  });
});

describe('users pagination', () => {
  let porg: TestOrg;
  const created: string[] = [];
  const PAGE = '{ totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id } } }';
  type Page = {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
    edges: { cursor: string; node: { id: string } }[];
  };

  beforeAll(async () => {
    porg = await createTestOrg(graph.peopleDb, 'Paging Org');
    created.push(porg.admin.id);
    // Few distinct names: most rows tie on (last name, first name) and are ordered by id.
    for (let i = 0; i < 25; i++) created.push((await porg.addUser({ firstName: `F${i % 2}`, lastName: `Page${i % 3}` })).id);
  });

  it('should walk every page with endCursor, without duplicates or gaps', async () => {
    const seen: string[] = [];
    const pages: Page[] = [];
    let after: string | null = null;
    do {
      const res = await graph.gql<{ users: Page }>(porg.admin.key, `query($after: String) { users(first: 10, after: $after) ${PAGE} }`, {
        after,
      });
      const page: Page = dataOf(res).users;
      pages.push(page);
      seen.push(...page.edges.map((e) => e.node.id));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after !== null && pages.length < 10);

    expect(pages.map((p) => p.edges.length)).toEqual([10, 10, 6]);
    expect(pages.map((p) => p.pageInfo.hasNextPage)).toEqual([true, true, false]);
    expect(pages.map((p) => p.pageInfo.hasPreviousPage)).toEqual([false, true, true]);
    expect(pages.every((p) => p.totalCount === 26)).toBe(true);
    for (const page of pages) {
      expect(page.pageInfo.startCursor).toBe(page.edges[0]!.cursor);
      expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)!.cursor);
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort()).toEqual([...created].sort());

    const all = await graph.gql<{ users: Page }>(porg.admin.key, `{ users(first: 100) ${PAGE} }`);
    expect(dataOf(all).users.edges.map((e) => e.node.id)).toEqual(seen);
  });

  it('should give an empty last page after the last cursor', async () => {
    const all = dataOf(await graph.gql<{ users: Page }>(porg.admin.key, `{ users(first: 100) ${PAGE} }`)).users;
    const res = await graph.gql<{ users: Page }>(porg.admin.key, `query($after: String) { users(first: 10, after: $after) ${PAGE} }`, {
      after: all.pageInfo.endCursor,
    });
    const page = dataOf(res).users;
    expect(page.edges).toEqual([]);
    expect(page.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: true, startCursor: null, endCursor: null });
    expect(page.totalCount).toBe(26);
  });

  it.each([
    ['first: 0', { first: 0 }, 'first'],
    ['first: 101', { first: 101 }, 'first'],
    ['first: -1', { first: -1 }, 'first'],
    ['a garbage after', { after: 'not a cursor!' }, 'after'],
    ['an after that is not JSON', { after: 'bm90IGpzb24' }, 'after'],
  ])('should refuse %s with BAD_USER_INPUT naming the argument', async (_, variables, field) => {
    const res = await graph.gql(porg.admin.key, 'query($first: Int, $after: String) { users(first: $first, after: $after) { totalCount } }', variables);
    expectError(res, 'BAD_USER_INPUT', field);
  });

  it('should accept first: 100', async () => {
    const res = await graph.gql<{ users: { nodes: { id: string }[] } }>(porg.admin.key, '{ users(first: 100) { nodes { id } } }');
    expect(dataOf(res).users.nodes).toHaveLength(26);
  });
});
