import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { Kind, parse, type ObjectTypeDefinitionNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIdentity, type Identity } from '../../subgraphs/shared/identity.ts';
import { maskedErrors, maskIds } from '../helpers/assertions.ts';
import { createTestOrg, startTestGraph, type GraphQLBody, type TestGraph, type TestOrg, type TestUser } from '../helpers/graph.ts';

// Two organizations: every root field of the time subgraph, called by A's admin with B's
// ids, answers exactly as for ids that do not exist, and B's rows stay as they were.
// (Subscriptions: test/gateway/subscriptions/time-events.test.ts shows another
// organization's subscriber receives none of them.)

let graph: TestGraph;
const now = () => new Date('2026-06-15T09:00:00Z');

interface Tenant {
  org: TestOrg;
  employee: TestUser;
  type: string;
  pending: string;
  approved: string;
}
let a: Tenant;
let b: Tenant;

function data<T>(res: { body: GraphQLBody<T> }): T {
  expect(res.body.errors, JSON.stringify(res.body.errors)).toBeUndefined();
  return res.body.data as T;
}

async function tenant(label: string): Promise<Tenant> {
  const org = await createTestOrg(graph.peopleDb, `Time tenant ${label}`);
  const manager = await org.addUser({ role: 'MANAGER' });
  const employee = await org.addUser({ managerId: manager.id, externalId: `EXT-${label}` });
  await graph.time.catchUpDirectory();
  const key = org.admin.key;
  const m = async (query: string, variables: Record<string, unknown> = {}) => data(await graph.gql<Record<string, { id: string }>>(key, query, variables));
  const type = (await m('mutation { createOvertimeType(input: { name: "Weekend", code: "WKND", compensation: TOIL, toilMultiplier: 1 }) { id } }')).createOvertimeType!.id;
  const create = 'mutation($u: ID!, $t: ID!, $d: Date!) { createOvertimeSubmission(input: { userId: $u, overtimeTypeId: $t, date: $d, hoursWorked: 2 }) { id } }';
  const asEmployee = async (variables: Record<string, unknown>) => data(await graph.gql<{ createOvertimeSubmission: { id: string } }>(employee.key, create, variables)).createOvertimeSubmission.id;
  const pending = await asEmployee({ u: employee.id, t: type, d: '2026-06-06' });
  const approved = await asEmployee({ u: employee.id, t: type, d: '2026-06-07' });
  await m('mutation($id: ID!) { approveOvertimeSubmission(id: $id) { id } }', { id: approved });
  await m('mutation($u: ID!) { recordHoursWorked(input: { userId: $u, date: "2026-06-08", hoursWorked: 7 }) { index } }', { u: employee.id });
  return { org, employee, type, pending, approved };
}

async function snapshot(orgId: string): Promise<string> {
  const tables = ['overtime_types', 'overtime_submissions', 'overtime_submission_history', 'toil_lots', 'toil_ledger', 'hours_worked', 'time_settings'] as const;
  const parts = [];
  for (const table of tables) parts.push(await graph.timeDb.selectFrom(table).selectAll().where('org_id', '=', orgId).orderBy('org_id').execute());
  return JSON.stringify(parts, (_k, v: unknown) => (v instanceof Date ? v.toISOString() : v));
}

function shape(res: { body: GraphQLBody<unknown> }, ids: string[]): unknown {
  return { errors: maskedErrors(res, ids), data: maskIds(JSON.stringify(res.body.data ?? null), ids) };
}

let bBefore: string;
beforeAll(async () => {
  graph = await startTestGraph({ now });
  a = await tenant('A');
  b = await tenant('B');
  bBefore = await snapshot(b.org.id);
});
afterAll(() => graph.stop());

type Ids = Pick<Tenant, 'employee' | 'type' | 'pending' | 'approved'>;
interface Case {
  readonly field: string;
  readonly query: string;
  readonly vars: (t: Ids) => Record<string, unknown>;
}

const random = (): Ids => ({ employee: { id: randomUUID(), key: '', email: '' }, type: randomUUID(), pending: randomUUID(), approved: randomUUID() });

