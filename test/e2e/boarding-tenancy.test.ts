import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { Kind, parse, type ObjectTypeDefinitionNode } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { EVENT_STREAMS } from '../../schema/events/index.ts';
import type { Identity } from '../../subgraphs/shared/identity.ts';
import { postSigned } from '../helpers/signed-request.ts';
import { maskedErrors } from '../helpers/assertions.ts';
import { createTestOrg, startTestGraph, type GraphQLBody, type TestGraph, type TestOrg } from '../helpers/graph.ts';

// Two boarding schools: every root field of the boarding subgraph, called by A's admin with
// B's ids or SIS ids, answers exactly as for ones that do not exist; B's rows stay as they
// were; and no boarding subscription of B receives A's events.

let graph: TestGraph;
const now = () => new Date('2026-03-02T09:00:00Z');

interface Tenant {
  org: TestOrg;
  house: string;
  houseSis: string;
  student: string;
  studentSis: string;
  contact: string;
  contactSis: string;
  zone: string;
  room: string;
  category: string;
  record: string;
  rollType: string;
  roll: string;
  leaveType: string;
  leave: string;
}
let a: Tenant;
let b: Tenant;

function data<T>(res: { body: GraphQLBody<T> }): T {
  expect(res.body.errors, JSON.stringify(res.body.errors)).toBeUndefined();
  return res.body.data as T;
}

async function tenant(label: string): Promise<Tenant> {
  const org = await createTestOrg(graph.peopleDb, `Boarding tenant ${label}`);
  await graph.boarding.catchUpDirectory();
  const m = async (query: string, variables: Record<string, unknown> = {}) => data(await graph.gql<Record<string, { id: string }>>(org.admin.key, query, variables));
  const houseSis = `H-${label}`;
  const studentSis = `S-${label}`;
  const contactSis = `C-${label}`;
  const house = (await m('mutation($s: String) { createHouse(input: { name: "House", sisId: $s }) { id } }', { s: houseSis })).createHouse!.id;
  const student = (await m('mutation($s: String, $h: ID) { createStudent(input: { firstName: "T", lastName: "Student", sisId: $s, house: { id: $h }, pin: "1234" }) { id } }', { s: studentSis, h: house })).createStudent!.id;
  const contact = (await m('mutation($st: ID, $s: String) { createContact(input: { student: { id: $st }, firstName: "P", lastName: "Parent", sisId: $s }) { id } }', { st: student, s: contactSis })).createContact!.id;
  const zone = (await m('mutation { createLocation(input: { name: "Campus", type: ZONE, state: ON_GROUNDS }) { id } }')).createLocation!.id;
  const room = (await m('mutation($p: ID) { createLocation(input: { name: "Room", type: ROOM, parentId: $p }) { id } }', { p: zone })).createLocation!.id;
  await m('mutation($l: ID!, $st: ID!) { moveStudents(input: { students: { ids: [$st] }, locationId: $l, recordedAt: "2026-03-02T08:00:00Z" }) { id } }', { l: room, st: student });
  const category = (await m('mutation { createPastoralCategory(input: { name: "Merit" }) { id } }')).createPastoralCategory!.id;
  const record = (await m('mutation($st: ID, $c: ID!) { createPastoralRecord(input: { student: { id: $st }, categoryId: $c, description: "Kind", occurredAt: "2026-03-01T10:00:00Z" }) { id } }', { st: student, c: category })).createPastoralRecord!.id;
  const rollType = (await m('mutation { createRollType(input: { name: "Roll" }) { id } }')).createRollType!.id;
  const roll = (await m('mutation($t: ID!) { startRoll(input: { rollTypeId: $t }) { id } }', { t: rollType })).startRoll!.id;
  const leaveType = (await m('mutation { createStudentLeaveType(input: { name: "Weekend", shortCode: "WL" }) { id } }')).createStudentLeaveType!.id;
  const leaveRes = data(
    await graph.gql<{ createStudentLeave: { id: string }[] }>(org.admin.key, 'mutation($st: ID!, $t: ID!) { createStudentLeave(input: { students: { ids: [$st] }, leaveTypeId: $t, startsAt: "2026-03-06T10:00:00Z", endsAt: "2026-03-08T10:00:00Z" }) { id } }', {
      st: student,
      t: leaveType,
    }),
  );
  return { org, house, houseSis, student, studentSis, contact, contactSis, zone, room, category, record, rollType, roll, leaveType, leave: leaveRes.createStudentLeave[0]?.id ?? '' };
}

