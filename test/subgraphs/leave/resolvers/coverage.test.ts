import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestOrg, startTestGraph, type TestGraph, type TestOrg, type TestUser } from '../../../helpers/graph.ts';
import { dataOf, expectError, insertLeave, insertLeaveType } from '../leave-fixtures.ts';

// A fixed clock: Tuesday 1 December 2026. The weeks checked are in January 2027.
const NOW = new Date('2026-12-01T10:00:00Z');
const MONDAY = '2027-01-11';
const FRIDAY = '2027-01-15';
const SATURDAY = '2027-01-16';
const SUNDAY = '2027-01-17';

let graph: TestGraph;
let org: TestOrg;
let other: TestOrg;
let admin: string;
let manager: TestUser;
let members: TestUser[];
let loner: TestUser;
let support: string;
let emptyDepartment: string;
let otherDepartment: string;
let otherRule: string;
let holidayType: string;

interface Rule {
  id: string;
  name: string;
  minimumPercent: number | null;
  minimumCount: number | null;
  enforcement: string;
  department: { id: string; name?: string };
}
interface Day {
  date: string;
  workingMembers: number;
  absent: number;
  present: number;
  presentPercent: number;
  violatedRules: { id: string }[];
}
interface Check {
  hasViolation: boolean;
  blocking: boolean;
  message: string | null;
  violatedRules: { id: string; name: string }[];
  dailyBreakdown: Day[] | null;
}

const RULE_FIELDS = 'id name minimumPercent minimumCount enforcement createdAt department { id }';

function createRule(key: string, input: Record<string, unknown>) {
  return graph.gql<{ createCoverageRule: Rule }>(key, `mutation($input: CreateCoverageRuleInput!) { createCoverageRule(input: $input) { ${RULE_FIELDS} } }`, {
    input,
  });
}

async function ruleId(input: Record<string, unknown>): Promise<string> {
  return dataOf(await createRule(admin, input)).createCoverageRule.id;
}

function updateRule(key: string, id: string, input: Record<string, unknown>) {
  return graph.gql<{ updateCoverageRule: Rule }>(
    key,
    `mutation($id: ID!, $input: UpdateCoverageRuleInput!) { updateCoverageRule(id: $id, input: $input) { ${RULE_FIELDS} } }`,
    { id, input },
  );
}

function deleteRule(key: string, id: string) {
  return graph.gql<{ deleteCoverageRule: Rule }>(key, `mutation($id: ID!) { deleteCoverageRule(id: $id) { ${RULE_FIELDS} } }`, { id });
}

function check(key: string, userId: string, startDate: string, endDate: string, includeDailyBreakdown?: boolean) {
  return graph.gql<{ coverageCheck: Check }>(
    key,
    `query($userId: ID!, $startDate: Date!, $endDate: Date!, $b: Boolean) {
      coverageCheck(userId: $userId, startDate: $startDate, endDate: $endDate, includeDailyBreakdown: $b) {
        hasViolation blocking message violatedRules { id name }
        dailyBreakdown { date workingMembers absent present presentPercent violatedRules { id } }
      }
    }`,
    { userId, startDate, endDate, b: includeDailyBreakdown },
  );
}

async function checked(userId: string, startDate: string, endDate: string, includeDailyBreakdown?: boolean): Promise<Check> {
  return dataOf(await check(admin, userId, startDate, endDate, includeDailyBreakdown)).coverageCheck;
}

beforeAll(async () => {
  graph = await startTestGraph({ now: () => NOW });
  org = await createTestOrg(graph.peopleDb, 'Coverage Org');
  other = await createTestOrg(graph.peopleDb, 'Other Coverage Org');
  admin = org.admin.key;
  manager = await org.addUser({ role: 'MANAGER' });
  support = await org.addDepartment('Support', manager.id);
  emptyDepartment = await org.addDepartment('Empty');
  members = [];
  for (let i = 0; i < 5; i++) members.push(await org.addUser({ departmentId: support, managerId: manager.id }));
  loner = await org.addUser({});
  otherDepartment = await other.addDepartment('Elsewhere');
  await graph.leave.catchUpDirectory();
  holidayType = await insertLeaveType(graph.leaveDb, org.id, { name: 'Holiday' });
  const row = await graph.leaveDb
    .insertInto('coverage_rules')
    .values({ org_id: other.id, department_id: otherDepartment, name: 'Theirs', minimum_percent: '50', enforcement: 'WARN' })
    .returning('id')
    .executeTakeFirstOrThrow();
  otherRule = row.id;
});
afterAll(() => graph.stop());

