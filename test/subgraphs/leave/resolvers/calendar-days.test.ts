import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestOrg, startTestGraph, type TestGraph, type TestOrg, type TestUser } from '../../../helpers/graph.ts';
import { dataOf, expectError } from '../leave-fixtures.ts';

// A fixed clock: 1 December 2026, 12:00 UTC (already 2 December in Auckland).
const NOW = new Date('2026-12-01T12:00:00Z');
const TODAY = '2026-12-01';

let graph: TestGraph;
let org: TestOrg;
let other: TestOrg;
let admin: string;
let manager: TestUser;
let employee: TestUser;
let scot: TestUser;
let german: TestUser;
let warehouse: string;
let office: string;
let otherDepartment: string;

interface RestrictedDay {
  id: string;
  date: string;
  name: string;
  note: string | null;
  department: { id: string; name?: string } | null;
}

const RESTRICTED = 'id date name note createdAt department { id }';

function createRestricted(key: string, input: Record<string, unknown>) {
  return graph.gql<{ createRestrictedDay: RestrictedDay }>(
    key,
    `mutation($input: CreateRestrictedDayInput!) { createRestrictedDay(input: $input) { ${RESTRICTED} } }`,
    { input },
  );
}

function listRestricted(key: string, args: Record<string, unknown>) {
  return graph.gql<{ restrictedDays: { totalCount: number; nodes: RestrictedDay[]; pageInfo: { hasNextPage: boolean; endCursor: string } } }>(
    key,
    `query($from: Date!, $to: Date!, $d: ID, $first: Int, $after: String) {
      restrictedDays(from: $from, to: $to, departmentId: $d, first: $first, after: $after) { totalCount nodes { ${RESTRICTED} } pageInfo { hasNextPage endCursor } }
    }`,
    { from: TODAY, to: '2027-12-31', ...args },
  );
}

function createClosure(key: string, input: Record<string, unknown>) {
  return graph.gql<{ createClosureDay: { id: string; date: string; name: string } }>(
    key,
    'mutation($input: CreateClosureDayInput!) { createClosureDay(input: $input) { id date name createdAt } }',
    { input },
  );
}

