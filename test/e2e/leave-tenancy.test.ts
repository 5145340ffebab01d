import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { Kind, parse, type ObjectTypeDefinitionNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Identity } from '../../subgraphs/shared/identity.ts';
import { postSigned } from '../helpers/signed-request.ts';
import { maskedErrors } from '../helpers/assertions.ts';
import { createTestOrg, startTestGraph, type GraphQLBody, type TestGraph, type TestOrg, type TestUser } from '../helpers/graph.ts';

// Two organizations: every root field of the leave subgraph, called by A's admin with B's
// ids, answers exactly as for ids that do not exist, and B's rows stay as they were.

let graph: TestGraph;
const now = () => new Date('2026-03-02T09:00:00Z');

interface Tenant {
  org: TestOrg;
  employee: TestUser;
  department: string;
  leaveType: string;
  request: string;
  approved: string;
  rule: string;
  restrictedDay: string;
  closureDay: string;
  document: string;
}
let a: Tenant;
let b: Tenant;

function data<T>(res: { body: GraphQLBody<T> }): T {
  expect(res.body.errors, JSON.stringify(res.body.errors)).toBeUndefined();
  return res.body.data as T;
}

async function tenant(label: string): Promise<Tenant> {
  const org = await createTestOrg(graph.peopleDb, `Leave tenant ${label}`);
  const manager = await org.addUser({ role: 'MANAGER' });
  const department = await org.addDepartment(`Dept ${label}`, manager.id);
  const employee = await org.addUser({ departmentId: department, managerId: manager.id });
  await graph.leave.catchUpDirectory();
  const key = org.admin.key;
  const m = async (query: string, variables: Record<string, unknown> = {}) => data(await graph.gql<Record<string, { id: string }>>(key, query, variables));
  const leaveType = (await m('mutation { createLeaveType(input: { name: "Annual", code: "AL", defaultEntitlement: 25 }) { id } }')).createLeaveType!.id;
  const create = 'mutation($u: ID!, $t: ID!, $s: Date!) { createLeaveRequest(input: { userId: $u, leaveTypeId: $t, startDate: $s, endDate: $s }) { id } }';
  const request = (await m(create, { u: employee.id, t: leaveType, s: '2026-04-14' })).createLeaveRequest!.id;
  const approved = (await m(create, { u: employee.id, t: leaveType, s: '2026-04-15' })).createLeaveRequest!.id;
  await m('mutation($id: ID!) { approveLeaveRequest(id: $id) { id } }', { id: approved });
  const rule = (await m('mutation($d: ID!) { createCoverageRule(input: { departmentId: $d, name: "Cover", minimumCount: 1 }) { id } }', { d: department })).createCoverageRule!.id;
  const restrictedDay = (await m('mutation($d: ID!) { createRestrictedDay(input: { date: "2026-05-05", name: "Audit", departmentId: $d }) { id } }', { d: department })).createRestrictedDay!.id;
  const closureDay = (await m('mutation { createClosureDay(input: { date: "2026-05-06", name: "Closed" }) { id } }')).createClosureDay!.id;
  const upload = await graph.gql<{ requestLeaveDocumentUpload: { document: { id: string } } }>(
    key,
    'mutation($r: ID!) { requestLeaveDocumentUpload(input: { leaveRequestId: $r, filename: "note.pdf", contentType: "application/pdf", sizeBytes: 10 }) { document { id } } }',
    { r: request },
  );
  return { org, employee, department, leaveType, request, approved, rule, restrictedDay, closureDay, document: data(upload).requestLeaveDocumentUpload.document.id };
}

