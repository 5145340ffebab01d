import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestOrg, startTestGraph, type TestGraph, type TestOrg, type TestUser } from '../../../helpers/graph.ts';
import { dataOf, expectError, insertLeave, insertLeaveType } from '../leave-fixtures.ts';

let graph: TestGraph;
let org: TestOrg;
let other: TestOrg;
let admin: string;
let manager: TestUser;
let employee: TestUser;
let sales: string;
let ops: string;
let holiday: string;
let training: string;
let otherType: string;
let otherDepartment: string;

interface Row {
  department: { id: string; name?: string } | null;
  leaveType: { id: string; name?: string } | null;
  month: string | null;
  days: number;
  hours: number;
  requests: number;
}

function report(key: string, args: Record<string, unknown>) {
  return graph.gql<{ leaveReport: Row[] }>(
    key,
    `query($from: Date!, $to: Date!, $groupBy: [LeaveReportDimension!]!, $d: ID, $t: ID) {
      leaveReport(from: $from, to: $to, groupBy: $groupBy, departmentId: $d, leaveTypeId: $t) {
        department { id } leaveType { id name } month days hours requests
      }
    }`,
    { from: '2027-01-01', to: '2027-03-31', ...args },
  );
}

const rows = async (args: Record<string, unknown>, key = admin) => dataOf(await report(key, args)).leaveReport;

beforeAll(async () => {
  graph = await startTestGraph();
  org = await createTestOrg(graph.peopleDb, 'Report Org');
  other = await createTestOrg(graph.peopleDb, 'Other Report Org');
  admin = org.admin.key;
  manager = await org.addUser({ role: 'MANAGER' });
  sales = await org.addDepartment('Sales');
  ops = await org.addDepartment('Ops');
  employee = await org.addUser({ departmentId: sales });
  const alice = await org.addUser({ departmentId: sales });
  const bob = await org.addUser({ departmentId: ops });
  const carol = await org.addUser({});
  otherDepartment = await other.addDepartment('Theirs');
  const stranger = await other.addUser({ departmentId: otherDepartment });
  await graph.leave.catchUpDirectory();
  holiday = await insertLeaveType(graph.leaveDb, org.id, { name: 'Holiday' });
  training = await insertLeaveType(graph.leaveDb, org.id, { name: 'Training', unit: 'HOURS' });
  otherType = await insertLeaveType(graph.leaveDb, other.id, { name: 'Holiday' });
  const db = graph.leaveDb;
  // Thursday 28 January to Tuesday 2 February: two working days in each month.
  await insertLeave(db, org.id, { userId: alice.id, leaveTypeId: holiday, startDate: '2027-01-28', endDate: '2027-02-02', departmentId: sales });
  await insertLeave(db, org.id, { userId: bob.id, leaveTypeId: training, startDate: '2027-02-03', endDate: '2027-02-03', departmentId: ops, unit: 'HOURS', dayHours: 4 });
  await insertLeave(db, org.id, { userId: carol.id, leaveTypeId: holiday, startDate: '2027-02-10', endDate: '2027-02-10', departmentId: null });
  // Not counted: pending, cancelled, outside the range, another organization's.
  await insertLeave(db, org.id, { userId: alice.id, leaveTypeId: holiday, startDate: '2027-03-01', endDate: '2027-03-01', departmentId: sales, status: 'PENDING' });
  await insertLeave(db, org.id, { userId: bob.id, leaveTypeId: holiday, startDate: '2027-03-02', endDate: '2027-03-02', departmentId: ops, status: 'CANCELLED' });
  await insertLeave(db, org.id, { userId: bob.id, leaveTypeId: holiday, startDate: '2027-04-01', endDate: '2027-04-01', departmentId: ops });
  await insertLeave(db, other.id, { userId: stranger.id, leaveTypeId: otherType, startDate: '2027-01-05', endDate: '2027-01-05', departmentId: otherDepartment });
});
afterAll(() => graph.stop());