describe('coverage rules', () => {
  it('should create, list, update and delete a rule', async () => {
    const created = dataOf(await createRule(admin, { departmentId: emptyDepartment, name: '  Desk staffed ', minimumPercent: 62.5 })).createCoverageRule;
    expect(created).toMatchObject({ name: 'Desk staffed', minimumPercent: 62.5, minimumCount: null, enforcement: 'WARN', department: { id: emptyDepartment } });

    const listed = await graph.gql<{ coverageRules: { totalCount: number; nodes: { id: string; department: { id: string; name: string } }[] } }>(
      manager.key,
      'query($d: ID) { coverageRules(departmentId: $d) { totalCount nodes { id department { id name } } } }',
      { d: emptyDepartment },
    );
    // The department's name comes from the people subgraph through federation.
    expect(dataOf(listed).coverageRules).toEqual({ totalCount: 1, nodes: [{ id: created.id, department: { id: emptyDepartment, name: 'Empty' } }] });

    const updated = dataOf(await updateRule(admin, created.id, { minimumPercent: null, minimumCount: 2, enforcement: 'BLOCK' })).updateCoverageRule;
    expect(updated).toMatchObject({ id: created.id, name: 'Desk staffed', minimumPercent: null, minimumCount: 2, enforcement: 'BLOCK' });
    const renamed = dataOf(await updateRule(admin, created.id, { name: 'Renamed' })).updateCoverageRule;
    expect(renamed).toMatchObject({ name: 'Renamed', minimumCount: 2, enforcement: 'BLOCK' });

    const deleted = dataOf(await deleteRule(admin, created.id)).deleteCoverageRule;
    expect(deleted.id).toBe(created.id);
    const row = await graph.leaveDb.selectFrom('coverage_rules').select('deleted_at').where('id', '=', created.id).executeTakeFirstOrThrow();
    expect(row.deleted_at).not.toBeNull();
    const after = await graph.gql<{ coverageRules: { totalCount: number } }>(admin, 'query($d: ID) { coverageRules(departmentId: $d) { totalCount } }', {
      d: emptyDepartment,
    });
    expect(dataOf(after).coverageRules.totalCount).toBe(0);
    expectError(await deleteRule(admin, created.id), 'NOT_FOUND');
    expectError(await updateRule(admin, created.id, { name: 'Back' }), 'NOT_FOUND');
  });

  it('should page through rules by department and name', async () => {
    const ids = [await ruleId({ departmentId: emptyDepartment, name: 'B rule', minimumCount: 0 }), await ruleId({ departmentId: emptyDepartment, name: 'A rule', minimumCount: 0 })];
    const page = (after?: string) =>
      graph.gql<{ coverageRules: { totalCount: number; nodes: { name: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } }>(
        admin,
        'query($d: ID, $after: String) { coverageRules(departmentId: $d, first: 1, after: $after) { totalCount nodes { name } pageInfo { hasNextPage endCursor } } }',
        { d: emptyDepartment, after },
      );
    const first = dataOf(await page()).coverageRules;
    expect(first).toMatchObject({ totalCount: 2, nodes: [{ name: 'A rule' }], pageInfo: { hasNextPage: true } });
    const second = dataOf(await page(first.pageInfo.endCursor)).coverageRules;
    expect(second).toMatchObject({ nodes: [{ name: 'B rule' }], pageInfo: { hasNextPage: false } });
    expectError(await page('bm90IGEgY3Vyc29y'), 'BAD_USER_INPUT', 'after');
    for (const id of ids) dataOf(await deleteRule(admin, id));
  });

  it.each([
    ['input.name', { name: '' }],
    ['input.name', { name: 'x'.repeat(101) }],
    ['input.minimumPercent', { minimumPercent: 100.5 }],
    ['input.minimumPercent', { minimumPercent: -1 }],
    ['input.minimumPercent', { minimumPercent: 12.345 }],
    ['input.minimumCount', { minimumCount: -1 }],
    ['input.minimumPercent', { minimumPercent: null, minimumCount: null }],
    ['input.departmentId', { departmentId: '00000000-0000-4000-8000-000000000000' }],
    ['input.departmentId', { departmentId: 'not-an-id' }],
  ])('should refuse a rule with a bad %s', async (field, patch) => {
    const res = await createRule(admin, { departmentId: support, name: 'Rule', minimumPercent: 50, ...patch });
    const error = expectError(res, 'BAD_USER_INPUT', field);
    if ('minimumPercent' in patch && patch.minimumPercent === null) expect(error.message).toContain('give minimumPercent, minimumCount or both');
  });

  it('should refuse a deactivated department and another organization\'s department like an unknown one', async () => {
    const gone = await org.addDepartment('Gone');
    dataOf(await graph.gql(admin, 'mutation($id: ID!) { deactivateDepartment(id: $id) { id } }', { id: gone }));
    await graph.leave.catchUpDirectory();
    expectError(await createRule(admin, { departmentId: gone, name: 'Rule', minimumCount: 1 }), 'BAD_USER_INPUT', 'input.departmentId');
    // Another organization's department gets exactly the answer an unknown id gets.
    for (const id of [otherDepartment, '00000000-0000-4000-8000-000000000000']) {
      const error = expectError(await createRule(admin, { departmentId: id, name: 'Rule', minimumCount: 1 }), 'BAD_USER_INPUT', 'input.departmentId');
      expect(error.message).toContain(`${id} is not an active department of this organization`);
    }
  });

  it('should refuse clearing both minimums on update', async () => {
    const id = await ruleId({ departmentId: emptyDepartment, name: 'Both', minimumPercent: 10, minimumCount: 1 });
    dataOf(await updateRule(admin, id, { minimumPercent: null }));
    const res = await updateRule(admin, id, { minimumCount: null });
    expect(expectError(res, 'BAD_USER_INPUT', 'input.minimumPercent').message).toContain('give minimumPercent, minimumCount or both');
    expectError(await updateRule(admin, id, { enforcement: null }), 'BAD_USER_INPUT', 'input.enforcement');
    expectError(await updateRule(admin, id, { name: ' ' }), 'BAD_USER_INPUT', 'input.name');
    dataOf(await deleteRule(admin, id));
  });

  it('should let only admins change rules and only admins and managers list them', async () => {
    expectError(await createRule(manager.key, { departmentId: support, name: 'Mine', minimumCount: 1 }), 'FORBIDDEN');
    expectError(await createRule(members[0]!.key, { departmentId: support, name: 'Mine', minimumCount: 1 }), 'FORBIDDEN');
    const id = await ruleId({ departmentId: emptyDepartment, name: 'Guarded', minimumCount: 1 });
    expectError(await updateRule(manager.key, id, { name: 'Taken' }), 'FORBIDDEN');
    expectError(await deleteRule(members[0]!.key, id), 'FORBIDDEN');
    expectError(await graph.gql(members[0]!.key, '{ coverageRules { totalCount } }'), 'FORBIDDEN');
    expect(dataOf(await graph.gql<{ coverageRules: { totalCount: number } }>(manager.key, '{ coverageRules { totalCount } }')).coverageRules.totalCount).toBeGreaterThan(0);
    dataOf(await deleteRule(admin, id));
  });

  it("should answer another organization's rule like an unknown one", async () => {
    for (const id of [otherRule, '00000000-0000-4000-8000-000000000000', 'nope']) {
      expectError(await updateRule(admin, id, { name: 'Mine now' }), 'NOT_FOUND');
      expectError(await deleteRule(admin, id), 'NOT_FOUND');
    }
    const listed = dataOf(await graph.gql<{ coverageRules: { nodes: { id: string }[] } }>(admin, '{ coverageRules(first: 100) { nodes { id } } }'));
    expect(listed.coverageRules.nodes.map((n) => n.id)).not.toContain(otherRule);
    expectError(await graph.gql(admin, 'query($d: ID) { coverageRules(departmentId: $d) { totalCount } }', { d: otherDepartment }), 'BAD_USER_INPUT', 'departmentId');
    const row = await graph.leaveDb.selectFrom('coverage_rules').select(['name', 'deleted_at']).where('id', '=', otherRule).executeTakeFirstOrThrow();
    expect(row).toEqual({ name: 'Theirs', deleted_at: null });
  });
});

describe('coverageCheck', () => {
  let sixty: string;
  let firstAway: string;
  let secondAway: string;

  beforeAll(async () => {
    sixty = await ruleId({ departmentId: support, name: 'Sixty percent', minimumPercent: 60 });
    // One member already away all week (approved), a second asks later (pending).
    firstAway = await insertLeave(graph.leaveDb, org.id, { userId: members[0]!.id, leaveTypeId: holidayType, startDate: MONDAY, endDate: FRIDAY, departmentId: support });
  });

  it('should allow a second absence that keeps 3 of 5 present (60%)', async () => {
    const result = await checked(members[1]!.id, MONDAY, MONDAY, true);
    expect(result).toEqual({
      hasViolation: false,
      blocking: false,
      message: null,
      violatedRules: [],
      dailyBreakdown: [{ date: MONDAY, workingMembers: 5, absent: 2, present: 3, presentPercent: 60, violatedRules: [] }],
    });
  });

  it('should report a third absence that leaves 40% with the message and the daily breakdown', async () => {
    secondAway = await insertLeave(graph.leaveDb, org.id, {
      userId: members[1]!.id,
      leaveTypeId: holidayType,
      startDate: MONDAY,
      endDate: MONDAY,
      status: 'PENDING',
      departmentId: support,
    });
    const result = await checked(members[2]!.id, MONDAY, '2027-01-12', true);
    expect(result).toEqual({
      hasViolation: true,
      blocking: false,
      message: 'Team coverage would drop below 60%',
      violatedRules: [{ id: sixty, name: 'Sixty percent' }],
      dailyBreakdown: [
        { date: MONDAY, workingMembers: 5, absent: 3, present: 2, presentPercent: 40, violatedRules: [{ id: sixty }] },
        { date: '2027-01-12', workingMembers: 5, absent: 2, present: 3, presentPercent: 60, violatedRules: [] },
      ],
    });
  });

  it('should leave out the daily breakdown unless asked', async () => {
    const result = await checked(members[2]!.id, MONDAY, MONDAY);
    expect(result).toMatchObject({ hasViolation: true, dailyBreakdown: null });
  });

  it('should not count rejected or cancelled requests, nor days of nobody working', async () => {
    await graph.leaveDb.updateTable('leave_requests').set({ status: 'CANCELLED' }).where('id', '=', secondAway).execute();
    const result = await checked(members[2]!.id, FRIDAY, SUNDAY, true);
    expect(result.hasViolation).toBe(false);
    expect(result.dailyBreakdown).toEqual([
      { date: FRIDAY, workingMembers: 5, absent: 2, present: 3, presentPercent: 60, violatedRules: [] },
      { date: SATURDAY, workingMembers: 0, absent: 0, present: 0, presentPercent: 100, violatedRules: [] },
      { date: SUNDAY, workingMembers: 0, absent: 0, present: 0, presentPercent: 100, violatedRules: [] },
    ]);
    await graph.leaveDb.updateTable('leave_requests').set({ status: 'PENDING' }).where('id', '=', secondAway).execute();
  });

  it('should block with a block rule and name a head count when only a count is broken', async () => {
    const count = await ruleId({ departmentId: support, name: 'Three people', minimumCount: 3, enforcement: 'BLOCK' });
    const both = await checked(members[2]!.id, MONDAY, MONDAY);
    expect(both).toMatchObject({ hasViolation: true, blocking: true, message: 'Team coverage would drop below 60%' });
    expect(both.violatedRules.map((r) => r.id)).toEqual([count, sixty]);

    dataOf(await deleteRule(admin, sixty));
    const countOnly = await checked(members[2]!.id, MONDAY, FRIDAY);
    expect(countOnly).toMatchObject({ hasViolation: true, blocking: true, message: 'Team coverage would drop below 3 people present' });
    // One rule broken on one day is listed once.
    expect(countOnly.violatedRules).toEqual([{ id: count, name: 'Three people' }]);
    dataOf(await deleteRule(admin, count));
    expect(await checked(members[2]!.id, MONDAY, MONDAY)).toMatchObject({ hasViolation: false, blocking: false, message: null });
    sixty = await ruleId({ departmentId: support, name: 'Sixty percent', minimumPercent: 60 });
  });

  it('should find nothing to check for a person without a department', async () => {
    expect(await checked(loner.id, MONDAY, FRIDAY, true)).toEqual({
      hasViolation: false,
      blocking: false,
      message: null,
      violatedRules: [],
      dailyBreakdown: [],
    });
  });

  it('should let the person, their manager and admins check, and no one else', async () => {
    for (const key of [members[2]!.key, manager.key, admin]) dataOf(await check(key, members[2]!.id, MONDAY, MONDAY));
    expectError(await check(members[3]!.key, members[2]!.id, MONDAY, MONDAY), 'FORBIDDEN');
    expectError(await check(loner.key, members[2]!.id, MONDAY, MONDAY), 'FORBIDDEN');
  });

  it('should refuse a bad range and an unknown or foreign person', async () => {
    expectError(await check(admin, members[2]!.id, FRIDAY, MONDAY), 'BAD_USER_INPUT', 'endDate');
    expectError(await check(admin, members[2]!.id, '2027-01-01', '2028-01-03'), 'BAD_USER_INPUT', 'endDate');
    dataOf(await check(admin, members[2]!.id, '2027-01-01', '2028-01-02'));
    expectError(await check(admin, '00000000-0000-4000-8000-000000000000', MONDAY, MONDAY), 'BAD_USER_INPUT', 'userId');
    expectError(await check(admin, other.admin.id, MONDAY, MONDAY), 'BAD_USER_INPUT', 'userId');
  });

  it('should keep the first absence in place', async () => {
    // Guards the fixtures the cases above rely on.
    const row = await graph.leaveDb.selectFrom('leave_requests').select('status').where('id', '=', firstAway).executeTakeFirstOrThrow();
    expect(row.status).toBe('APPROVED');
  });
});

describe('createLeaveRequest and coverage', () => {
  const serviceFile = new URL('../../../../subgraphs/leave/resolvers/leave-requests.ts', import.meta.url);

  it('should refuse a request that breaks a block rule with CONFLICT rule COVERAGE', async () => {
    expect(fs.existsSync(serviceFile), 'the leave-request service (resolvers/leave-requests.ts) is not there yet').toBe(true);
    const department = await org.addDepartment('Tiny', manager.id);
    const pair = [await org.addUser({ departmentId: department, managerId: manager.id }), await org.addUser({ departmentId: department, managerId: manager.id })];
    await graph.leave.catchUpDirectory();
    const block = await ruleId({ departmentId: department, name: 'Someone in', minimumCount: 1, enforcement: 'BLOCK' });
    const type = dataOf(
      await graph.gql<{ createLeaveType: { id: string } }>(
        admin,
        'mutation { createLeaveType(input: { name: "Coverage test", code: "COVT", deductsFromAllowance: false }) { id } }',
      ),
    ).createLeaveType.id;
    const request = (key: string) =>
      graph.gql<{ createLeaveRequest: { id: string; status: string } }>(
        key,
        'mutation($t: ID!) { createLeaveRequest(input: { leaveTypeId: $t, startDate: "2027-02-01", endDate: "2027-02-02" }) { id status } }',
        { t: type },
      );
    dataOf(await request(pair[0]!.key));
    const refused = await request(pair[1]!.key);
    const error = expectError(refused, 'CONFLICT');
    expect(error.extensions?.['rule']).toBe('COVERAGE');
    dataOf(await deleteRule(admin, block));
    dataOf(await request(pair[1]!.key));
  });
});
