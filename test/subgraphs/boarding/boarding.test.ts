import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataOf, expectError } from '../../helpers/assertions.ts';
import { createKey, createTestOrg, startTestGraph, type TestGraph, type TestOrg } from '../../helpers/graph.ts';

// The boarding subgraph through the gateway: every rule of issue 11 and the error a bad input gets.
let clock = new Date('2026-03-02T09:00:00.000Z');
let graph: TestGraph;
let org: TestOrg;
let admin: string;
let reader: string;
let sensitiveReader: string;

type Vars = Record<string, unknown>;
const gql = <T = Record<string, unknown>>(query: string, variables: Vars = {}, key = admin) => graph.gql<T>(key, query, variables);
async function ok<T = Record<string, unknown>>(query: string, variables: Vars = {}, key = admin): Promise<T> {
  return dataOf(await gql<T>(query, variables, key));
}

const CREATE_STUDENT = 'mutation($input: CreateStudentInput!) { createStudent(input: $input) { id sisId name hasPin house { id } } }';
async function student(input: Vars): Promise<string> {
  return (await ok<{ createStudent: { id: string } }>(CREATE_STUDENT, { input: { firstName: 'Sam', lastName: 'Student', ...input } })).createStudent.id;
}
async function location(input: Vars): Promise<string> {
  return (await ok<{ createLocation: { id: string } }>('mutation($input: CreateLocationInput!) { createLocation(input: $input) { id } }', { input })).createLocation.id;
}

let house: string;
let onGrounds: string;
let library: string;
let home: string;
let leaveType: string;

beforeAll(async () => {
  graph = await startTestGraph({ now: () => clock, activationIntervalMs: 60_000 });
  org = await createTestOrg(graph.peopleDb, 'Boarding school');
  admin = org.admin.key;
  reader = (await createKey(graph.peopleDb, org.id, org.admin.id, ['read:boarding', 'write:boarding'])).secret;
  sensitiveReader = (await createKey(graph.peopleDb, org.id, org.admin.id, ['read:boarding', 'write:boarding', 'read:pastoral-sensitive'])).secret;
  await graph.boarding.catchUpDirectory();
  house = (await ok<{ createHouse: { id: string } }>('mutation { createHouse(input: { name: "Kauri", sisId: "H1" }) { id } }')).createHouse.id;
  onGrounds = await location({ name: 'On Grounds', type: 'ZONE', state: 'ON_GROUNDS' });
  home = await location({ name: 'Home', type: 'ZONE', state: 'HOME' });
  library = await location({ name: 'Library', type: 'BUILDING', parentId: onGrounds });
  leaveType = (await ok<{ createStudentLeaveType: { id: string } }>('mutation { createStudentLeaveType(input: { name: "Weekend Leave", shortCode: "WL" }) { id } }')).createStudentLeaveType.id;
});
afterAll(() => graph.stop());