const TABLES = ['houses', 'students', 'contacts', 'locations', 'location_records', 'pastoral_categories', 'pastoral_records', 'roll_types', 'rolls', 'roll_assignments', 'student_leave_types', 'student_leaves', 'student_leave_history'] as const;

/** Every boarding row of an organization, to prove B's data unchanged. */
async function snapshot(orgId: string): Promise<string> {
  const parts = [];
  for (const table of TABLES) parts.push(await graph.boardingDb.selectFrom(table).selectAll().where('org_id', '=', orgId).execute());
  return JSON.stringify(parts, (_k, v: unknown) => (v instanceof Date ? v.toISOString() : v));
}

function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
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

type Ids = Omit<Tenant, 'org'>;
const random = (): Ids => ({
  house: randomUUID(),
  houseSis: `H-${randomUUID().slice(0, 8)}`,
  student: randomUUID(),
  studentSis: `S-${randomUUID().slice(0, 8)}`,
  contact: randomUUID(),
  contactSis: `C-${randomUUID().slice(0, 8)}`,
  zone: randomUUID(),
  room: randomUUID(),
  category: randomUUID(),
  record: randomUUID(),
  rollType: randomUUID(),
  roll: randomUUID(),
  leaveType: randomUUID(),
  leave: randomUUID(),
});

interface Case {
  readonly field: string;
  readonly query: string;
  readonly vars: (t: Ids) => Record<string, unknown>;
}

