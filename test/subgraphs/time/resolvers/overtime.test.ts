import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey, createTestOrg, startTestGraph, type TestGraph, type TestOrg, type TestUser } from '../../../helpers/graph.ts';
import { readEvents } from '../../../../subgraphs/shared/outbox.ts';
import { addOvertimeType, addPerson, balanceOf, dataOf, decide, decided, expectError, NOW, submit, submitted } from '../time-fixtures.ts';

let graph: TestGraph;
let org: TestOrg;
let other: TestOrg;
let weekend: string;
let paid: string;

beforeAll(async () => {
  graph = await startTestGraph({ now: () => NOW });
  org = await createTestOrg(graph.peopleDb);
  other = await createTestOrg(graph.peopleDb);
  await graph.time.catchUpDirectory();
  weekend = await addOvertimeType(graph, org.admin.key, { name: 'Weekend', code: 'WKND', compensation: 'TOIL', toilMultiplier: 1.5, colour: '#123456' });
  paid = await addOvertimeType(graph, org.admin.key, { name: 'Paid', code: 'PAID', compensation: 'PAID' });
});
afterAll(() => graph.stop());

interface Team {
  manager: TestUser;
  employee: TestUser;
  colleague: TestUser;
}

async function team(): Promise<Team> {
  const manager = await addPerson(graph, org, { role: 'MANAGER' });
  const employee = await addPerson(graph, org, { managerId: manager.id });
  const colleague = await addPerson(graph, org);
  return { manager, employee, colleague };
}

describe('overtime types', () => {
  it('should list types by name, retired ones only when asked, with their compensation', async () => {
    const res = await graph.gql<{ overtimeTypes: { totalCount: number; nodes: { name: string; compensation: string; toilMultiplier: number | null; active: boolean }[] } }>(
      org.admin.key,
      '{ overtimeTypes { totalCount nodes { name compensation toilMultiplier active } } }',
    );
    const types = dataOf(res).overtimeTypes;
    expect(types.nodes.map((t) => t.name)).toEqual(['Paid', 'Weekend']);
    expect(types.nodes[1]).toMatchObject({ compensation: 'TOIL', toilMultiplier: 1.5, active: true });
    expect(types.nodes[0]?.toilMultiplier).toBeNull();
  });

  it('should refuse bad type input naming the field', async () => {
    const create = (input: Record<string, unknown>) => graph.gql(org.admin.key, 'mutation($input: CreateOvertimeTypeInput!) { createOvertimeType(input: $input) { id } }', { input });
    expectError(await create({ name: 'X', code: 'X1', compensation: 'TOIL' }), 'BAD_USER_INPUT', 'input.toilMultiplier');
    expectError(await create({ name: 'X', code: 'X1', compensation: 'TOIL', toilMultiplier: 0 }), 'BAD_USER_INPUT', 'input.toilMultiplier');
    expectError(await create({ name: 'X', code: 'X1', compensation: 'TOIL', toilMultiplier: 1.555 }), 'BAD_USER_INPUT', 'input.toilMultiplier');
    expectError(await create({ name: 'X', code: 'X1', compensation: 'PAID', toilMultiplier: 1 }), 'BAD_USER_INPUT', 'input.toilMultiplier');
    expectError(await create({ name: ' ', code: 'X1', compensation: 'PAID' }), 'BAD_USER_INPUT', 'input.name');
    expectError(await create({ name: 'X', code: 'has space', compensation: 'PAID' }), 'BAD_USER_INPUT', 'input.code');
    expectError(await create({ name: 'X', code: 'X1', compensation: 'PAID', colour: 'red' }), 'BAD_USER_INPUT', 'input.colour');
    expectError(await create({ name: 'weekend', code: 'X1', compensation: 'PAID' }), 'BAD_USER_INPUT', 'input.name');
    expectError(await create({ name: 'Other', code: 'wknd', compensation: 'PAID' }), 'BAD_USER_INPUT', 'input.code');
  });

  it('should let only admins manage types', async () => {
    const { employee } = await team();
    const res = await graph.gql(employee.key, `mutation { createOvertimeType(input: { name: "Mine", code: "MINE", compensation: PAID }) { id } }`);
    expectError(res, 'FORBIDDEN');
  });

  it('should update a type and retire, never delete, a type with submissions', async () => {
    const id = await addOvertimeType(graph, org.admin.key, { name: 'Evening', code: 'EVE', compensation: 'TOIL', toilMultiplier: 1 });
    const updated = await graph.gql<{ updateOvertimeType: { name: string; toilMultiplier: number } }>(
      org.admin.key,
      'mutation($id: ID!) { updateOvertimeType(id: $id, input: { name: "Evenings", toilMultiplier: 2 }) { name toilMultiplier } }',
      { id },
    );
    expect(dataOf(updated).updateOvertimeType).toEqual({ name: 'Evenings', toilMultiplier: 2 });
    const { employee } = await team();
    await submitted(graph, employee.key, { overtimeTypeId: id, date: '2026-06-10', hoursWorked: 1 });
    const deleted = await graph.gql(org.admin.key, 'mutation($id: ID!) { deleteOvertimeType(id: $id) { id } }', { id });
    expectError(deleted, 'CONFLICT', { rule: 'OVERTIME_TYPE_HAS_SUBMISSIONS' });
    const retired = await graph.gql<{ retireOvertimeType: { active: boolean } }>(org.admin.key, 'mutation($id: ID!) { retireOvertimeType(id: $id) { active } }', { id });
    expect(dataOf(retired).retireOvertimeType.active).toBe(false);
    expectError(await submit(graph, employee.key, { overtimeTypeId: id, date: '2026-06-11', hoursWorked: 1 }), 'BAD_USER_INPUT', 'input.overtimeTypeId');
    const unused = await addOvertimeType(graph, org.admin.key, { name: 'Unused', code: 'UNU', compensation: 'PAID' });
    const gone = await graph.gql<{ deleteOvertimeType: { id: string } }>(org.admin.key, 'mutation($id: ID!) { deleteOvertimeType(id: $id) { id } }', { id: unused });
    expect(dataOf(gone).deleteOvertimeType.id).toBe(unused);
  });

  it("should answer another organization's type NOT_FOUND and not list it", async () => {
    const res = await graph.gql(other.admin.key, 'mutation($id: ID!) { retireOvertimeType(id: $id) { id } }', { id: weekend });
    expectError(res, 'NOT_FOUND');
    const list = await graph.gql<{ overtimeTypes: { totalCount: number } }>(other.admin.key, '{ overtimeTypes(status: ALL) { totalCount } }');
    expect(dataOf(list).overtimeTypes.totalCount).toBe(0);
  });
});