/** Every leave row of an organization, to prove B's data unchanged. */
async function snapshot(orgId: string): Promise<string> {
  const tables = ['leave_types', 'allowances', 'allowance_ledger', 'leave_requests', 'leave_request_days', 'leave_request_history', 'leave_documents', 'coverage_rules', 'restricted_days', 'closure_days'] as const;
  const parts = [];
  for (const table of tables) {
    parts.push(await graph.leaveDb.selectFrom(table).selectAll().where('org_id', '=', orgId).orderBy('org_id').execute());
  }
  return JSON.stringify(parts, (_k, v: unknown) => (v instanceof Date ? v.toISOString() : v)).split('').sort().join('').length + JSON.stringify(parts);
}

/** The error of a response, with every id replaced, so two answers can be compared word for word. */
function shape(res: { body: GraphQLBody<unknown> }, ids: string[]): unknown {
  return { errors: maskedErrors(res, ids), data: res.body.data ?? null };
}

let bBefore: string;
beforeAll(async () => {
  graph = await startTestGraph({ now });
  a = await tenant('A');
  b = await tenant('B');
  bBefore = await snapshot(b.org.id);
});
afterAll(() => graph.stop());

/** A case calls A's admin with B's ids (`ids(b)`) and with unknown ids (`ids(random)`) and expects the same answer. */
interface Case {
  readonly field: string;
  readonly query: string;
  readonly vars: (t: Pick<Tenant, 'employee' | 'department' | 'leaveType' | 'request' | 'approved' | 'rule' | 'restrictedDay' | 'closureDay' | 'document'>) => Record<string, unknown>;
}

const random = () => ({
  employee: { id: randomUUID(), key: '', email: '' },
  department: randomUUID(),
  leaveType: randomUUID(),
  request: randomUUID(),
  approved: randomUUID(),
  rule: randomUUID(),
  restrictedDay: randomUUID(),
  closureDay: randomUUID(),
  document: randomUUID(),
});