const CASES: Case[] = [
  { field: 'overtimeSubmission', query: 'query($id: ID!) { overtimeSubmission(id: $id) { id } }', vars: (t) => ({ id: t.pending }) },
  { field: 'overtimeSubmissions', query: 'query($u: ID!, $t: ID!) { u: overtimeSubmissions(filter: { userId: $u }) { totalCount } t: overtimeSubmissions(filter: { overtimeTypeId: $t }) { totalCount } }', vars: (t) => ({ u: t.employee.id, t: t.type }) },
  { field: 'toilBalance', query: 'query($u: ID!) { toilBalance(userId: $u) { available } }', vars: (t) => ({ u: t.employee.id }) },
  { field: 'updateOvertimeType', query: 'mutation($id: ID!) { updateOvertimeType(id: $id, input: { name: "Hacked" }) { id } }', vars: (t) => ({ id: t.type }) },
  { field: 'retireOvertimeType', query: 'mutation($id: ID!) { retireOvertimeType(id: $id) { id } }', vars: (t) => ({ id: t.type }) },
  { field: 'deleteOvertimeType', query: 'mutation($id: ID!) { deleteOvertimeType(id: $id) { id } }', vars: (t) => ({ id: t.type }) },
  { field: 'createOvertimeSubmission', query: 'mutation($u: ID!, $t: ID!) { createOvertimeSubmission(input: { userId: $u, overtimeTypeId: $t, date: "2026-06-10", hoursWorked: 1 }) { id } }', vars: (t) => ({ u: t.employee.id, t: a.type }) },
  { field: 'createOvertimeSubmission (type)', query: 'mutation($u: ID!, $t: ID!) { createOvertimeSubmission(input: { userId: $u, overtimeTypeId: $t, date: "2026-06-10", hoursWorked: 1 }) { id } }', vars: (t) => ({ u: a.employee.id, t: t.type }) },
  { field: 'updateOvertimeSubmission', query: 'mutation($id: ID!) { updateOvertimeSubmission(id: $id, input: { hoursWorked: 9 }) { id } }', vars: (t) => ({ id: t.pending }) },
  { field: 'deleteOvertimeSubmission', query: 'mutation($id: ID!) { deleteOvertimeSubmission(id: $id) { id } }', vars: (t) => ({ id: t.pending }) },
  { field: 'approveOvertimeSubmission', query: 'mutation($id: ID!) { approveOvertimeSubmission(id: $id) { id } }', vars: (t) => ({ id: t.pending }) },
  { field: 'rejectOvertimeSubmission', query: 'mutation($id: ID!) { rejectOvertimeSubmission(id: $id) { id } }', vars: (t) => ({ id: t.pending }) },
  { field: 'cancelOvertimeSubmission', query: 'mutation($id: ID!) { cancelOvertimeSubmission(id: $id) { id } }', vars: (t) => ({ id: t.approved }) },
  { field: 'adjustToil', query: 'mutation($u: ID!) { adjustToil(input: { userId: $u, hours: 5, reason: "x" }) { available } }', vars: (t) => ({ u: t.employee.id }) },
  { field: 'recordHoursWorked', query: 'mutation($u: ID!) { recordHoursWorked(input: { userId: $u, date: "2026-06-08", hoursWorked: 3 }) { status } }', vars: (t) => ({ u: t.employee.id }) },
  { field: 'recordHoursWorkedBulk', query: 'mutation($u: ID!) { recordHoursWorkedBulk(input: { items: [{ userId: $u, date: "2026-06-08", hoursWorked: 3 }] }) { failedCount items { status error { code field message } } } }', vars: (t) => ({ u: t.employee.id }) },
];

// Root fields that take no other tenant's id: each is checked below to return only A's data.
const ORG_WIDE = ['overtimeTypes', 'timeSettings', 'createOvertimeType', 'updateTimeSettings'];

describe('time tenancy', () => {
  it('should cover every Query and Mutation field of the time subgraph', () => {
    const doc = parse(fs.readFileSync('subgraphs/time/schema.graphql', 'utf8'));
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
        `{ overtimeTypes(status: ALL) { nodes { id } } overtimeSubmissions(first: 100) { nodes { id user { id } } } timeSettings { toilExpiryMonths } }`,
      ),
    );
    const text = JSON.stringify(res);
    for (const id of [b.type, b.pending, b.approved, b.employee.id]) expect(text).not.toContain(id);
    expect(text).toContain(a.pending);
    data(await graph.gql(a.org.admin.key, 'mutation { createOvertimeType(input: { name: "Extra", code: "EX", compensation: PAID }) { id } updateTimeSettings(input: { toilExpiryMonths: 6 }) { toilExpiryMonths } }'));
    // An external id of B is no one in A.
    const byExternal = await graph.gql<{ recordHoursWorkedBulk: { items: { error: { field: string } | null }[] } }>(a.org.admin.key, 'mutation { recordHoursWorkedBulk(input: { items: [{ externalUserId: "EXT-B", date: "2026-06-08", hoursWorked: 3 }] }) { items { error { field } } } }');
    expect(data(byExternal).recordHoursWorkedBulk.items[0]?.error?.field).toBe('input.items.0.externalUserId');
  });

  it("should resolve none of B's entities for A through federation", async () => {
    const identity: Identity = { orgId: a.org.id, userId: a.org.admin.id, role: 'ADMIN', scopes: ['admin'], keyId: null, authMethod: 'api-key' };
    const body = JSON.stringify({
        query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on OvertimeSubmission { id status } ... on User { id overtimeSubmissions { totalCount } } } }',
        variables: { r: [{ __typename: 'OvertimeSubmission', id: b.pending }, { __typename: 'User', id: b.employee.id }] },
      });
    const res = await fetch(`${graph.time.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signIdentity(identity, graph.identitySecret, { audience: 'time', body }) },
      body,
    });
    const answer = (await res.json()) as { data: { _entities: unknown[] }; errors?: { extensions: { code: string } }[] };
    expect(answer.data._entities[0]).toBeNull();
    expect(JSON.stringify(answer.data)).not.toContain(b.pending);
    expect(answer.errors?.[0]?.extensions.code).toBe('FORBIDDEN');
  });

  it("should leave B's rows exactly as they were", async () => {
    expect(await snapshot(b.org.id)).toBe(bBefore);
  });
});