describe('overtime submissions', () => {
  it('should create for yourself, for a report as their manager, and for anyone as an admin, but not for a colleague', async () => {
    const { manager, employee, colleague } = await team();
    const own = await submitted(graph, employee.key, { overtimeTypeId: weekend, date: '2026-06-13', hoursWorked: 4.5, startTime: '09:00', endTime: '13:30', description: 'Weekend deployment support' });
    expect(own).toMatchObject({ status: 'PENDING', hoursWorked: 4.5, toilHoursAccrued: 0, user: { id: employee.id } });
    expect(own.history).toEqual([{ action: 'CREATED', status: 'PENDING', actor: { id: employee.id }, note: null }]);
    const byManager = await submitted(graph, manager.key, { userId: employee.id, overtimeTypeId: weekend, date: '2026-06-06', hoursWorked: 2 });
    expect(byManager.user.id).toBe(employee.id);
    const byAdmin = await submitted(graph, org.admin.key, { userId: colleague.id, overtimeTypeId: paid, date: '2026-06-06', hoursWorked: 2 });
    expect(byAdmin.user.id).toBe(colleague.id);
    expectError(await submit(graph, colleague.key, { userId: employee.id, overtimeTypeId: weekend, date: '2026-06-06', hoursWorked: 1 }), 'FORBIDDEN');
  });

  it('should refuse bad submission input naming the field', async () => {
    const { employee } = await team();
    const base = { overtimeTypeId: weekend, date: '2026-06-13', hoursWorked: 2 };
    expectError(await submit(graph, employee.key, { ...base, hoursWorked: 0 }), 'BAD_USER_INPUT', 'input.hoursWorked');
    expectError(await submit(graph, employee.key, { ...base, hoursWorked: -1 }), 'BAD_USER_INPUT', 'input.hoursWorked');
    expectError(await submit(graph, employee.key, { ...base, hoursWorked: 24.5 }), 'BAD_USER_INPUT', 'input.hoursWorked');
    expectError(await submit(graph, employee.key, { ...base, hoursWorked: 1.234 }), 'BAD_USER_INPUT', 'input.hoursWorked');
    expectError(await submit(graph, employee.key, { ...base, startTime: '25:00' }), 'BAD_USER_INPUT', 'input.startTime');
    expectError(await submit(graph, employee.key, { ...base, endTime: '9am' }), 'BAD_USER_INPUT', 'input.endTime');
    expectError(await submit(graph, employee.key, { ...base, date: '2028-01-01' }), 'BAD_USER_INPUT', 'input.date');
    expectError(await submit(graph, employee.key, { ...base, description: 'x'.repeat(2001) }), 'BAD_USER_INPUT', 'input.description');
    expectError(await submit(graph, employee.key, { ...base, overtimeTypeId: 'nope' }), 'BAD_USER_INPUT', 'input.overtimeTypeId');
    expectError(await submit(graph, employee.key, { ...base, userId: other.admin.id }), 'BAD_USER_INPUT', 'input.userId');
    const foreignType = await addOvertimeType(graph, other.admin.key, { name: 'Theirs', code: 'THEIRS', compensation: 'PAID' });
    expectError(await submit(graph, employee.key, { ...base, overtimeTypeId: foreignType }), 'BAD_USER_INPUT', 'input.overtimeTypeId');
  });

  it('should cap a day at 24 hours across all of the person\'s submissions', async () => {
    const { employee } = await team();
    await submitted(graph, employee.key, { overtimeTypeId: weekend, date: '2026-06-07', hoursWorked: 16 });
    const over = await submit(graph, employee.key, { overtimeTypeId: paid, date: '2026-06-07', hoursWorked: 8.5 });
    const error = expectError(over, 'BAD_USER_INPUT', 'input.hoursWorked');
    expect(error.message).toContain('24.5');
    await submitted(graph, employee.key, { overtimeTypeId: paid, date: '2026-06-07', hoursWorked: 8 });
    // Another day is free.
    await submitted(graph, employee.key, { overtimeTypeId: paid, date: '2026-06-08', hoursWorked: 8 });
  });

  it('should update and delete only while pending, by the person, their manager or an admin', async () => {
    const { manager, employee, colleague } = await team();
    const s = await submitted(graph, employee.key, { overtimeTypeId: weekend, date: '2026-06-13', hoursWorked: 3 });
    const update = (key: string, input: Record<string, unknown>) =>
      graph.gql<{ updateOvertimeSubmission: { hoursWorked: number; description: string | null; history: { action: string }[] } }>(
        key,
        'mutation($id: ID!, $input: UpdateOvertimeSubmissionInput!) { updateOvertimeSubmission(id: $id, input: $input) { hoursWorked description history { action } } }',
        { id: s.id, input },
      );
    expect(dataOf(await update(employee.key, { hoursWorked: 5, description: 'Longer' })).updateOvertimeSubmission).toMatchObject({ hoursWorked: 5, description: 'Longer', history: [{ action: 'CREATED' }, { action: 'UPDATED' }] });
    expectError(await update(employee.key, { hoursWorked: null }), 'BAD_USER_INPUT', 'input.hoursWorked');
    expectError(await update(employee.key, {}), 'BAD_USER_INPUT', 'input');
    expectError(await update(colleague.key, { hoursWorked: 1 }), 'NOT_FOUND');
    expectError(await update(other.admin.key, { hoursWorked: 1 }), 'NOT_FOUND');
    await decided(graph, manager.key, 'approve', s.id);
    expectError(await update(employee.key, { hoursWorked: 1 }), 'CONFLICT', { rule: 'NOT_PENDING' });
    const del = (key: string, id: string) => graph.gql<{ deleteOvertimeSubmission: { id: string } }>(key, 'mutation($id: ID!) { deleteOvertimeSubmission(id: $id) { id } }', { id });
    expectError(await del(employee.key, s.id), 'CONFLICT', { rule: 'NOT_PENDING' });
    const pending = await submitted(graph, employee.key, { overtimeTypeId: weekend, date: '2026-06-14', hoursWorked: 1 });
    expectError(await del(colleague.key, pending.id), 'NOT_FOUND');
    expect(dataOf(await del(manager.key, pending.id)).deleteOvertimeSubmission.id).toBe(pending.id);
    expectError(await graph.gql(employee.key, 'query($id: ID!) { overtimeSubmission(id: $id) { id } }', { id: pending.id }), 'NOT_FOUND');
  });

  it('should allow 20 changes of a pending submission and refuse the 21st with CONFLICT TOO_MANY_UPDATES, keeping the history a short list', async () => {
    const { employee } = await team();
    const s = await submitted(graph, employee.key, { overtimeTypeId: weekend, date: '2026-06-20', hoursWorked: 1 });
    const update = (hoursWorked: number) =>
      graph.gql<{ updateOvertimeSubmission: { history: { action: string }[] } }>(
        employee.key,
        'mutation($id: ID!, $input: UpdateOvertimeSubmissionInput!) { updateOvertimeSubmission(id: $id, input: $input) { history { action } } }',
        { id: s.id, input: { hoursWorked } },
      );
    let history: { action: string }[] = [];
    for (let i = 1; i <= 20; i++) history = dataOf(await update(1 + i / 4)).updateOvertimeSubmission.history;
    expect(history).toHaveLength(21);
    const refused = expectError(await update(7), 'CONFLICT', { rule: 'TOO_MANY_UPDATES' });
    expect(refused.extensions?.['max']).toBe(20);
    const after = dataOf(await graph.gql<{ overtimeSubmission: { hoursWorked: number; history: unknown[] } }>(employee.key, 'query($id: ID!) { overtimeSubmission(id: $id) { hoursWorked history { action } } }', { id: s.id })).overtimeSubmission;
    expect(after).toMatchObject({ hoursWorked: 6 });
    expect(after.history).toHaveLength(21);
  });

  it('should let the manager or an admin decide, never the submitter, with notes and history', async () => {
    const { manager, employee, colleague } = await team();
    const s = await submitted(graph, employee.key, { overtimeTypeId: weekend, date: '2026-06-13', hoursWorked: 4 });
    expectError(await decide(graph, employee.key, 'approve', s.id), 'FORBIDDEN');
    expectError(await decide(graph, colleague.key, 'approve', s.id), 'NOT_FOUND');
    const byManager = await submitted(graph, manager.key, { userId: employee.id, overtimeTypeId: paid, date: '2026-06-12', hoursWorked: 1 });
    expectError(await decide(graph, manager.key, 'approve', byManager.id), 'FORBIDDEN');
    const approved = await decided(graph, manager.key, 'approve', s.id, 'Thanks');
    expect(approved).toMatchObject({ status: 'APPROVED', toilHoursAccrued: 6, decidedBy: { id: manager.id } });
    expect(approved.history.map((h) => [h.action, h.note])).toEqual([['CREATED', null], ['APPROVED', 'Thanks']]);
    expectError(await decide(graph, org.admin.key, 'reject', s.id), 'CONFLICT', { rule: 'ALREADY_DECIDED' });
    const rejected = await decided(graph, org.admin.key, 'reject', byManager.id, 'No');
    expect(rejected).toMatchObject({ status: 'REJECTED', toilHoursAccrued: 0 });
  });

  it('should refuse a decision without approve:time', async () => {
    const { manager, employee } = await team();
    const s = await submitted(graph, employee.key, { overtimeTypeId: weekend, date: '2026-06-13', hoursWorked: 1 });
    const key = await createKey(graph.peopleDb, org.id, manager.id, ['read:time', 'write:time']);
    const res = await decide(graph, key.secret, 'approve', s.id);
    expectError(res, 'FORBIDDEN');
  });

  it('should accrue TOIL on approval of a TOIL type and none for a paid type', async () => {
    const { manager, employee } = await team();
    const a = await submitted(graph, employee.key, { overtimeTypeId: weekend, date: '2026-06-13', hoursWorked: 2.5 });
    const b = await submitted(graph, employee.key, { overtimeTypeId: paid, date: '2026-06-12', hoursWorked: 3 });
    expect((await decided(graph, manager.key, 'approve', a.id)).toilHoursAccrued).toBe(3.75);
    expect((await decided(graph, manager.key, 'approve', b.id)).toilHoursAccrued).toBe(0);
    const balance = await balanceOf(graph, employee.key, employee.id);
    expect(balance).toMatchObject({ accrued: 3.75, used: 0, available: 3.75, nextExpiry: { date: '2026-09-13', hours: 3.75 } });
  });

  it('should decide once when two approvals race', async () => {
    const { manager, employee } = await team();
    const s = await submitted(graph, employee.key, { overtimeTypeId: weekend, date: '2026-06-13', hoursWorked: 2 });
    const results = await Promise.all([decide(graph, manager.key, 'approve', s.id), decide(graph, org.admin.key, 'approve', s.id), decide(graph, org.admin.key, 'reject', s.id)]);
    const ok = results.filter((r) => !r.body.errors);
    expect(ok).toHaveLength(1);
    for (const r of results.filter((x) => x.body.errors)) expectError(r, 'CONFLICT', { rule: 'ALREADY_DECIDED' });
    const balance = await balanceOf(graph, employee.key, employee.id);
    expect(balance.accrued).toBe(ok[0]?.body.data?.['approveOvertimeSubmission'] ? 3 : 0);
  });

  it('should let only admins cancel an approved submission, taking its TOIL back', async () => {
    const { manager, employee } = await team();
    const s = await submitted(graph, employee.key, { overtimeTypeId: weekend, date: '2026-06-13', hoursWorked: 2 });
    expectError(await decide(graph, org.admin.key, 'cancel', s.id), 'CONFLICT', { rule: 'NOT_CANCELLABLE' });
    await decided(graph, manager.key, 'approve', s.id);
    expectError(await decide(graph, manager.key, 'cancel', s.id), 'FORBIDDEN');
    const cancelled = await decided(graph, org.admin.key, 'cancel', s.id, 'Entered twice');
    expect(cancelled.status).toBe('CANCELLED');
    expect((await balanceOf(graph, employee.key, employee.id)).available).toBe(0);
  });

  it('should refuse to cancel when some of the TOIL was used, naming the hours used', async () => {
    const { manager, employee } = await team();
    const s = await submitted(graph, employee.key, { overtimeTypeId: weekend, date: '2026-06-13', hoursWorked: 2 });
    await decided(graph, manager.key, 'approve', s.id);
    dataOf(await graph.gql(org.admin.key, 'mutation($u: ID!) { adjustToil(input: { userId: $u, hours: -1.25, reason: "Took an afternoon" }) { available } }', { u: employee.id }));
    const res = await decide(graph, org.admin.key, 'cancel', s.id);
    const error = expectError(res, 'CONFLICT', { rule: 'TOIL_ALREADY_USED' });
    expect(error.extensions?.['hoursUsed']).toBe(1.25);
    expect(error.message).toContain('1.25');
    const balance = await balanceOf(graph, employee.key, employee.id);
    expect(balance).toMatchObject({ accrued: 3, used: 1.25, available: 1.75 });
  });

  it('should list and filter by user, department, status, type and date, paginated, within what the caller may see', async () => {
    const manager = await addPerson(graph, org, { role: 'MANAGER' });
    const department = await org.addDepartment('Filtering', manager.id);
    const a = await addPerson(graph, org, { departmentId: department });
    const b = await addPerson(graph, org, { departmentId: department });
    await graph.time.catchUpDirectory();
    const s1 = await submitted(graph, a.key, { overtimeTypeId: weekend, date: '2026-05-02', hoursWorked: 1 });
    await submitted(graph, a.key, { overtimeTypeId: paid, date: '2026-05-09', hoursWorked: 1 });
    await submitted(graph, b.key, { overtimeTypeId: weekend, date: '2026-05-16', hoursWorked: 1 });
    await decided(graph, manager.key, 'approve', s1.id);
    const list = (key: string, filter: Record<string, unknown>, first = 10, after?: string) =>
      graph.gql<{ overtimeSubmissions: { totalCount: number; nodes: { date: string; user: { id: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } }>(
        key,
        'query($filter: OvertimeSubmissionFilter, $first: Int, $after: String) { overtimeSubmissions(filter: $filter, first: $first, after: $after) { totalCount nodes { date user { id } } pageInfo { hasNextPage endCursor } } }',
        { filter, first, after },
      );
    const dept = dataOf(await list(manager.key, { departmentId: department })).overtimeSubmissions;
    expect(dept.nodes.map((n) => n.date)).toEqual(['2026-05-16', '2026-05-09', '2026-05-02']);
    expect(dataOf(await list(manager.key, { departmentId: department, statuses: ['APPROVED'] })).overtimeSubmissions.nodes.map((n) => n.date)).toEqual(['2026-05-02']);
    expect(dataOf(await list(manager.key, { departmentId: department, overtimeTypeId: paid })).overtimeSubmissions.nodes.map((n) => n.date)).toEqual(['2026-05-09']);
    expect(dataOf(await list(manager.key, { userId: b.id })).overtimeSubmissions.totalCount).toBe(1);
    expect(dataOf(await list(manager.key, { departmentId: department, from: '2026-05-05', to: '2026-05-10' })).overtimeSubmissions.totalCount).toBe(1);
    const page1 = dataOf(await list(manager.key, { departmentId: department }, 2)).overtimeSubmissions;
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const page2 = dataOf(await list(manager.key, { departmentId: department }, 2, page1.pageInfo.endCursor)).overtimeSubmissions;
    expect(page2.nodes.map((n) => n.date)).toEqual(['2026-05-02']);
    // b sees only their own; another organization sees none.
    expect(dataOf(await list(b.key, { departmentId: department })).overtimeSubmissions.totalCount).toBe(1);
    expect(dataOf(await list(other.admin.key, {})).overtimeSubmissions.totalCount).toBe(0);
    expectError(await list(manager.key, { userId: 'nope' }), 'BAD_USER_INPUT', 'filter.userId');
    expectError(await list(manager.key, { from: '2026-05-10', to: '2026-05-01' }), 'BAD_USER_INPUT', 'filter.to');
    expectError(await list(manager.key, {}, 101), 'BAD_USER_INPUT', 'first');
    // Also as User.overtimeSubmissions, with the same filters.
    const nested = await graph.gql<{ user: { overtimeSubmissions: { totalCount: number; nodes: { date: string }[] } } }>(
      manager.key,
      'query($id: ID!) { user(id: $id) { overtimeSubmissions(filter: { statuses: [PENDING] }) { totalCount nodes { date } } } }',
      { id: a.id },
    );
    expect(dataOf(nested).user.overtimeSubmissions).toEqual({ totalCount: 1, nodes: [{ date: '2026-05-09' }] });
  });

  it('should publish overtime events and toil.changed in the transaction of the write', async () => {
    const { manager, employee } = await team();
    const s = await submitted(graph, employee.key, { overtimeTypeId: weekend, date: '2026-06-13', hoursWorked: 2 });
    await decided(graph, manager.key, 'approve', s.id);
    const events = (await readEvents(graph.database.handle.root, 0, 10_000, ['overtime.', 'toil.'], { orgId: org.id })).filter((e) => e.entityId === s.id || e.entityId === employee.id);
    expect(events.map((e) => e.type)).toEqual(['overtime.created', 'overtime.approved', 'toil.changed']);
    expect(events[1]?.payload).toMatchObject({ userId: employee.id, status: 'APPROVED', toilHoursAccrued: '3.0000' });
    expect(events[2]?.payload).toMatchObject({ userId: employee.id, cause: 'ACCRUED', lots: [{ hours: '3.0000', used: '0.0000', expiresOn: '2026-09-13' }] });
  });
});