describe('houses and students by id or SIS id', () => {
  it('should find a house by id or by SIS id, and refuse neither or both', async () => {
    const q = 'query($id: ID, $sisId: String) { house(id: $id, sisId: $sisId) { id name } }';
    expect((await ok<{ house: { id: string } }>(q, { id: house })).house.id).toBe(house);
    expect((await ok<{ house: { id: string } }>(q, { sisId: 'H1' })).house.id).toBe(house);
    expectError(await gql(q, {}), 'BAD_USER_INPUT', 'house');
    expectError(await gql(q, { id: house, sisId: 'H1' }), 'BAD_USER_INPUT', 'house');
    expectError(await gql(q, { sisId: 'nope' }), 'NOT_FOUND');
  });

  it('should answer a clashing SIS id with CONFLICT naming the existing record', async () => {
    const res = await gql('mutation { createHouse(input: { name: "Other", sisId: "H1" }) { id } }');
    const error = expectError(res, 'CONFLICT', { field: 'input.sisId', rule: 'SIS_ID_TAKEN' });
    expect(error.extensions?.['existingId']).toBe(house);
  });

  it('should create, update by SIS id, deactivate and reactivate a student', async () => {
    const id = await student({ sisId: 'S1', house: { sisId: 'H1' }, pin: '1234', dietInfo: 'Vegetarian', birthDate: '2010-05-01' });
    const q = 'query($sis: String) { student(sisId: $sis) { id house { name } dietInfo hasPin deactivated deactivatedDate } }';
    expect((await ok<{ student: unknown }>(q, { sis: 'S1' })).student).toEqual({ id, house: { name: 'Kauri' }, dietInfo: 'Vegetarian', hasPin: true, deactivated: false, deactivatedDate: null });
    await ok('mutation { updateStudent(student: { sisId: "S1" }, input: { deactivated: true, preferredName: "Sammy" }) { id } }');
    expect((await ok<{ student: { deactivated: boolean; deactivatedDate: string } }>(q, { sis: 'S1' })).student).toMatchObject({ deactivated: true, deactivatedDate: '2026-03-02' });
    const active = await ok<{ students: { nodes: { id: string }[] } }>('{ students(first: 100) { nodes { id } } }');
    expect(active.students.nodes.map((n) => n.id)).not.toContain(id);
    const gone = await ok<{ students: { nodes: { id: string }[] } }>('{ students(first: 100, filter: { status: DEACTIVATED }) { nodes { id } } }');
    expect(gone.students.nodes.map((n) => n.id)).toContain(id);
    await ok('mutation { updateStudent(student: { sisId: "S1" }, input: { deactivated: false }) { id } }');
    expect((await ok<{ student: { deactivated: boolean } }>(q, { sis: 'S1' })).student.deactivated).toBe(false);
  });

  it('should name the field of each bad student input', async () => {
    expectError(await gql(CREATE_STUDENT, { input: { firstName: 'A', lastName: 'B', pin: '12a4' } }), 'BAD_USER_INPUT', 'input.pin');
    expectError(await gql(CREATE_STUDENT, { input: { firstName: ' ', lastName: 'B' } }), 'BAD_USER_INPUT', 'input.firstName');
    expectError(await gql(CREATE_STUDENT, { input: { firstName: 'A', lastName: 'B', birthDate: '2030-01-01' } }), 'BAD_USER_INPUT', 'input.birthDate');
    expectError(await gql(CREATE_STUDENT, { input: { firstName: 'A', lastName: 'B', email: 'not-an-email' } }), 'BAD_USER_INPUT', 'input.email');
    expectError(await gql(CREATE_STUDENT, { input: { firstName: 'A', lastName: 'B', house: { sisId: 'missing' } } }), 'BAD_USER_INPUT', 'input.house.sisId');
    expectError(await gql('mutation { deleteHouse(house: { sisId: "H1" }) { id } }'), 'CONFLICT', { rule: 'HOUSE_HAS_STUDENTS' });
  });

  it('should keep the PIN write-only and lock checks after five wrong PINs', async () => {
    const id = await student({ sisId: 'PIN1', pin: '4321' });
    const check = (pin: string) => ok<{ checkStudentPin: { valid: boolean; remainingAttempts: number; lockedUntil: string | null } }>('mutation($id: ID, $pin: String!) { checkStudentPin(student: { id: $id }, input: { pin: $pin }) { valid remainingAttempts lockedUntil } }', { id, pin });
    expect((await check('4321')).checkStudentPin).toEqual({ valid: true, remainingAttempts: 5, lockedUntil: null });
    for (let i = 0; i < 4; i++) expect((await check('0000')).checkStudentPin.remainingAttempts).toBe(4 - i);
    expect((await check('0000')).checkStudentPin.lockedUntil).toBe('2026-03-02T09:15:00.000Z');
    expect((await check('4321')).checkStudentPin.valid).toBe(false);
    const row = await graph.boardingDb.selectFrom('students').select('pin_hash').where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.pin_hash).not.toContain('4321');
    expectError(await gql('mutation($id: ID) { checkStudentPin(student: { id: $id }, input: { pin: "12" }) { valid } }', { id }), 'BAD_USER_INPUT', 'input.pin');
  });

  it('should find a contact by SIS id only together with its student', async () => {
    const id = await student({ sisId: 'C-OWNER' });
    await ok('mutation($id: ID) { createContact(input: { student: { id: $id }, firstName: "Ann", lastName: "Parent", relationship: "Mother", sisId: "C1" }) { id } }', { id });
    const other = await student({ sisId: 'C-OTHER' });
    // The same contact SIS id under another student is another contact.
    await ok('mutation($id: ID) { createContact(input: { student: { id: $id }, firstName: "Bob", lastName: "Parent", sisId: "C1" }) { id } }', { id: other });
    const found = await ok<{ contact: { firstName: string; student: { id: string } } }>('{ contact(contact: { sisId: "C1", student: { sisId: "C-OWNER" } }) { firstName student { id } } }');
    expect(found.contact).toEqual({ firstName: 'Ann', student: { id } });
    expectError(await gql('{ contact(contact: { sisId: "C1" }) { id } }'), 'BAD_USER_INPUT', 'contact.student');
    expectError(await gql('mutation($id: ID) { createContact(input: { student: { id: $id }, firstName: "Dup", lastName: "P", sisId: "C1" }) { id } }', { id }), 'CONFLICT', 'input.sisId');
    const list = await ok<{ student: { contacts: { totalCount: number } } }>('query($id: ID) { student(id: $id) { contacts { totalCount } } }', { id });
    expect(list.student.contacts.totalCount).toBe(1);
  });
});