const CASES: Case[] = [
  { field: 'leaveType', query: 'query($id: ID!) { leaveType(id: $id) { id name } }', vars: (t) => ({ id: t.leaveType }) },
  { field: 'leaveRequest', query: 'query($id: ID!) { leaveRequest(id: $id) { id } }', vars: (t) => ({ id: t.request }) },
  { field: 'leaveRequests', query: 'query($u: ID!, $t: ID!, $d: ID!) { u: leaveRequests(filter: { userId: $u }) { totalCount } t: leaveRequests(filter: { leaveTypeId: $t }) { totalCount } d: leaveRequests(filter: { departmentId: $d }) { totalCount } }', vars: (t) => ({ u: t.employee.id, t: t.leaveType, d: t.department }) },
  { field: 'allowance', query: 'query($u: ID!, $t: ID!) { allowance(userId: $u, leaveTypeId: $t) { remaining } }', vars: (t) => ({ u: t.employee.id, t: t.leaveType }) },
  { field: 'coverageRules', query: 'query($d: ID!) { coverageRules(departmentId: $d) { totalCount nodes { id } } }', vars: (t) => ({ d: t.department }) },
  { field: 'coverageCheck', query: 'query($u: ID!) { coverageCheck(userId: $u, startDate: "2026-04-14", endDate: "2026-04-14") { hasViolation } }', vars: (t) => ({ u: t.employee.id }) },
  { field: 'whosOut', query: 'query($d: ID!) { whosOut(from: "2026-04-01", to: "2026-04-30", departmentId: $d) { totalCount } }', vars: (t) => ({ d: t.department }) },
  { field: 'restrictedDays', query: 'query($d: ID!) { restrictedDays(from: "2026-01-01", to: "2026-12-31", departmentId: $d) { totalCount nodes { id department { id } } } }', vars: (t) => ({ d: t.department }) },
  { field: 'leaveReport', query: 'query($d: ID!, $t: ID!) { d: leaveReport(from: "2026-01-01", to: "2026-12-31", groupBy: [MONTH], departmentId: $d) { days } t: leaveReport(from: "2026-01-01", to: "2026-12-31", groupBy: [MONTH], leaveTypeId: $t) { days } }', vars: (t) => ({ d: t.department, t: t.leaveType }) },
  { field: 'createLeaveRequest', query: 'mutation($u: ID!, $t: ID!) { a: createLeaveRequest(input: { userId: $u, leaveTypeId: $t, startDate: "2026-06-01", endDate: "2026-06-01" }) { id } }', vars: (t) => ({ u: t.employee.id, t: a.leaveType }) },
  { field: 'createLeaveRequest (type)', query: 'mutation($u: ID!, $t: ID!) { createLeaveRequest(input: { userId: $u, leaveTypeId: $t, startDate: "2026-06-02", endDate: "2026-06-02" }) { id } }', vars: (t) => ({ u: a.employee.id, t: t.leaveType }) },
  { field: 'updateLeaveRequest', query: 'mutation($id: ID!) { updateLeaveRequest(id: $id, input: { comment: "x" }) { id } }', vars: (t) => ({ id: t.request }) },
  { field: 'approveLeaveRequest', query: 'mutation($id: ID!) { approveLeaveRequest(id: $id) { id } }', vars: (t) => ({ id: t.request }) },
  { field: 'rejectLeaveRequest', query: 'mutation($id: ID!) { rejectLeaveRequest(id: $id) { id } }', vars: (t) => ({ id: t.request }) },
  { field: 'cancelLeaveRequest', query: 'mutation($id: ID!) { cancelLeaveRequest(id: $id) { id } }', vars: (t) => ({ id: t.approved }) },
  { field: 'updateLeaveType', query: 'mutation($id: ID!) { updateLeaveType(id: $id, input: { name: "Hacked" }) { id } }', vars: (t) => ({ id: t.leaveType }) },
  { field: 'deactivateLeaveType', query: 'mutation($id: ID!) { deactivateLeaveType(id: $id) { id } }', vars: (t) => ({ id: t.leaveType }) },
  { field: 'setAllowance', query: 'mutation($u: ID!, $t: ID!) { setAllowance(input: { userId: $u, leaveTypeId: $t, year: 2026, baseEntitlement: 99 }) { id } }', vars: (t) => ({ u: t.employee.id, t: t.leaveType }) },
  { field: 'adjustAllowance', query: 'mutation($u: ID!, $t: ID!) { adjustAllowance(input: { userId: $u, leaveTypeId: $t, year: 2026, amount: 5, reason: "x" }) { id } }', vars: (t) => ({ u: t.employee.id, t: t.leaveType }) },
  { field: 'createCoverageRule', query: 'mutation($d: ID!) { createCoverageRule(input: { departmentId: $d, name: "x", minimumCount: 1 }) { id } }', vars: (t) => ({ d: t.department }) },
  { field: 'updateCoverageRule', query: 'mutation($id: ID!) { updateCoverageRule(id: $id, input: { name: "Hacked" }) { id } }', vars: (t) => ({ id: t.rule }) },
  { field: 'deleteCoverageRule', query: 'mutation($id: ID!) { deleteCoverageRule(id: $id) { id } }', vars: (t) => ({ id: t.rule }) },
  { field: 'createRestrictedDay', query: 'mutation($d: ID!) { createRestrictedDay(input: { date: "2026-07-01", name: "x", departmentId: $d }) { id } }', vars: (t) => ({ d: t.department }) },
  { field: 'deleteRestrictedDay', query: 'mutation($id: ID!) { deleteRestrictedDay(id: $id) { id } }', vars: (t) => ({ id: t.restrictedDay }) },
  { field: 'deleteClosureDay', query: 'mutation($id: ID!) { deleteClosureDay(id: $id) { id } }', vars: (t) => ({ id: t.closureDay }) },
  { field: 'requestLeaveDocumentUpload', query: 'mutation($r: ID!) { requestLeaveDocumentUpload(input: { leaveRequestId: $r, filename: "a.pdf", contentType: "application/pdf", sizeBytes: 5 }) { uploadUrl } }', vars: (t) => ({ r: t.request }) },
  { field: 'deleteLeaveDocument', query: 'mutation($id: ID!) { deleteLeaveDocument(id: $id) { id } }', vars: (t) => ({ id: t.document }) },
];