describe('leaveReport', () => {
  it('should split a request spanning two months when grouped by month', async () => {
    expect(await rows({ groupBy: ['MONTH'] })).toEqual([
      { department: null, leaveType: null, month: '2027-01', days: 2, hours: 16, requests: 1 },
      { department: null, leaveType: null, month: '2027-02', days: 3, hours: 28, requests: 3 },
    ]);
    // Duplicated dimensions count once.
    expect(await rows({ groupBy: ['MONTH', 'MONTH'] })).toHaveLength(2);
  });

  it("should group by the requester's department at the time of the request", async () => {
    const result = await rows({ groupBy: ['DEPARTMENT'] });
    const byDepartment = Object.fromEntries(result.map((r) => [r.department?.id ?? 'none', [r.days, r.hours, r.requests]]));
    expect(byDepartment).toEqual({ [sales]: [4, 32, 1], [ops]: [0, 4, 1], none: [1, 8, 1] });
    // People without a department come last.
    expect(result.at(-1)!.department).toBeNull();
    const named = await graph.gql<{ leaveReport: { department: { name: string } | null }[] }>(
      manager.key,
      `query { leaveReport(from: "2027-01-01", to: "2027-03-31", groupBy: [DEPARTMENT]) { department { name } } }`,
    );
    expect(dataOf(named).leaveReport.map((r) => r.department?.name ?? null).sort()).toEqual(['Ops', 'Sales', null].sort());
  });

  it('should group by type and month, sorted by the keys in the order given', async () => {
    const result = await rows({ groupBy: ['MONTH', 'LEAVE_TYPE'] });
    // Within a month, rows follow the leave type's id.
    const february = [
      { id: holiday, row: ['2027-02', 'Holiday', 3, 24, 2] },
      { id: training, row: ['2027-02', 'Training', 0, 4, 1] },
    ].sort((a, b) => (a.id < b.id ? -1 : 1));
    expect(result.map((r) => [r.month, r.leaveType?.name, r.days, r.hours, r.requests])).toEqual([['2027-01', 'Holiday', 2, 16, 1], ...february.map((f) => f.row)]);
  });

  it('should count only the days inside the range, and filter by department and type', async () => {
    expect(await rows({ from: '2027-01-29', to: '2027-02-01', groupBy: ['MONTH'] })).toEqual([
      { department: null, leaveType: null, month: '2027-01', days: 1, hours: 8, requests: 1 },
      { department: null, leaveType: null, month: '2027-02', days: 1, hours: 8, requests: 1 },
    ]);
    expect(await rows({ groupBy: ['DEPARTMENT'], d: sales })).toEqual([{ department: { id: sales }, leaveType: null, month: null, days: 4, hours: 32, requests: 1 }]);
    expect(await rows({ groupBy: ['LEAVE_TYPE'], t: training })).toEqual([
      { department: null, leaveType: { id: training, name: 'Training' }, month: null, days: 0, hours: 4, requests: 1 },
    ]);
    expect(await rows({ from: '2027-05-01', to: '2027-05-31', groupBy: ['MONTH'] })).toEqual([]);
  });

  it('should let admins and managers run reports, not employees', async () => {
    expect(await rows({ groupBy: ['MONTH'] }, manager.key)).toHaveLength(2);
    expectError(await report(employee.key, { groupBy: ['MONTH'] }), 'FORBIDDEN');
  });

  it.each([
    ['groupBy', { groupBy: [] }],
    ['to', { groupBy: ['MONTH'], from: '2027-02-01', to: '2027-01-31' }],
    ['to', { groupBy: ['MONTH'], from: '2027-01-01', to: '2028-01-03' }],
    ['departmentId', { groupBy: ['MONTH'], d: '00000000-0000-4000-8000-000000000000' }],
    ['leaveTypeId', { groupBy: ['MONTH'], t: '00000000-0000-4000-8000-000000000000' }],
    ['leaveTypeId', { groupBy: ['MONTH'], t: 'holiday' }],
  ])('should refuse a bad %s', async (field, args) => {
    expectError(await report(admin, args), 'BAD_USER_INPUT', field);
  });

  it("should treat another organization's department and type like unknown ones", async () => {
    expectError(await report(admin, { groupBy: ['MONTH'], d: otherDepartment }), 'BAD_USER_INPUT', 'departmentId');
    expectError(await report(admin, { groupBy: ['MONTH'], t: otherType }), 'BAD_USER_INPUT', 'leaveTypeId');
    expect(await rows({ groupBy: ['DEPARTMENT'] }, other.admin.key)).toEqual([
      { department: { id: otherDepartment }, leaveType: null, month: null, days: 1, hours: 8, requests: 1 },
    ]);
  });
});