const CASES: Case[] = [
  { field: 'house', query: 'query($id: ID) { house(id: $id) { id } }', vars: (t) => ({ id: t.house }) },
  { field: 'house (sisId)', query: 'query($s: String) { house(sisId: $s) { id } }', vars: (t) => ({ s: t.houseSis }) },
  { field: 'students', query: 'query($h: ID, $s: String) { a: students(filter: { house: { id: $h } }) { totalCount } b: students(filter: { house: { sisId: $s } }) { totalCount } }', vars: (t) => ({ h: t.house, s: t.houseSis }) },
  { field: 'student', query: 'query($id: ID) { student(id: $id) { id } }', vars: (t) => ({ id: t.student }) },
  { field: 'student (sisId)', query: 'query($s: String) { student(sisId: $s) { id } }', vars: (t) => ({ s: t.studentSis }) },
  { field: 'contact', query: 'query($id: ID) { contact(contact: { id: $id }) { id } }', vars: (t) => ({ id: t.contact }) },
  { field: 'contact (sisId)', query: 'query($s: String, $st: String) { contact(contact: { sisId: $s, student: { sisId: $st } }) { id } }', vars: (t) => ({ s: t.contactSis, st: t.studentSis }) },
  { field: 'locations', query: 'query($p: ID) { locations(filter: { parentId: $p }) { totalCount } }', vars: (t) => ({ p: t.zone }) },
  { field: 'location', query: 'query($id: ID!) { location(id: $id) { id } }', vars: (t) => ({ id: t.room }) },
  { field: 'currentLocations', query: 'query($id: ID!) { currentLocations(students: { ids: [$id] }) { totalCount } }', vars: (t) => ({ id: t.student }) },
  { field: 'locationRecords', query: 'query($id: ID) { locationRecords(filter: { student: { id: $id } }) { totalCount } }', vars: (t) => ({ id: t.student }) },
  { field: 'pastoralRecords', query: 'query($s: String) { pastoralRecords(filter: { student: { sisId: $s } }) { totalCount } }', vars: (t) => ({ s: t.studentSis }) },
  { field: 'pastoralRecord', query: 'query($id: ID!) { pastoralRecord(id: $id) { id } }', vars: (t) => ({ id: t.record }) },
  { field: 'roll', query: 'query($id: ID!) { roll(id: $id) { id } }', vars: (t) => ({ id: t.roll }) },
  { field: 'studentLeaves', query: 'query($id: ID, $t: ID) { a: studentLeaves(filter: { student: { id: $id } }) { totalCount } }', vars: (t) => ({ id: t.student, t: t.leaveType }) },
  { field: 'studentLeaves (type)', query: 'query($t: ID) { studentLeaves(filter: { leaveTypeId: $t }) { totalCount } }', vars: (t) => ({ t: t.leaveType }) },
  { field: 'studentLeave', query: 'query($id: ID!) { studentLeave(id: $id) { id } }', vars: (t) => ({ id: t.leave }) },
  { field: 'updateHouse', query: 'mutation($id: ID) { updateHouse(house: { id: $id }, input: { name: "Hacked" }) { id } }', vars: (t) => ({ id: t.house }) },
  { field: 'updateHouse (sisId)', query: 'mutation($s: String) { updateHouse(house: { sisId: $s }, input: { name: "Hacked" }) { id } }', vars: (t) => ({ s: t.houseSis }) },
  { field: 'deleteHouse', query: 'mutation($id: ID) { deleteHouse(house: { id: $id }) { id } }', vars: (t) => ({ id: t.house }) },
  { field: 'updateStudent', query: 'mutation($s: String) { updateStudent(student: { sisId: $s }, input: { firstName: "Hacked" }) { id } }', vars: (t) => ({ s: t.studentSis }) },
  { field: 'updateStudent (house)', query: 'mutation($me: ID, $h: ID) { updateStudent(student: { id: $me }, input: { house: { id: $h } }) { id } }', vars: (t) => ({ me: a.student, h: t.house }) },
  { field: 'deleteStudent', query: 'mutation($id: ID) { deleteStudent(student: { id: $id }) { id } }', vars: (t) => ({ id: t.student }) },
  { field: 'checkStudentPin', query: 'mutation($id: ID) { checkStudentPin(student: { id: $id }, input: { pin: "1234" }) { valid } }', vars: (t) => ({ id: t.student }) },
  { field: 'createContact', query: 'mutation($id: ID) { createContact(input: { student: { id: $id }, firstName: "X", lastName: "Y" }) { id } }', vars: (t) => ({ id: t.student }) },
  { field: 'updateContact', query: 'mutation($id: ID) { updateContact(contact: { id: $id }, input: { firstName: "Hacked" }) { id } }', vars: (t) => ({ id: t.contact }) },
  { field: 'deleteContact', query: 'mutation($s: String, $st: String) { deleteContact(contact: { sisId: $s, student: { sisId: $st } }) { id } }', vars: (t) => ({ s: t.contactSis, st: t.studentSis }) },
  { field: 'createLocation', query: 'mutation($p: ID) { createLocation(input: { name: "In", type: ROOM, parentId: $p }) { id } }', vars: (t) => ({ p: t.zone }) },
  { field: 'updateLocation', query: 'mutation($id: ID!) { updateLocation(id: $id, input: { name: "Hacked" }) { id } }', vars: (t) => ({ id: t.room }) },
  { field: 'deleteLocation', query: 'mutation($id: ID!) { deleteLocation(id: $id) { id } }', vars: (t) => ({ id: t.room }) },
  { field: 'moveStudents', query: 'mutation($id: ID!, $l: ID!) { moveStudents(input: { students: { ids: [$id] }, locationId: $l }) { id } }', vars: (t) => ({ id: t.student, l: a.room }) },
  { field: 'moveStudents (location)', query: 'mutation($id: ID!, $l: ID!) { moveStudents(input: { students: { ids: [$id] }, locationId: $l }) { id } }', vars: (t) => ({ id: a.student, l: t.room }) },
  { field: 'createPastoralCategory', query: 'mutation($p: ID) { createPastoralCategory(input: { name: "Child", parentId: $p }) { id } }', vars: (t) => ({ p: t.category }) },
  { field: 'updatePastoralCategory', query: 'mutation($id: ID!) { updatePastoralCategory(id: $id, input: { name: "Hacked" }) { id } }', vars: (t) => ({ id: t.category }) },
  { field: 'deletePastoralCategory', query: 'mutation($id: ID!) { deletePastoralCategory(id: $id) { id } }', vars: (t) => ({ id: t.category }) },
  { field: 'createPastoralRecord', query: 'mutation($s: String, $c: ID!) { createPastoralRecord(input: { student: { sisId: $s }, categoryId: $c, description: "X" }) { id } }', vars: (t) => ({ s: t.studentSis, c: a.category }) },
  { field: 'createPastoralRecord (category)', query: 'mutation($s: String, $c: ID!) { createPastoralRecord(input: { student: { sisId: $s }, categoryId: $c, description: "X" }) { id } }', vars: (t) => ({ s: a.studentSis, c: t.category }) },
  { field: 'updatePastoralRecord', query: 'mutation($id: ID!) { updatePastoralRecord(id: $id, input: { description: "Hacked" }) { id } }', vars: (t) => ({ id: t.record }) },
  { field: 'deletePastoralRecord', query: 'mutation($id: ID!) { deletePastoralRecord(id: $id) { id } }', vars: (t) => ({ id: t.record }) },
  { field: 'updateRollType', query: 'mutation($id: ID!) { updateRollType(id: $id, input: { name: "Hacked" }) { id } }', vars: (t) => ({ id: t.rollType }) },
  { field: 'startRoll', query: 'mutation($t: ID!) { startRoll(input: { rollTypeId: $t }) { id } }', vars: (t) => ({ t: t.rollType }) },
  { field: 'startRoll (house)', query: 'mutation($t: ID!, $h: ID) { startRoll(input: { rollTypeId: $t, studentFilters: { house: { id: $h } } }) { id } }', vars: (t) => ({ t: a.rollType, h: t.house }) },
  { field: 'takeAutomaticRoll', query: 'mutation($t: ID!) { takeAutomaticRoll(input: { rollTypeId: $t }) { id } }', vars: (t) => ({ t: t.rollType }) },
  { field: 'markRoll', query: 'mutation($r: ID!, $s: String) { markRoll(input: { rollId: $r, marks: [{ student: { sisId: $s }, code: "Present" }] }) { id } }', vars: (t) => ({ r: t.roll, s: a.studentSis }) },
  { field: 'markRoll (student)', query: 'mutation($r: ID!, $s: String) { markRoll(input: { rollId: $r, marks: [{ student: { sisId: $s }, code: "Present" }] }) { id } }', vars: (t) => ({ r: a.roll, s: t.studentSis }) },
  { field: 'completeRoll', query: 'mutation($r: ID!) { completeRoll(id: $r) { id } }', vars: (t) => ({ r: t.roll }) },
  { field: 'updateStudentLeaveType', query: 'mutation($id: ID!) { updateStudentLeaveType(id: $id, input: { name: "Hacked" }) { id } }', vars: (t) => ({ id: t.leaveType }) },
  { field: 'deactivateStudentLeaveType', query: 'mutation($id: ID!) { deactivateStudentLeaveType(id: $id) { id } }', vars: (t) => ({ id: t.leaveType }) },
  { field: 'createStudentLeave', query: 'mutation($s: String!, $t: ID!) { createStudentLeave(input: { students: { sisIds: [$s] }, leaveTypeId: $t, startsAt: "2026-04-01T00:00:00Z", endsAt: "2026-04-02T00:00:00Z" }) { id } }', vars: (t) => ({ s: t.studentSis, t: a.leaveType }) },
  { field: 'createStudentLeave (type)', query: 'mutation($s: String!, $t: ID!) { createStudentLeave(input: { students: { sisIds: [$s] }, leaveTypeId: $t, startsAt: "2026-04-01T00:00:00Z", endsAt: "2026-04-02T00:00:00Z" }) { id } }', vars: (t) => ({ s: a.studentSis, t: t.leaveType }) },
  { field: 'updateStudentLeave', query: 'mutation($id: ID!) { updateStudentLeave(id: $id, input: { note: "Hacked" }) { id } }', vars: (t) => ({ id: t.leave }) },
  { field: 'cancelStudentLeave', query: 'mutation($id: ID!) { cancelStudentLeave(id: $id) { id } }', vars: (t) => ({ id: t.leave }) },
  { field: 'deleteStudentLeave', query: 'mutation($id: ID!) { deleteStudentLeave(id: $id) { id } }', vars: (t) => ({ id: t.leave }) },
];