// Root fields that take no other tenant's id: each is checked below to return only A's data.
const ORG_WIDE = ['leaveTypes', 'publicHolidays', 'closureDays', 'createLeaveType', 'createClosureDay'];

describe('leave tenancy', () => {
  it('should cover every Query and Mutation field of the leave subgraph', () => {
    const doc = parse(fs.readFileSync('subgraphs/leave/schema.graphql', 'utf8'));
    const roots = doc.definitions.filter((d): d is ObjectTypeDefinitionNode => d.kind === Kind.OBJECT_TYPE_DEFINITION && (d.name.value === 'Query' || d.name.value === 'Mutation'));
    const fields = roots.flatMap((r) => (r.fields ?? []).map((f) => f.name.value)).sort();
    const covered = new Set([...CASES.map((c) => c.field.split(' ')[0]!), ...ORG_WIDE]);
    expect(fields.filter((f) => !covered.has(f))).toEqual([]);
  });

  it.each(CASES.map((c) => [c.field, c] as const))("should answer %s with B's ids exactly as with unknown ids", async (_, c) => {
    const theirs = c.vars(b);
    const unknown = c.vars(random());
    const withB = await graph.gql(a.org.admin.key, c.query, theirs);
    const withUnknown = await graph.gql(a.org.admin.key, c.query, unknown);
    const ids = [...Object.values(theirs), ...Object.values(unknown)].filter((v): v is string => typeof v === 'string');
    expect(shape(withB, ids)).toEqual(shape(withUnknown, ids));
    expect(JSON.stringify(withB.body)).not.toContain(b.org.id);
  });

  it("should list only A's rows in the organization-wide fields", async () => {
    const res = data(
      await graph.gql<Record<string, unknown>>(
        a.org.admin.key,
        `{ leaveTypes(status: ALL) { nodes { id } } closureDays(from: "2026-01-01", to: "2026-12-31") { nodes { id } }
           whosOut(from: "2026-01-01", to: "2026-12-31") { nodes { user { id } } } leaveRequests(first: 100) { nodes { id } }
           publicHolidays(from: "2026-01-01", to: "2026-01-31") { date } leaveReport(from: "2026-01-01", to: "2026-12-31", groupBy: [LEAVE_TYPE]) { leaveType { id } } }`,
      ),
    );
    const text = JSON.stringify(res);
    for (const id of [b.leaveType, b.closureDay, b.employee.id, b.request, b.approved]) expect(text).not.toContain(id);
    expect(text).toContain(a.leaveType);
    expect(text).toContain(a.request);
    await graph.gql(a.org.admin.key, 'mutation { createLeaveType(input: { name: "Extra", code: "EX" }) { id } createClosureDay(input: { date: "2026-08-03", name: "A only" }) { id } }');
  });

  it("should resolve none of B's entities for A through federation", async () => {
    const identity: Identity = { orgId: a.org.id, userId: a.org.admin.id, role: 'ADMIN', scopes: ['admin'], keyId: null, authMethod: 'api-key' };
    const res = await postSigned(graph.leave.url, 'leave', identity, graph.identitySecret, {
      query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on LeaveRequest { id status } ... on User { id leaveRequests { totalCount } } } }',
      variables: { r: [{ __typename: 'LeaveRequest', id: b.request }, { __typename: 'User', id: b.employee.id }] },
    });
    const body = (await res.json()) as { data: { _entities: unknown[] }; errors?: { extensions: { code: string } }[] };
    expect(body.data._entities[0]).toBeNull();
    expect(JSON.stringify(body.data)).not.toContain(b.request);
    expect(body.errors?.[0]?.extensions.code).toBe('FORBIDDEN');
  });

  it("should leave B's rows exactly as they were", async () => {
    expect(await snapshot(b.org.id)).toBe(bBefore);
  });
});
