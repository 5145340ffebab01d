import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestOrg, startTestGraph, type TestGraph, type TestOrg, type TestUser } from '../../../helpers/graph.ts';
import { dataOf, expectError, insertLeave, insertLeaveType } from '../leave-fixtures.ts';

const FROM = '2027-01-11';
const TO = '2027-01-15';

let graph: TestGraph;
let org: TestOrg;
let other: TestOrg;
let admin: string;
let manager: TestUser;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;
let sales: string;
let ops: string;
let otherDepartment: string;
const requests: Record<string, string> = {};
let statements: string[] | null = null;

interface Absence {
  user: { id: string };
  startDate: string;
  endDate: string;
  status: string;
  firstDayPortion: string;
  lastDayPortion: string;
  leaveType: { name: string } | null;
  leaveRequest: { id: string } | null;
}
interface Absences {
  totalCount: number;
  nodes: Absence[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

const ABSENCE = 'user { id } startDate endDate status firstDayPortion lastDayPortion leaveType { name } leaveRequest { id }';

function whosOut(key: string, args: Record<string, unknown>) {
  return graph.gql<{ whosOut: Absences }>(
    key,
    `query($from: Date!, $to: Date!, $d: ID, $p: Boolean, $first: Int, $after: String) {
      whosOut(from: $from, to: $to, departmentId: $d, includePending: $p, first: $first, after: $after) {
        totalCount nodes { ${ABSENCE} } pageInfo { hasNextPage endCursor }
      }
    }`,
    { from: FROM, to: TO, ...args },
  );
}

const whoOf = (absences: Absences) => absences.nodes.map((n) => [n.user.id, n.startDate, n.status]);

beforeAll(async () => {
  graph = await startTestGraph({ onQuery: (sql) => statements?.push(sql) });
  org = await createTestOrg(graph.peopleDb, 'Whos Out Org');
  other = await createTestOrg(graph.peopleDb, 'Other Whos Out Org');
  admin = org.admin.key;
  manager = await org.addUser({ role: 'MANAGER' });
  sales = await org.addDepartment('Sales', manager.id);
  ops = await org.addDepartment('Ops');
  alice = await org.addUser({ departmentId: sales, managerId: manager.id });
  bob = await org.addUser({ departmentId: sales });
  carol = await org.addUser({ departmentId: ops });
  const dave = await org.addUser({ departmentId: ops });
  const eve = await org.addUser({ departmentId: sales });
  otherDepartment = await other.addDepartment('Theirs');
  const stranger = await other.addUser({ departmentId: otherDepartment });
  dataOf(await graph.gql(admin, 'mutation($id: ID!) { deactivateUser(id: $id) { id } }', { id: eve.id }));
  await graph.leave.catchUpDirectory();

  const holiday = await insertLeaveType(graph.leaveDb, org.id, { name: 'Holiday' });
  const medical = await insertLeaveType(graph.leaveDb, org.id, { name: 'Medical', private: true });
  const theirs = await insertLeaveType(graph.leaveDb, other.id, { name: 'Holiday' });
  const leave = (name: string, values: Parameters<typeof insertLeave>[2]) =>
    insertLeave(graph.leaveDb, org.id, values).then((id) => {
      requests[name] = id;
    });
  // The request's own department is stale (null): who is out goes by the directory's current department.
  await leave('aliceMedical', { userId: alice.id, leaveTypeId: medical, startDate: '2027-01-11', endDate: '2027-01-13', departmentId: null });
  await leave('bobHoliday', { userId: bob.id, leaveTypeId: holiday, startDate: '2027-01-12', endDate: '2027-01-12', departmentId: sales });
  await leave('bobPending', { userId: bob.id, leaveTypeId: holiday, startDate: '2027-01-14', endDate: '2027-01-15', status: 'PENDING', departmentId: sales });
  await leave('carolHoliday', { userId: carol.id, leaveTypeId: holiday, startDate: '2027-01-04', endDate: '2027-01-11', departmentId: ops });
  await leave('carolCancelled', { userId: carol.id, leaveTypeId: holiday, startDate: '2027-01-13', endDate: '2027-01-13', status: 'CANCELLED' });
  await leave('daveRejected', { userId: dave.id, leaveTypeId: holiday, startDate: '2027-01-12', endDate: '2027-01-12', status: 'REJECTED' });
  await leave('aliceLater', { userId: alice.id, leaveTypeId: holiday, startDate: '2027-01-16', endDate: '2027-01-20' });
  await leave('eveGone', { userId: eve.id, leaveTypeId: holiday, startDate: '2027-01-12', endDate: '2027-01-12' });
  await insertLeave(graph.leaveDb, other.id, { userId: stranger.id, leaveTypeId: theirs, startDate: FROM, endDate: TO, departmentId: otherDepartment });
});
afterAll(() => graph.stop());

describe('whosOut', () => {
  it('should list approved absences overlapping the range by start date', async () => {
    const out = dataOf(await whosOut(admin, {})).whosOut;
    expect(out.totalCount).toBe(3);
    expect(whoOf(out)).toEqual([
      [carol.id, '2027-01-04', 'APPROVED'],
      [alice.id, '2027-01-11', 'APPROVED'],
      [bob.id, '2027-01-12', 'APPROVED'],
    ]);
    expect(out.nodes[0]).toMatchObject({ endDate: '2027-01-11', firstDayPortion: 'FULL_DAY', lastDayPortion: 'FULL_DAY' });
  });

  it('should add pending requests when asked', async () => {
    const out = dataOf(await whosOut(admin, { p: true })).whosOut;
    expect(out.totalCount).toBe(4);
    expect(whoOf(out).at(-1)).toEqual([bob.id, '2027-01-14', 'PENDING']);
  });

  it("should filter by the members' current department", async () => {
    const out = dataOf(await whosOut(admin, { d: sales, p: true })).whosOut;
    expect(whoOf(out)).toEqual([
      [alice.id, '2027-01-11', 'APPROVED'],
      [bob.id, '2027-01-12', 'APPROVED'],
      [bob.id, '2027-01-14', 'PENDING'],
    ]);
    expect(out.totalCount).toBe(3);
  });

  it('should hide a private type and the request from colleagues, not from the person, their manager or admins', async () => {
    const seenBy = async (key: string) => {
      const out = dataOf(await whosOut(key, { d: sales })).whosOut;
      return Object.fromEntries(out.nodes.map((n) => [n.user.id, { type: n.leaveType?.name ?? null, request: n.leaveRequest?.id ?? null }]));
    };
    expect(await seenBy(bob.key)).toEqual({
      [alice.id]: { type: null, request: null },
      [bob.id]: { type: 'Holiday', request: requests['bobHoliday'] },
    });
    expect((await seenBy(carol.key))[bob.id]).toEqual({ type: 'Holiday', request: null });
    expect((await seenBy(alice.key))[alice.id]).toEqual({ type: 'Medical', request: requests['aliceMedical'] });
    expect((await seenBy(manager.key))[alice.id]).toEqual({ type: 'Medical', request: requests['aliceMedical'] });
    expect((await seenBy(admin))[alice.id]).toEqual({ type: 'Medical', request: requests['aliceMedical'] });
  });

  it('should resolve the person through the people subgraph', async () => {
    const res = await graph.gql<{ whosOut: { nodes: { user: { id: string; firstName: string } }[] } }>(
      bob.key,
      `query { whosOut(from: "${FROM}", to: "${FROM}", departmentId: "${sales}") { nodes { user { id firstName } } } }`,
    );
    expect(dataOf(res).whosOut.nodes).toEqual([{ user: { id: alice.id, firstName: expect.any(String) } }]);
  });

  it('should page with a cursor', async () => {
    const first = dataOf(await whosOut(admin, { first: 2 })).whosOut;
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = dataOf(await whosOut(admin, { first: 2, after: first.pageInfo.endCursor })).whosOut;
    expect(second.pageInfo.hasNextPage).toBe(false);
    expect([...whoOf(first), ...whoOf(second)].map(([id]) => id)).toEqual([carol.id, alice.id, bob.id]);
    expectError(await whosOut(admin, { after: 'garbage' }), 'BAD_USER_INPUT', 'after');
  });

  it('should refuse a bad range, page size or department', async () => {
    expectError(await whosOut(admin, { from: TO, to: FROM }), 'BAD_USER_INPUT', 'to');
    expectError(await whosOut(admin, { from: '2027-01-01', to: '2028-01-03' }), 'BAD_USER_INPUT', 'to');
    dataOf(await whosOut(admin, { from: '2027-01-01', to: '2028-01-02' }));
    expectError(await whosOut(admin, { first: 0 }), 'BAD_USER_INPUT', 'first');
    expectError(await whosOut(admin, { first: 101 }), 'BAD_USER_INPUT', 'first');
    for (const d of [otherDepartment, '00000000-0000-4000-8000-000000000000', 'x']) {
      expectError(await whosOut(admin, { d }), 'BAD_USER_INPUT', 'departmentId');
    }
  });

  it("should never show another organization's absences", async () => {
    const out = dataOf(await whosOut(other.admin.key, { p: true })).whosOut;
    expect(out.totalCount).toBe(1);
    expect(out.nodes[0]!.leaveType).toEqual({ name: 'Holiday' });
  });
});

describe('Department.whosOut', () => {
  const query = `query($from: Date!, $to: Date!, $p: Boolean, $first: Int) {
    departments(first: 100) { nodes { id whosOut(from: $from, to: $to, includePending: $p, first: $first) {
      totalCount nodes { ${ABSENCE} } pageInfo { hasNextPage endCursor }
    } } }
  }`;

  async function byDepartment(key: string, variables: Record<string, unknown> = {}) {
    const res = await graph.gql<{ departments: { nodes: { id: string; whosOut: Absences }[] } }>(key, query, { from: FROM, to: TO, ...variables });
    return Object.fromEntries(dataOf(res).departments.nodes.map((d) => [d.id, d.whosOut]));
  }

  it("should list each department's absences", async () => {
    const out = await byDepartment(bob.key, { p: true });
    expect(whoOf(out[sales]!)).toEqual([
      [alice.id, '2027-01-11', 'APPROVED'],
      [bob.id, '2027-01-12', 'APPROVED'],
      [bob.id, '2027-01-14', 'PENDING'],
    ]);
    expect(out[sales]!.totalCount).toBe(3);
    expect(out[sales]!.nodes[0]!.leaveType).toBeNull();
    expect(whoOf(out[ops]!)).toEqual([[carol.id, '2027-01-04', 'APPROVED']]);
    expect(out[ops]!.totalCount).toBe(1);
  });

  it('should page each department and refuse a bad range', async () => {
    const out = await byDepartment(admin, { p: true, first: 1 });
    expect(out[sales]!.pageInfo.hasNextPage).toBe(true);
    expect(out[ops]!.pageInfo.hasNextPage).toBe(false);
    const next = await graph.gql<{ department: { whosOut: Absences } }>(
      admin,
      `query($id: ID!, $after: String) { department(id: $id) { whosOut(from: "${FROM}", to: "${TO}", includePending: true, first: 1, after: $after) {
        totalCount nodes { ${ABSENCE} } pageInfo { hasNextPage endCursor } } } }`,
      { id: sales, after: out[sales]!.pageInfo.endCursor },
    );
    expect(whoOf(dataOf(next).department.whosOut)).toEqual([[bob.id, '2027-01-12', 'APPROVED']]);
    const bad = await graph.gql(admin, query, { from: TO, to: FROM });
    expect(bad.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to' });
  });

  it('should run the same number of SQL statements for many departments as for a few', async () => {
    const leaveStatements = async () => {
      statements = [];
      await byDepartment(admin, { p: true });
      const counted = statements.filter((sql) => sql.includes('"leave".') && !sql.includes('"leave"."directory_organizations"'));
      statements = null;
      return counted.length;
    };
    const few = await leaveStatements();
    const type = await insertLeaveType(graph.leaveDb, org.id, { name: `Extra` });
    for (let i = 0; i < 6; i++) {
      const department = await org.addDepartment(`Extra ${i}`);
      const member = await org.addUser({ departmentId: department });
      await graph.leave.catchUpDirectory();
      await insertLeave(graph.leaveDb, org.id, { userId: member.id, leaveTypeId: type, startDate: FROM, endDate: FROM, departmentId: department });
    }
    const many = await leaveStatements();
    expect(many).toBe(few);
    expect(few).toBeGreaterThan(0);
  });
});