describe('locations and whereabouts', () => {
  it('should keep zones at the root and let children inherit the zone state', async () => {
    expectError(await gql('mutation($p: ID) { createLocation(input: { name: "Z", type: ZONE, state: HOME, parentId: $p }) { id } }', { p: onGrounds }), 'BAD_USER_INPUT', 'input.parentId');
    expectError(await gql('mutation { createLocation(input: { name: "Loose", type: ROOM }) { id } }'), 'BAD_USER_INPUT', 'input.parentId');
    expectError(await gql('mutation { createLocation(input: { name: "Z", type: ZONE }) { id } }'), 'BAD_USER_INPUT', 'input.state');
    expectError(await gql('mutation($p: ID) { createLocation(input: { name: "R", type: ROOM, parentId: $p, state: HOME }) { id } }', { p: library }), 'BAD_USER_INPUT', 'input.state');
    const room = await location({ name: 'Reading room', type: 'ROOM', parentId: library });
    const res = await ok<{ location: { state: string; depth: number; zone: { id: string }; parent: { id: string } } }>('query($id: ID!) { location(id: $id) { state depth zone { id } parent { id } } }', { id: room });
    expect(res.location).toEqual({ state: 'ON_GROUNDS', depth: 2, zone: { id: onGrounds }, parent: { id: library } });
    const tree = await ok<{ locations: { nodes: { name: string; children: { nodes: { name: string }[] } }[] } }>('{ locations(filter: { rootsOnly: true }) { nodes { name children { nodes { name } } } } }');
    expect(tree.locations.nodes.find((n) => n.name === 'On Grounds')?.children.nodes.map((c) => c.name)).toContain('Library');
  });

  it('should move several students by SIS ids and report each one current location', async () => {
    const a = await student({ sisId: 'M1' });
    const b = await student({ sisId: 'M2' });
    const moved = await ok<{ moveStudents: { student: { id: string }; location: { name: string } }[] }>('mutation($l: ID!) { moveStudents(input: { students: { sisIds: ["M1", "M2"] }, locationId: $l }) { student { id } location { name } } }', { l: library });
    expect(moved.moveStudents.map((r) => r.student.id).sort()).toEqual([a, b].sort());
    const current = await ok<{ student: { currentLocation: { location: { name: string; state: string } } } }>('query($id: ID) { student(id: $id) { currentLocation { location { name state } } } }', { id: a });
    expect(current.student.currentLocation.location).toEqual({ name: 'Library', state: 'ON_GROUNDS' });
    expectError(await gql('mutation($l: ID!) { moveStudents(input: { students: { sisIds: ["M1", "nobody"] }, locationId: $l }) { id } }', { l: library }), 'BAD_USER_INPUT', 'input.students.sisIds');
    expectError(await gql('mutation($l: ID!) { moveStudents(input: { students: { ids: [], sisIds: [] }, locationId: $l }) { id } }', { l: library }), 'BAD_USER_INPUT', 'input.students');
    const timeline = await ok<{ locationRecords: { totalCount: number } }>('query { locationRecords(filter: { student: { sisId: "M1" }, from: "2026-03-02T00:00:00Z" }) { totalCount } }');
    expect(timeline.locationRecords.totalCount).toBe(1);
  });
});

