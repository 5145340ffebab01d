import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestOrg, startTestGraph, type TestGraph, type TestOrg, type TestUser } from '../helpers/graph.ts';
import { dataOf, expectError } from '../helpers/assertions.ts';
import { insertLeaveType } from '../../subgraphs/leave/db/repositories/leave-types.ts';

// The time subgraph through the gateway, with leave: overtime becomes TOIL, TOIL is taken
// as leave, and hours worked accrue holiday that a read straight after the write sees.

const NOW = new Date('2026-06-15T09:00:00Z');
let graph: TestGraph;
let org: TestOrg;
let manager: TestUser;
let employee: TestUser;
let weekend: string;
let toilLeave: string;

const BALANCE = 'query($id: ID!) { user(id: $id) { name toilBalance { accrued used available nextExpiry { date hours } } } }';
const balance = async (key: string, id: string) => dataOf(await graph.gql<{ user: { toilBalance: { accrued: number; used: number; available: number } } }>(key, BALANCE, { id })).user.toilBalance;

function requestToil(key: string, startDate: string, hours: number) {
  return graph.gql<{ createLeaveRequest: { id: string; status: string; amount: number } }>(
    key,
    'mutation($t: ID!, $s: Date!, $h: Float!) { createLeaveRequest(input: { leaveTypeId: $t, startDate: $s, endDate: $s, firstDayHours: $h, reason: TIME_OFF_IN_LIEU }) { id status amount } }',
    { t: toilLeave, s: startDate, h: hours },
  );
}

beforeAll(async () => {
  graph = await startTestGraph({ now: () => NOW });
  org = await createTestOrg(graph.peopleDb);
  manager = await org.addUser({ role: 'MANAGER' });
  employee = await org.addUser({ managerId: manager.id });
  await graph.time.catchUpDirectory();
  await graph.leave.catchUpDirectory();
  const type = await graph.gql<{ createOvertimeType: { id: string } }>(org.admin.key, 'mutation { createOvertimeType(input: { name: "Weekend", code: "WKND", compensation: TOIL, toilMultiplier: 1.5 }) { id } }');
  weekend = dataOf(type).createOvertimeType.id;
  const leaveType = await graph.gql<{ createLeaveType: { id: string; drawsOnToil: boolean } }>(
    org.admin.key,
    'mutation { createLeaveType(input: { name: "Time off in lieu", code: "TOIL", unit: HOURS, category: OTHER, deductsFromAllowance: false, drawsOnToil: true, halfDaysAllowed: false }) { id drawsOnToil } }',
  );
  expect(dataOf(leaveType).createLeaveType.drawsOnToil).toBe(true);
  toilLeave = dataOf(leaveType).createLeaveType.id;
});
afterAll(() => graph.stop());