// Root fields that take no other tenant's id: each is checked below to return or write only A's data.
const ORG_WIDE = ['houses', 'students', 'locations', 'currentLocations', 'locationRecords', 'pastoralCategories', 'pastoralRecords', 'rollTypes', 'rolls', 'studentLeaveTypes', 'studentLeaves', 'createHouse', 'createStudent', 'createLocation', 'createPastoralCategory', 'createRollType', 'createStudentLeaveType'];
const BOARDING_STREAMS = EVENT_STREAMS.filter((s) => s.publisher === 'boarding');

describe('boarding tenancy', () => {
  it('should cover every Query and Mutation field of the boarding subgraph', () => {
    const doc = parse(fs.readFileSync('subgraphs/boarding/schema.graphql', 'utf8'));
    const roots = doc.definitions.filter((d): d is ObjectTypeDefinitionNode => d.kind === Kind.OBJECT_TYPE_DEFINITION && (d.name.value === 'Query' || d.name.value === 'Mutation'));
    const fields = roots.flatMap((r) => (r.fields ?? []).map((f) => f.name.value)).sort();
    const covered = new Set([...CASES.map((c) => c.field.split(' ')[0] ?? ''), ...ORG_WIDE]);
    expect(fields.filter((f) => !covered.has(f))).toEqual([]);
    expect(BOARDING_STREAMS.map((s) => s.field).sort()).toEqual(['pastoralEvents', 'rollEvents', 'studentLeaveEvents', 'studentLocationEvents']);
  });

  it.each(CASES.map((c) => [c.field, c] as const))("should answer %s with B's ids exactly as with unknown ones", async (_, c) => {
    const theirs = c.vars(b);
    const unknown = c.vars(random());
    const withB = await graph.gql(a.org.admin.key, c.query, theirs);
    const withUnknown = await graph.gql(a.org.admin.key, c.query, unknown);
    const ids = [...strings(theirs), ...strings(unknown)];
    expect(shape(withB, ids)).toEqual(shape(withUnknown, ids));
    expect(withB.body.errors?.[0]?.extensions?.['code']).not.toBe('INTERNAL_SERVER_ERROR');
    expect(JSON.stringify(withB.body)).not.toContain(b.org.id);
  });

  it("should list only A's rows in the organization-wide fields, and create in A", async () => {
    const res = data(
      await graph.gql<Record<string, unknown>>(
        a.org.admin.key,
        `{ houses(first: 100) { nodes { id } } students(first: 100) { nodes { id } } locations(first: 100) { nodes { id } } currentLocations(first: 100) { nodes { id student { id } } }
           locationRecords(first: 100) { nodes { student { id } } } pastoralCategories { nodes { id } } pastoralRecords(first: 100) { nodes { id } } rollTypes { nodes { id } }
           rolls(first: 100) { nodes { id assignments { nodes { student { id } } } } } studentLeaveTypes(status: ALL) { nodes { id } } studentLeaves(first: 100) { nodes { id } } }`,
      ),
    );
    const text = JSON.stringify(res);
    for (const id of [b.house, b.student, b.zone, b.room, b.category, b.record, b.rollType, b.roll, b.leaveType, b.leave]) expect(text).not.toContain(id);
    for (const id of [a.house, a.student, a.zone, a.room, a.category, a.record, a.rollType, a.roll, a.leaveType, a.leave]) expect(text).toContain(id);
    // Creating with B's names and SIS ids works in A and touches nothing of B.
    data(
      await graph.gql(
        a.org.admin.key,
        `mutation($hs: String, $ss: String) { createHouse(input: { name: "House", sisId: $hs }) { id } createStudent(input: { firstName: "T", lastName: "Student", sisId: $ss }) { id }
          createLocation(input: { name: "Campus", type: ZONE, state: HOME }) { id } createPastoralCategory(input: { name: "Other" }) { id }
          createRollType(input: { name: "Other roll" }) { id } createStudentLeaveType(input: { name: "Other leave", shortCode: "OL" }) { id } }`,
        { hs: b.houseSis, ss: b.studentSis },
      ),
    );
  });

  it("should resolve none of B's entities for A through federation", async () => {
    const identity: Identity = { orgId: a.org.id, userId: a.org.admin.id, role: 'ADMIN', scopes: ['admin'], keyId: null, authMethod: 'api-key' };
    const res = await postSigned(graph.boarding.url, 'boarding', identity, graph.identitySecret, {
        query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Student { id } ... on House { id } ... on Location { id } ... on User { id rollsStarted { totalCount } pastoralRecordsCreated { totalCount } } } }',
        variables: { r: [{ __typename: 'Student', id: b.student }, { __typename: 'House', id: b.house }, { __typename: 'Location', id: b.room }, { __typename: 'User', id: b.org.admin.id }] },
    });
    const body = (await res.json()) as { data: { _entities: unknown[] } };
    expect(body.data._entities.slice(0, 3)).toEqual([null, null, null]);
    expect(body.data._entities[3]).toEqual({ id: b.org.admin.id, rollsStarted: { totalCount: 0 }, pastoralRecordsCreated: { totalCount: 0 } });
  });

  it("should deliver none of A's boarding events to B's subscribers", async () => {
    const client: Client = createClient({ url: `${graph.gateway.url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { 'X-Api-Key': b.org.admin.key }, retryAttempts: 0 });
    const received: unknown[] = [];
    for (const stream of BOARDING_STREAMS) {
      client.subscribe({ query: `subscription { ${stream.field} { cursor ${stream.entity.field} { id } } }` }, { next: (r) => void received.push(r), error: (e) => void received.push(e), complete: () => undefined });
    }
    await new Promise((r) => setTimeout(r, 500));
    const m = (q: string, v: Record<string, unknown> = {}) => graph.gql(a.org.admin.key, q, v).then(data);
    await m('mutation($l: ID!, $st: ID!) { moveStudents(input: { students: { ids: [$st] }, locationId: $l }) { id } }', { l: a.room, st: a.student });
    await m('mutation($r: ID!) { completeRoll(id: $r) { id } }', { r: a.roll });
    await m('mutation($id: ID!) { updateStudentLeave(id: $id, input: { note: "changed" }) { id } }', { id: a.leave });
    await m('mutation($st: ID, $c: ID!) { createPastoralRecord(input: { student: { id: $st }, categoryId: $c, description: "A only" }) { id } }', { st: a.student, c: a.category });
    await new Promise((r) => setTimeout(r, 1500));
    await client.dispose();
    expect(received).toEqual([]);
  });

  it("should leave B's rows exactly as they were", async () => {
    expect(await snapshot(b.org.id)).toBe(bBefore);
  });
});