describe('student leave', () => {
  const CREATE = 'mutation($input: CreateStudentLeaveInput!) { createStudentLeave(input: $input) { id status student { id } } }';

  it('should create one leave per student, all or nothing', async () => {
    const a = await student({ sisId: 'L1' });
    const input = { students: { sisIds: ['L1', 'nobody'] }, leaveTypeId: leaveType, startsAt: '2026-03-05T10:00:00Z', endsAt: '2026-03-06T10:00:00Z' };
    expectError(await gql(CREATE, { input }), 'BAD_USER_INPUT', 'input.students.sisIds');
    expect((await graph.boardingDb.selectFrom('student_leaves').select('id').where('student_id', '=', a).execute()).length).toBe(0);
    await student({ sisId: 'L2' });
    const created = await ok<{ createStudentLeave: { status: string }[] }>(CREATE, { input: { ...input, students: { sisIds: ['L1', 'L2'] } } });
    expect(created.createStudentLeave.map((l) => l.status)).toEqual(['SCHEDULED', 'SCHEDULED']);
    expectError(await gql(CREATE, { input: { ...input, students: { sisIds: ['L1'] }, endsAt: '2026-03-05T10:00:00Z' } }), 'BAD_USER_INPUT', 'input.endsAt');
  });

  it('should compute status from times at the boundaries, and keep comments in the history', async () => {
    await student({ sisId: 'B1' });
    const res = await ok<{ createStudentLeave: { id: string }[] }>(CREATE, { input: { students: { sisIds: ['B1'] }, leaveTypeId: leaveType, startsAt: '2026-03-02T09:00:00.000Z', endsAt: '2026-03-02T10:00:00.000Z' } });
    const id = res.createStudentLeave[0]?.id;
    const status = async () => (await ok<{ studentLeave: { status: string } }>('query($id: ID!) { studentLeave(id: $id) { status } }', { id })).studentLeave.status;
    expect(await status()).toBe('ACTIVE'); // start == now
    clock = new Date('2026-03-02T08:59:59.999Z');
    expect(await status()).toBe('SCHEDULED');
    clock = new Date('2026-03-02T10:00:00.000Z');
    expect(await status()).toBe('PAST'); // end == now
    clock = new Date('2026-03-02T09:00:00.000Z');
    await ok('mutation($id: ID!) { updateStudentLeave(id: $id, input: { note: "Bus", comment: "Pickup changed" }) { id } }', { id });
    type History = { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: { action: string; comment: string | null }[] };
    const cancelled = await ok<{ cancelStudentLeave: { status: string; history: History } }>(
      'mutation($id: ID!) { cancelStudentLeave(id: $id, input: { comment: "Ill" }) { status history(first: 2) { totalCount pageInfo { hasNextPage endCursor } nodes { action comment } } } }',
      { id },
    );
    expect(cancelled.cancelStudentLeave).toEqual({
      status: 'CANCELLED',
      history: { totalCount: 3, pageInfo: { hasNextPage: true, endCursor: expect.any(String) }, nodes: [{ action: 'CREATED', comment: null }, { action: 'UPDATED', comment: 'Pickup changed' }] },
    });
    const rest = await ok<{ studentLeave: { history: History } }>('query($id: ID!, $after: String) { studentLeave(id: $id) { history(after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { action comment } } } }', {
      id,
      after: cancelled.cancelStudentLeave.history.pageInfo.endCursor,
    });
    expect(rest.studentLeave.history).toMatchObject({ totalCount: 3, pageInfo: { hasNextPage: false }, nodes: [{ action: 'CANCELLED', comment: 'Ill' }] });
    expectError(await gql('mutation($id: ID!) { cancelStudentLeave(id: $id) { id } }', { id }), 'CONFLICT', { rule: 'LEAVE_CANCELLED' });
    const filtered = await ok<{ studentLeaves: { nodes: { id: string }[] } }>('{ studentLeaves(filter: { status: [CANCELLED] }) { nodes { id } } }');
    expect(filtered.studentLeaves.nodes.map((n) => n.id)).toEqual([id]);
  });

  it('should publish student_leave.activated exactly once when the start passes', async () => {
    await student({ sisId: 'ACT1' });
    const res = await ok<{ createStudentLeave: { id: string }[] }>(CREATE, { input: { students: { sisIds: ['ACT1'] }, leaveTypeId: leaveType, startsAt: '2026-03-02T09:00:01.000Z', endsAt: '2026-03-03T09:00:00.000Z' } });
    const id = res.createStudentLeave[0]?.id ?? '';
    const activations = async () => (await sql<{ n: number }>`select count(*)::int as n from events.outbox where type = 'student_leave.activated' and entity_id = ${id}`.execute(graph.database.handle.root)).rows[0]?.n;
    await graph.boarding.activations.runDue();
    expect(await activations()).toBe(0);
    clock = new Date('2026-03-02T09:00:01.000Z');
    await Promise.all([graph.boarding.activations.runDue(), graph.boarding.activations.runDue()]);
    await graph.boarding.activations.runDue();
    expect(await activations()).toBe(1);
    clock = new Date('2026-03-02T09:00:00.000Z');
  });
});