describe('the time graph end to end', () => {
  it('should turn approved overtime into TOIL, take it as leave, and show the balance fall', async () => {
    const submitted = await graph.gql<{ createOvertimeSubmission: { id: string } }>(employee.key, 'mutation($t: ID!) { createOvertimeSubmission(input: { overtimeTypeId: $t, date: "2026-06-13", hoursWorked: 4, description: "Weekend deployment support" }) { id } }', { t: weekend });
    const id = dataOf(submitted).createOvertimeSubmission.id;
    const approved = await graph.gql<{ approveOvertimeSubmission: { toilHoursAccrued: number; user: { name: string }; decidedBy: { name: string } } }>(
      manager.key,
      'mutation($id: ID!) { approveOvertimeSubmission(id: $id, input: { note: "Thanks" }) { toilHoursAccrued user { name } decidedBy { name } } }',
      { id },
    );
    expect(dataOf(approved).approveOvertimeSubmission).toMatchObject({ toilHoursAccrued: 6 });
    expect(await balance(employee.key, employee.id)).toMatchObject({ accrued: 6, used: 0, available: 6 });

    const request = dataOf(await requestToil(employee.key, '2026-06-22', 4)).createLeaveRequest;
    expect(request).toMatchObject({ status: 'PENDING', amount: 4 });
    // The pending 4 hours are held: only 2 are left to ask for.
    expectError(await requestToil(employee.key, '2026-06-23', 2.5), 'CONFLICT', { rule: 'INSUFFICIENT_TOIL' });
    dataOf(await graph.gql(manager.key, 'mutation($id: ID!) { approveLeaveRequest(id: $id) { status } }', { id: request.id }));
    // Read straight after the approval: time applies the use before answering.
    expect(await balance(employee.key, employee.id)).toMatchObject({ accrued: 6, used: 4, available: 2 });

    // The overtime cannot be cancelled now that its TOIL is partly used.
    const cancel = await graph.gql(org.admin.key, 'mutation($id: ID!) { cancelOvertimeSubmission(id: $id) { status } }', { id });
    expect(expectError(cancel, 'CONFLICT', { rule: 'TOIL_ALREADY_USED' }).extensions?.['hoursUsed']).toBe(4);

    // Cancelling the leave gives the hours back to the same lot.
    dataOf(await graph.gql(org.admin.key, 'mutation($id: ID!) { cancelLeaveRequest(id: $id, input: { note: "Plans changed" }) { status } }', { id: request.id }));
    expect(await balance(employee.key, employee.id)).toMatchObject({ accrued: 6, used: 0, available: 6 });
    const ledger = await graph.gql<{ user: { toilBalance: { ledger: { nodes: { kind: string; hours: number }[] } } } }>(employee.key, 'query($id: ID!) { user(id: $id) { toilBalance { ledger { nodes { kind hours } } } } }', { id: employee.id });
    expect(dataOf(ledger).user.toilBalance.ledger.nodes).toEqual([{ kind: 'ACCRUED', hours: 6 }, { kind: 'USED', hours: -4 }, { kind: 'RETURNED', hours: 4 }]);
  });

  it('should let one of two concurrent requests for the last TOIL hours win', async () => {
    const person = await org.addUser({ managerId: manager.id });
    await graph.time.catchUpDirectory();
    await graph.leave.catchUpDirectory();
    dataOf(await graph.gql(org.admin.key, 'mutation($u: ID!) { adjustToil(input: { userId: $u, hours: 3, reason: "Cover", date: "2026-06-01" }) { available } }', { u: person.id }));
    const results = await Promise.all([requestToil(person.key, '2026-06-24', 3), requestToil(person.key, '2026-06-25', 3)]);
    const won = results.filter((r) => !r.body.errors);
    expect(won).toHaveLength(1);
    const lost = results.find((r) => r.body.errors);
    expect(lost).toBeDefined();
    if (lost) expectError(lost, 'CONFLICT', { rule: 'INSUFFICIENT_TOIL' });
    // Approve it and try more: the lots never go below zero.
    const id = won[0]?.body.data?.createLeaveRequest.id;
    dataOf(await graph.gql(manager.key, 'mutation($id: ID!) { approveLeaveRequest(id: $id) { status } }', { id }));
    expect(await balance(person.key, person.id)).toMatchObject({ used: 3, available: 0 });
    expectError(await requestToil(person.key, '2026-06-26', 0.5), 'CONFLICT', { rule: 'INSUFFICIENT_TOIL' });
  });

  it('should refuse a TOIL type that is not in hours or deducts from an allowance', async () => {
    const days = await graph.gql(org.admin.key, 'mutation { createLeaveType(input: { name: "Bad", code: "BAD", unit: DAYS, deductsFromAllowance: false, drawsOnToil: true }) { id } }');
    expectError(days, 'BAD_USER_INPUT', 'input.drawsOnToil');
    const deducting = await graph.gql(org.admin.key, 'mutation { createLeaveType(input: { name: "Bad", code: "BAD", unit: HOURS, drawsOnToil: true }) { id } }');
    expectError(deducting, 'BAD_USER_INPUT', 'input.drawsOnToil');
    const change = await graph.gql(org.admin.key, 'mutation($id: ID!) { updateLeaveType(id: $id, input: { unit: DAYS }) { id } }', { id: toilLeave });
    expectError(change, 'BAD_USER_INPUT', 'input.unit');
  });

  it("should record hours for an irregular-hours worker and show the accrual in the response and in a read straight after", async () => {
    const worker = await org.addUser({ employmentType: 'IRREGULAR_HOURS', workingPattern: ['0', '0', '0', '0', '0', '0', '0'], externalId: 'EMP-E2E' });
    const holiday = await insertLeaveType(graph.leaveDb, {
      org_id: org.id, name: 'Holiday', code: 'HOL', unit: 'HOURS', category: 'VACATION', paid: true, requires_approval: true, requires_document: false,
      requires_comment: false, half_days_allowed: false, deducts_from_allowance: true, allow_negative_balance: false, private: false, default_entitlement: '0',
    });
    // No catch-up here: the write and the read must each see what they need on their own.
    const res = await graph.gql<{ recordHoursWorked: { status: string; hoursAccrued: number; hoursWorked: { allowance: { remaining: number; accrued: number } } } }>(
      org.admin.key,
      'mutation { recordHoursWorked(input: { externalUserId: "EMP-E2E", date: "2026-06-12", hoursWorked: 8.5 }) { status hoursAccrued hoursWorked { allowance { accrued remaining } } } }',
    );
    expect(dataOf(res).recordHoursWorked).toEqual({ status: 'CREATED', hoursAccrued: 1.026, hoursWorked: { allowance: { accrued: 1.026, remaining: 1.026 } } });
    const read = await graph.gql<{ allowance: { accrued: number } }>(org.admin.key, 'query($u: ID!, $t: ID!) { allowance(userId: $u, leaveTypeId: $t) { accrued } }', { u: worker.id, t: holiday.id });
    expect(dataOf(read).allowance.accrued).toBe(1.026);
    const viaUser = await graph.gql<{ user: { allowances: { accrued: number }[] } }>(worker.key, 'query($u: ID!) { user(id: $u) { allowances { accrued } } }', { u: worker.id });
    expect(dataOf(viaUser).user.allowances.map((a) => a.accrued)).toContain(1.026);
  });
});