function listClosures(key: string, args: Record<string, unknown> = {}) {
  return graph.gql<{ closureDays: { totalCount: number; nodes: { id: string; date: string; name: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } }>(
    key,
    'query($from: Date!, $to: Date!, $first: Int, $after: String) { closureDays(from: $from, to: $to, first: $first, after: $after) { totalCount nodes { id date name } pageInfo { hasNextPage endCursor } } }',
    { from: '2026-01-01', to: '2027-12-31', ...args },
  );
}

function holidays(key: string, args: Record<string, unknown>) {
  return graph.gql<{ publicHolidays: { date: string; name: string; country: string; region: string | null }[] }>(
    key,
    'query($from: Date!, $to: Date!, $c: String, $r: String) { publicHolidays(from: $from, to: $to, country: $c, region: $r) { date name country region } }',
    args,
  );
}

beforeAll(async () => {
  graph = await startTestGraph({ now: () => NOW });
  org = await createTestOrg(graph.peopleDb, 'Calendar Org');
  other = await createTestOrg(graph.peopleDb, 'Other Calendar Org');
  admin = org.admin.key;
  manager = await org.addUser({ role: 'MANAGER' });
  warehouse = await org.addDepartment('Warehouse', manager.id);
  office = await org.addDepartment('Office');
  employee = await org.addUser({ departmentId: warehouse });
  scot = await org.addUser({ country: 'GB', region: 'SCT' });
  german = await org.addUser({ country: 'DE' });
  otherDepartment = await other.addDepartment('Theirs');
  await graph.leave.catchUpDirectory();
});
afterAll(() => graph.stop());

describe('restricted days', () => {
  it('should create organization-wide and department days and list them by date', async () => {
    const stocktake = dataOf(await createRestricted(admin, { date: '2027-01-29', name: ' Stocktake ', departmentId: warehouse, note: 'All hands' })).createRestrictedDay;
    expect(stocktake).toMatchObject({ date: '2027-01-29', name: 'Stocktake', note: 'All hands', department: { id: warehouse } });
    const launch = dataOf(await createRestricted(admin, { date: TODAY, name: 'Launch' })).createRestrictedDay;
    expect(launch).toMatchObject({ date: TODAY, department: null, note: null });
    const audit = dataOf(await createRestricted(admin, { date: '2027-01-15', name: 'Audit', departmentId: office })).createRestrictedDay;

    const all = dataOf(await listRestricted(employee.key, {})).restrictedDays;
    expect(all.nodes.map((d) => d.id)).toEqual([launch.id, audit.id, stocktake.id]);
    expect(all.totalCount).toBe(3);

    // A department's view: its own days and organization-wide ones; the department from people.
    const forWarehouse = await graph.gql<{ restrictedDays: { nodes: { id: string; department: { name: string } | null }[]; totalCount: number } }>(
      employee.key,
      `query { restrictedDays(from: "${TODAY}", to: "2027-12-31", departmentId: "${warehouse}") { totalCount nodes { id department { name } } } }`,
    );
    expect(dataOf(forWarehouse).restrictedDays).toEqual({
      totalCount: 2,
      nodes: [
        { id: launch.id, department: null },
        { id: stocktake.id, department: { name: 'Warehouse' } },
      ],
    });
    const narrow = dataOf(await listRestricted(employee.key, { from: '2027-01-16', to: '2027-01-31' })).restrictedDays;
    expect(narrow.nodes.map((d) => d.id)).toEqual([stocktake.id]);

    const page1 = dataOf(await listRestricted(employee.key, { first: 2 })).restrictedDays;
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const page2 = dataOf(await listRestricted(employee.key, { first: 2, after: page1.pageInfo.endCursor })).restrictedDays;
    expect([...page1.nodes, ...page2.nodes].map((d) => d.id)).toEqual([launch.id, audit.id, stocktake.id]);

    const deleted = await graph.gql<{ deleteRestrictedDay: { id: string } }>(admin, 'mutation($id: ID!) { deleteRestrictedDay(id: $id) { id } }', { id: audit.id });
    expect(dataOf(deleted).deleteRestrictedDay.id).toBe(audit.id);
    expect(await graph.leaveDb.selectFrom('restricted_days').select('id').where('id', '=', audit.id).executeTakeFirst()).toBeUndefined();
    expectError(await graph.gql(admin, 'mutation($id: ID!) { deleteRestrictedDay(id: $id) { id } }', { id: audit.id }), 'NOT_FOUND');
  });

  it.each([
    ['input.date', { date: '2026-11-30' }],
    ['input.name', { name: '  ' }],
    ['input.name', { name: 'n'.repeat(101) }],
    ['input.note', { note: 'n'.repeat(501) }],
    ['input.departmentId', { departmentId: '00000000-0000-4000-8000-000000000000' }],
    ['input.departmentId', { departmentId: 'warehouse' }],
  ])('should refuse a restricted day with a bad %s', async (field, patch) => {
    expectError(await createRestricted(admin, { date: '2027-02-01', name: 'Blackout', ...patch }), 'BAD_USER_INPUT', field);
  });

  it("should take today in the organization's time zone", async () => {
    const kiwi = await createTestOrg(graph.peopleDb, 'Kiwi Org');
    dataOf(await graph.gql(kiwi.admin.key, 'mutation { updateOrganization(input: { timeZone: "Pacific/Auckland" }) { id } }'));
    await graph.leave.catchUpDirectory();
    expectError(await createRestricted(kiwi.admin.key, { date: TODAY, name: 'Too late' }), 'BAD_USER_INPUT', 'input.date');
    dataOf(await createRestricted(kiwi.admin.key, { date: '2026-12-02', name: 'Today in Auckland' }));
  });

  it('should let only admins add and delete restricted days, and everyone list them', async () => {
    expectError(await createRestricted(manager.key, { date: '2027-02-01', name: 'Mine' }), 'FORBIDDEN');
    expectError(await createRestricted(employee.key, { date: '2027-02-01', name: 'Mine' }), 'FORBIDDEN');
    const day = dataOf(await createRestricted(admin, { date: '2027-02-01', name: 'Guarded' })).createRestrictedDay;
    expectError(await graph.gql(manager.key, 'mutation($id: ID!) { deleteRestrictedDay(id: $id) { id } }', { id: day.id }), 'FORBIDDEN');
    dataOf(await listRestricted(employee.key, {}));
  });

  it("should treat another organization's departments and days like unknown ones", async () => {
    expectError(await createRestricted(admin, { date: '2027-02-01', name: 'X', departmentId: otherDepartment }), 'BAD_USER_INPUT', 'input.departmentId');
    expectError(await listRestricted(admin, { d: otherDepartment }), 'BAD_USER_INPUT', 'departmentId');
    const theirs = dataOf(await createRestricted(other.admin.key, { date: '2027-02-02', name: 'Theirs' })).createRestrictedDay;
    expectError(await graph.gql(admin, 'mutation($id: ID!) { deleteRestrictedDay(id: $id) { id } }', { id: theirs.id }), 'NOT_FOUND');
    expect(dataOf(await listRestricted(admin, { first: 100 })).restrictedDays.nodes.map((d) => d.id)).not.toContain(theirs.id);
    expect(await graph.leaveDb.selectFrom('restricted_days').select('id').where('id', '=', theirs.id).executeTakeFirst()).toBeDefined();
  });

  it('should refuse a range ending before it starts', async () => {
    expectError(await listRestricted(admin, { from: '2027-02-01', to: '2027-01-01' }), 'BAD_USER_INPUT', 'to');
  });
});

describe('closure days', () => {
  it('should create, list and delete closure days, one per date', async () => {
    const christmas = dataOf(await createClosure(admin, { date: '2026-12-24', name: 'Christmas shutdown' })).createClosureDay;
    const past = dataOf(await createClosure(admin, { date: '2026-06-01', name: 'Flood' })).createClosureDay;
    expect(christmas).toMatchObject({ date: '2026-12-24', name: 'Christmas shutdown' });
    const duplicate = await createClosure(admin, { date: '2026-12-24', name: 'Again' });
    expect(expectError(duplicate, 'BAD_USER_INPUT', 'input.date').message).toContain('2026-12-24');

    const listed = dataOf(await listClosures(employee.key)).closureDays;
    expect(listed).toMatchObject({ totalCount: 2, nodes: [{ id: past.id }, { id: christmas.id }] });
    const page = dataOf(await listClosures(employee.key, { first: 1 })).closureDays;
    const rest = dataOf(await listClosures(employee.key, { first: 1, after: page.pageInfo.endCursor })).closureDays;
    expect([...page.nodes, ...rest.nodes].map((d) => d.id)).toEqual([past.id, christmas.id]);

    dataOf(await graph.gql(admin, 'mutation($id: ID!) { deleteClosureDay(id: $id) { id } }', { id: past.id }));
    expectError(await graph.gql(admin, 'mutation($id: ID!) { deleteClosureDay(id: $id) { id } }', { id: past.id }), 'NOT_FOUND');
    dataOf(await createClosure(admin, { date: '2026-06-01', name: 'Flood, again' }));
  });

  it('should refuse the second of two closure days created at once on one date', async () => {
    const results = await Promise.all([createClosure(admin, { date: '2027-04-01', name: 'A' }), createClosure(admin, { date: '2027-04-01', name: 'B' })]);
    const failed = results.filter((r) => r.body.errors);
    expect(failed).toHaveLength(1);
    expectError(failed[0]!, 'BAD_USER_INPUT', 'input.date');
  });

  it('should refuse a bad name, and non-admins', async () => {
    expectError(await createClosure(admin, { date: '2027-05-01', name: '' }), 'BAD_USER_INPUT', 'input.name');
    expectError(await createClosure(admin, { date: '2027-05-01', name: 'x'.repeat(101) }), 'BAD_USER_INPUT', 'input.name');
    expectError(await createClosure(manager.key, { date: '2027-05-01', name: 'Mine' }), 'FORBIDDEN');
    const day = dataOf(await createClosure(admin, { date: '2027-05-01', name: 'May Day' })).createClosureDay;
    expectError(await graph.gql(employee.key, 'mutation($id: ID!) { deleteClosureDay(id: $id) { id } }', { id: day.id }), 'FORBIDDEN');
  });

  it("should keep organizations' closure days apart", async () => {
    // The same date is free in another organization.
    const theirs = dataOf(await createClosure(other.admin.key, { date: '2026-12-24', name: 'Theirs' })).createClosureDay;
    expectError(await graph.gql(admin, 'mutation($id: ID!) { deleteClosureDay(id: $id) { id } }', { id: theirs.id }), 'NOT_FOUND');
    expect(dataOf(await listClosures(admin, { first: 100 })).closureDays.nodes.map((d) => d.id)).not.toContain(theirs.id);
    expect(dataOf(await listClosures(other.admin.key)).closureDays.totalCount).toBe(1);
  });
});

describe('publicHolidays', () => {
  const JAN = { from: '2027-01-01', to: '2027-01-10' };

  it("should default to the caller's country and region", async () => {
    const scottish = dataOf(await holidays(scot.key, JAN)).publicHolidays;
    expect(scottish.map((h) => h.date)).toEqual(['2027-01-01', '2027-01-02', '2027-01-04']);
    expect(scottish[0]).toMatchObject({ country: 'GB', name: "New Year's Day" });
    const germanDays = dataOf(await holidays(german.key, { from: '2027-10-01', to: '2027-10-31' })).publicHolidays;
    expect(germanDays).toContainEqual(expect.objectContaining({ date: '2027-10-03', country: 'DE' }));
  });

  it("should fall back to the organization's country", async () => {
    const days = dataOf(await holidays(employee.key, JAN)).publicHolidays;
    expect(days).toEqual([{ date: '2027-01-01', name: "New Year's Day", country: 'GB', region: null }]);
  });

  it('should take a country and region', async () => {
    expect(dataOf(await holidays(employee.key, { ...JAN, c: 'gb', r: 'sct' })).publicHolidays.map((h) => h.date)).toEqual(['2027-01-01', '2027-01-02', '2027-01-04']);
    // Another country than the caller's: no region unless given.
    expect(dataOf(await holidays(scot.key, { from: '2027-07-01', to: '2027-07-10', c: 'US' })).publicHolidays.map((h) => h.date)).toContain('2027-07-05');
    expect(dataOf(await holidays(scot.key, { ...JAN, r: 'ENG' })).publicHolidays.map((h) => h.date)).toEqual(['2027-01-01']);
  });

  it.each([
    ['country', { c: 'XX' }],
    ['country', { c: 'AQ' }],
    ['country', { c: 'GBR' }],
    ['region', { r: '' }],
    ['region', { r: 'ABCDEFGHIJK' }],
    ['to', { to: '2026-12-31' }],
    ['to', { from: '2027-01-01', to: '2028-01-03' }],
  ])('should refuse a bad %s', async (field, patch) => {
    expectError(await holidays(employee.key, { ...JAN, ...patch }), 'BAD_USER_INPUT', field);
  });
});