describe('rolls', () => {
  it('should refuse a mark after completion and a student outside the roll', async () => {
    const type = (await ok<{ createRollType: { id: string; codes: { name: string }[] } }>('mutation { createRollType(input: { name: "Evening" }) { id codes { name } } }')).createRollType;
    expect(type.codes.map((c) => c.name)).toEqual(['Present', 'Late', 'Absent']);
    const s = await student({ sisId: 'R1', house: { id: house } });
    const roll = (await ok<{ startRoll: { id: string; status: string } }>('mutation($t: ID!, $h: ID) { startRoll(input: { rollTypeId: $t, studentFilters: { house: { id: $h } } }) { id status } }', { t: type.id, h: house })).startRoll;
    expect(roll.status).toBe('ACTIVE');
    const mark = 'mutation($r: ID!, $code: String!) { markRoll(input: { rollId: $r, marks: [{ student: { sisId: "R1" }, code: $code }] }) { id } }';
    expectError(await gql(mark, { r: roll.id, code: 'Asleep' }), 'BAD_USER_INPUT', 'input.marks.0.code');
    await ok(mark, { r: roll.id, code: 'late' });
    const outsider = await student({ sisId: 'R-OUT' });
    expect(outsider).toBeTruthy();
    expectError(await gql('mutation($r: ID!) { markRoll(input: { rollId: $r, marks: [{ student: { sisId: "R-OUT" }, code: "Present" }] }) { id } }', { r: roll.id }), 'BAD_USER_INPUT', 'input.marks.0.student');
    await ok('mutation($r: ID!) { completeRoll(id: $r) { id } }', { r: roll.id });
    expectError(await gql(mark, { r: roll.id, code: 'Present' }), 'CONFLICT', { rule: 'ROLL_COMPLETE' });
    const mine = await ok<{ student: { latestRollMark: { code: { name: string; type: string } } } }>('query($id: ID) { student(id: $id) { latestRollMark { code { name type } } } }', { id: s });
    expect(mine.student.latestRollMark.code).toEqual({ name: 'Late', type: 'PRESENT' });
  });

  it('should mark an automatic roll from whereabouts: on grounds present, on leave explained absence, otherwise absent', async () => {
    const h = (await ok<{ createHouse: { id: string } }>('mutation { createHouse(input: { name: "Auto" }) { id } }')).createHouse.id;
    const present = await student({ lastName: 'A-present', house: { id: h } });
    const onLeave = await student({ lastName: 'B-leave', house: { id: h } });
    const absent = await student({ lastName: 'C-absent', house: { id: h } });
    await ok('mutation($ids: [ID!], $l: ID!) { moveStudents(input: { students: { ids: $ids }, locationId: $l, recordedAt: "2026-03-02T08:00:00Z" }) { id } }', { ids: [present, onLeave], l: library });
    await ok(CREATE_LEAVE, { input: { students: { ids: [onLeave] }, leaveTypeId: leaveType, startsAt: '2026-03-02T08:30:00Z', endsAt: '2026-03-03T08:00:00Z', locationId: home } });
    const type = (await ok<{ createRollType: { id: string } }>('mutation { createRollType(input: { name: "Auto roll" }) { id } }')).createRollType.id;
    const roll = await ok<{ takeAutomaticRoll: { mode: string; status: string; createdBy: null; assignments: { nodes: { student: { id: string }; code: { type: string } }[] } } }>(
      'mutation($t: ID!, $h: ID) { takeAutomaticRoll(input: { rollTypeId: $t, studentFilters: { house: { id: $h } } }) { mode status createdBy { id } assignments { nodes { student { id } code { type } } } } }',
      { t: type, h },
    );
    expect(roll.takeAutomaticRoll.mode).toBe('AUTOMATIC');
    expect(roll.takeAutomaticRoll.status).toBe('COMPLETE');
    expect(roll.takeAutomaticRoll.createdBy).toBeNull();
    expect(roll.takeAutomaticRoll.assignments.nodes).toEqual([
      { student: { id: present }, code: { type: 'PRESENT' } },
      { student: { id: onLeave }, code: { type: 'EXPLAINED_ABSENCE' } },
      { student: { id: absent }, code: { type: 'ABSENT' } },
    ]);
  });
});
const CREATE_LEAVE = 'mutation($input: CreateStudentLeaveInput!) { createStudentLeave(input: $input) { id } }';

