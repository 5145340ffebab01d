import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestOrg, startTestGraph, type TestGraph, type TestOrg, type TestUser } from '../helpers/graph.ts';

let graph: TestGraph;
let org: TestOrg;
let manager: TestUser;
let members: TestUser[];
let departmentId: string;

const CREATE = 'mutation($t: ID!, $s: Date!, $e: Date!) { createLeaveRequest(input: { leaveTypeId: $t, startDate: $s, endDate: $e }) { id } }';
const APPROVE = 'mutation($id: ID!) { approveLeaveRequest(id: $id, input: { note: "Enjoy" }) { status } }';

beforeAll(async () => {
  graph = await startTestGraph({ now: () => new Date('2026-03-02T09:00:00Z') });
  org = await createTestOrg(graph.peopleDb);
  manager = await org.addUser({ role: 'MANAGER', firstName: 'Maya', lastName: 'Manager' });
  departmentId = await org.addDepartment('Engineering', manager.id);
  members = [];
  for (const name of ['Ann', 'Ben', 'Cat']) members.push(await org.addUser({ firstName: name, lastName: 'Engineer', departmentId, managerId: manager.id }));
  await graph.leave.catchUpDirectory();
  const type = await graph.gql<{ createLeaveType: { id: string } }>(
    org.admin.key,
    'mutation { createLeaveType(input: { name: "Annual leave", code: "AL", defaultEntitlement: 25 }) { id } }',
  );
  const t = type.body.data!.createLeaveType.id;
  // Ann: approved in range (3 days), approved after the range, pending in range; Ben: approved in range (1 day); Cat: nothing.
  const plan: [TestUser, string, string, boolean][] = [
    [members[0]!, '2026-04-13', '2026-04-15', true],
    [members[0]!, '2026-07-06', '2026-07-06', true],
    [members[0]!, '2026-04-20', '2026-04-20', false],
    [members[1]!, '2026-04-16', '2026-04-16', true],
  ];
  for (const [user, s, e, approve] of plan) {
    const res = await graph.gql<{ createLeaveRequest: { id: string } }>(user.key, CREATE, { t, s, e });
    expect(res.body.errors).toBeUndefined();
    if (approve) expect((await graph.gql(manager.key, APPROVE, { id: res.body.data!.createLeaveRequest.id })).body.errors).toBeUndefined();
  }
});
afterAll(() => graph.stop());

interface Member {
  name: string;
  allowances: { year: number; leaveType: { name: string }; entitlement: number; used: number; pending: number; remaining: number }[];
  leaveRequests: { totalCount: number; nodes: { startDate: string; endDate: string; amount: number; leaveType: { name: string }; decidedBy: { name: string } | null }[] };
}

describe('the leave graph through the gateway', () => {
  it("should return a department's members with this year's allowances and their approved leave in a range, with type and approver", async () => {
    const res = await graph.gql<{ department: { name: string; manager: { name: string }; members: { totalCount: number; nodes: Member[] } } }>(
      org.admin.key,
      `query($d: ID!, $from: Date!, $to: Date!) {
        department(id: $d) {
          name
          manager { name }
          members(first: 50) {
            totalCount
            nodes {
              name
              allowances { year leaveType { name } entitlement used pending remaining }
              leaveRequests(filter: { statuses: [APPROVED], endDateFrom: $from, startDateTo: $to }) {
                totalCount
                nodes { startDate endDate amount leaveType { name } decidedBy { name } }
              }
            }
          }
        }
      }`,
      { d: departmentId, from: '2026-04-01', to: '2026-04-30' },
    );
    expect(res.body.errors).toBeUndefined();
    const department = res.body.data!.department;
    expect(department).toMatchObject({ name: 'Engineering', manager: { name: 'Maya Manager' }, members: { totalCount: 3 } });
    const byName = new Map(department.members.nodes.map((m) => [m.name, m]));
    const ann = byName.get('Ann Engineer')!;
    expect(ann.allowances).toEqual([{ year: 2026, leaveType: { name: 'Annual leave' }, entitlement: 25, used: 4, pending: 1, remaining: 20 }]);
    expect(ann.leaveRequests).toEqual({
      totalCount: 1,
      nodes: [{ startDate: '2026-04-13', endDate: '2026-04-15', amount: 3, leaveType: { name: 'Annual leave' }, decidedBy: { name: 'Maya Manager' } }],
    });
    expect(byName.get('Ben Engineer')!.leaveRequests.nodes).toEqual([
      { startDate: '2026-04-16', endDate: '2026-04-16', amount: 1, leaveType: { name: 'Annual leave' }, decidedBy: { name: 'Maya Manager' } },
    ]);
    expect(byName.get('Cat Engineer')!.leaveRequests).toEqual({ totalCount: 0, nodes: [] });
  });

  it('should resolve a leave request with its user, department and manager across subgraphs', async () => {
    const res = await graph.gql<{ leaveRequests: { nodes: { user: { name: string; department: { name: string }; manager: { name: string } } }[] } }>(
      manager.key,
      '{ leaveRequests(filter: { statuses: [PENDING] }) { nodes { user { name department { name } manager { name } } } } }',
    );
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data?.leaveRequests.nodes).toEqual([{ user: { name: 'Ann Engineer', department: { name: 'Engineering' }, manager: { name: 'Maya Manager' } } }]);
  });
});