describe('pastoral care', () => {
  it('should make sensitive records absent from lists, counts and lookups for staff without read:pastoral-sensitive', async () => {
    const s = await student({ sisId: 'P1' });
    const category = (await ok<{ createPastoralCategory: { id: string } }>('mutation { createPastoralCategory(input: { name: "Wellbeing" }) { id } }')).createPastoralCategory.id;
    const create = 'mutation($s: ID, $c: ID!, $sensitive: Boolean) { createPastoralRecord(input: { student: { id: $s }, categoryId: $c, description: "Talked", sensitive: $sensitive }) { id createdBy { id } } }';
    await ok(create, { s, c: category, sensitive: false });
    const secret = (await ok<{ createPastoralRecord: { id: string; createdBy: { id: string } } }>(create, { s, c: category, sensitive: true })).createPastoralRecord;
    expect(secret.createdBy.id).toBe(org.admin.id);
    const list = '{ pastoralRecords(filter: { student: { sisId: "P1" } }) { totalCount nodes { id sensitive } } }';
    expect((await ok<{ pastoralRecords: { totalCount: number } }>(list, {}, reader)).pastoralRecords.totalCount).toBe(1);
    expect((await ok<{ pastoralRecords: { totalCount: number } }>(list, {}, sensitiveReader)).pastoralRecords.totalCount).toBe(2);
    const one = 'query($id: ID!) { pastoralRecord(id: $id) { id } }';
    expectError(await gql(one, { id: secret.id }, reader), 'NOT_FOUND');
    expect((await ok<{ pastoralRecord: { id: string } }>(one, { id: secret.id }, sensitiveReader)).pastoralRecord.id).toBe(secret.id);
    const byStudent = await ok<{ student: { pastoralRecords: { totalCount: number } } }>('query($s: ID) { student(id: $s) { pastoralRecords { totalCount } } }', { s }, reader);
    expect(byStudent.student.pastoralRecords.totalCount).toBe(1);
    expectError(await gql(create, { s, c: category, sensitive: true }, reader), 'FORBIDDEN');
    expectError(await gql('mutation($id: ID!) { deletePastoralRecord(id: $id) { id } }', { id: secret.id }, reader), 'NOT_FOUND');
    expectError(await gql(create, { s, c: house, sensitive: false }), 'BAD_USER_INPUT', 'input.categoryId');
  });
});

describe('the house dashboard', () => {
  it('should answer a house, its students, their location, active leave and latest mark in one request', async () => {
    const res = await ok<{ house: { name: string; students: { totalCount: number; nodes: { name: string; currentLocation: unknown; activeLeave: unknown; latestRollMark: unknown }[] } } }>(
      `query($id: ID) { house(id: $id) { name students(first: 60) { totalCount nodes { name
         currentLocation { recordedAt location { name state } }
         activeLeave { status endsAt leaveType { shortCode } location { name } }
         latestRollMark { code { name type } markedAt roll { referenceLabel status } } } } } }`,
      { id: house },
    );
    expect(res.house.name).toBe('Kauri');
    expect(res.house.students.totalCount).toBe(res.house.students.nodes.length);
    expect(res.house.students.nodes.some((n) => n.latestRollMark !== null)).toBe(true);
  });
});
