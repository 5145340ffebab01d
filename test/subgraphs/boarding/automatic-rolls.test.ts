import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAutomaticRollScheduler } from '../../../subgraphs/boarding/domain/automatic-roll.ts';
import { dataOf, expectError } from '../../helpers/assertions.ts';
import { createTestOrg, startTestGraph, type TestGraph, type TestOrg } from '../../helpers/graph.ts';

// Automatic rolls with a start in the future: SCHEDULED until then, marked from the
// whereabouts at their start (not at creation) by the boarding process, exactly once.
let clock = new Date('2026-03-02T09:00:00.000Z');
let graph: TestGraph;
let org: TestOrg;

type Vars = Record<string, unknown>;
const gql = <T = Record<string, unknown>>(query: string, variables: Vars = {}) => graph.gql<T>(org.admin.key, query, variables);
const ok = async <T = Record<string, unknown>>(query: string, variables: Vars = {}) => dataOf(await gql<T>(query, variables));
const id = async (query: string, variables: Vars = {}) => Object.values(await ok<Record<string, { id: string }>>(query, variables))[0]!.id;

const ROLL = `id status completedAt assignments(first: 100) { totalCount nodes { student { lastName } code { name type } markedAt } }`;
type Roll = { id: string; status: string; completedAt: string | null; assignments: { totalCount: number; nodes: { student: { lastName: string }; code: { name: string; type: string }; markedAt: string }[] } };
const TAKE = `mutation($input: StartRollInput!) { takeAutomaticRoll(input: $input) { ${ROLL} } }`;
const readRoll = async (roll: string) => (await ok<{ roll: Roll }>(`query($id: ID!) { roll(id: $id) { ${ROLL} } }`, { id: roll })).roll;
const eventsOf = async (roll: string) =>
  (await sql<{ type: string }>`select type from events.outbox where entity_id = ${roll} order by id`.execute(graph.database.handle.root)).rows.map((r) => r.type);

let house: string;
let rollType: string;
let campus: string;
let town: string;
let leaveType: string;
let home: string;
const students: Record<string, string> = {};

const move = (names: string[], location: string, at: string) =>
  ok('mutation($ids: [ID!], $l: ID!, $at: DateTime) { moveStudents(input: { students: { ids: $ids }, locationId: $l, recordedAt: $at }) { id } }', { ids: names.map((n) => students[n]), l: location, at });

beforeAll(async () => {
  graph = await startTestGraph({ now: () => clock, activationIntervalMs: 60_000 });
  org = await createTestOrg(graph.peopleDb, 'Scheduled rolls school');
  await graph.boarding.catchUpDirectory();
  house = await id('mutation { createHouse(input: { name: "Rimu" }) { id } }');
  rollType = await id('mutation { createRollType(input: { name: "Ten o\'clock" }) { id } }');
  campus = await id('mutation { createLocation(input: { name: "Campus", type: ZONE, state: ON_GROUNDS }) { id } }');
  town = await id('mutation { createLocation(input: { name: "Town", type: ZONE, state: OFF_GROUNDS }) { id } }');
  home = await id('mutation { createLocation(input: { name: "Home", type: ZONE, state: HOME }) { id } }');
  leaveType = await id('mutation { createStudentLeaveType(input: { name: "Weekend", shortCode: "WL" }) { id } }');
  for (const name of ['Arrives', 'Leaves', 'OnLeave', 'Stays', 'Unknown']) {
    students[name] = await id('mutation($h: ID, $l: String!) { createStudent(input: { firstName: "Pupil", lastName: $l, house: { id: $h } }) { id } }', { h: house, l: name });
  }
  // At creation (09:00): Stays and Leaves on grounds, Arrives in town, Unknown nowhere, OnLeave on grounds.
  await move(['Stays', 'Leaves', 'OnLeave'], campus, '2026-03-02T08:00:00Z');
  await move(['Arrives'], town, '2026-03-02T08:00:00Z');
});
afterAll(() => graph.stop());

describe('automatic rolls starting in the future', () => {
  it('should wait SCHEDULED for its start, then mark from the whereabouts at its start and complete, once', async () => {
    const created = await ok<{ takeAutomaticRoll: Roll }>(TAKE, { input: { rollTypeId: rollType, referenceLabel: 'Ten', startsAt: '2026-03-02T10:00:00Z', studentFilters: { house: { id: house } } } });
    const roll = created.takeAutomaticRoll;
    expect(roll).toMatchObject({ status: 'SCHEDULED', completedAt: null, assignments: { totalCount: 0, nodes: [] } });
    expect(await eventsOf(roll.id)).toEqual(['roll.scheduled']);
    // Neither marks nor completion before the start.
    expectError(await gql('mutation($r: ID!, $s: ID) { markRoll(input: { rollId: $r, marks: [{ student: { id: $s }, code: "Present" }] }) { id } }', { r: roll.id, s: students['Stays'] }), 'CONFLICT', { rule: 'ROLL_SCHEDULED' });
    expectError(await gql('mutation($r: ID!) { completeRoll(id: $r) { id } }', { r: roll.id }), 'CONFLICT', { rule: 'ROLL_SCHEDULED' });
    expect((await ok<{ rolls: { nodes: { id: string }[] } }>('{ rolls(filter: { status: SCHEDULED }) { nodes { id } } }')).rolls.nodes.map((r) => r.id)).toEqual([roll.id]);

    // Between creation and start: Arrives comes back, Leaves goes to town, OnLeave's leave home begins.
    clock = new Date('2026-03-02T09:55:00.000Z');
    await move(['Arrives'], campus, '2026-03-02T09:40:00Z');
    await move(['Leaves'], town, '2026-03-02T09:50:00Z');
    await ok('mutation($s: ID!, $t: ID!, $l: ID) { createStudentLeave(input: { students: { ids: [$s] }, leaveTypeId: $t, startsAt: "2026-03-02T09:30:00Z", endsAt: "2026-03-03T09:00:00Z", locationId: $l }) { id } }', {
      s: students['OnLeave'],
      t: leaveType,
      l: home,
    });
    clock = new Date('2026-03-02T09:59:59.999Z');
    expect(await graph.boarding.automaticRolls.runDue()).toBe(0);
    expect((await readRoll(roll.id)).status).toBe('SCHEDULED');

    // The sweep runs a little late; a move after the start does not count.
    clock = new Date('2026-03-02T10:03:00.000Z');
    await move(['Stays'], town, '2026-03-02T10:01:00Z');
    expect(await graph.boarding.automaticRolls.runDue()).toBe(1);
    const taken = await readRoll(roll.id);
    expect(taken).toMatchObject({ status: 'COMPLETE', completedAt: '2026-03-02T10:03:00.000Z', assignments: { totalCount: 5 } });
    expect(taken.assignments.nodes.map((a) => [a.student.lastName, a.code.type, a.code.name, a.markedAt])).toEqual([
      ['Arrives', 'PRESENT', 'Present', '2026-03-02T10:00:00.000Z'],
      ['Leaves', 'ABSENT', 'Absent', '2026-03-02T10:00:00.000Z'],
      ['OnLeave', 'EXPLAINED_ABSENCE', 'On leave', '2026-03-02T10:00:00.000Z'],
      ['Stays', 'PRESENT', 'Present', '2026-03-02T10:00:00.000Z'],
      ['Unknown', 'ABSENT', 'Absent', '2026-03-02T10:00:00.000Z'],
    ]);
    expect(await graph.boarding.automaticRolls.runDue()).toBe(0);
    expect(await eventsOf(roll.id)).toEqual(['roll.scheduled', 'roll.completed']);
    expectError(await gql('mutation($r: ID!) { completeRoll(id: $r) { id } }', { r: roll.id }), 'CONFLICT', { rule: 'ROLL_COMPLETE' });
  });

  it('should take each due roll exactly once when several instances sweep at the same time', async () => {
    clock = new Date('2026-03-02T11:00:00.000Z');
    const rolls: string[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await ok<{ takeAutomaticRoll: Roll }>(TAKE, { input: { rollTypeId: rollType, startsAt: `2026-03-02T11:0${i + 1}:00Z`, studentFilters: { house: { id: house }, passState: 'IN' } } });
      rolls.push(r.takeAutomaticRoll.id);
    }
    clock = new Date('2026-03-02T11:10:00.000Z');
    const others = [createAutomaticRollScheduler(graph.boardingDb, () => clock), createAutomaticRollScheduler(graph.boardingDb, () => clock)];
    const counts = await Promise.all([graph.boarding.automaticRolls.runDue(), ...others.map((s) => s.runDue())]);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(4);
    for (const r of rolls) {
      expect(await eventsOf(r)).toEqual(['roll.scheduled', 'roll.completed']);
      // Pass state IN, judged at the start: only those on grounds then (Arrives; Stays left at 10:01).
      const taken = await readRoll(r);
      expect(taken.status).toBe('COMPLETE');
      expect(taken.assignments.nodes.map((a) => [a.student.lastName, a.code.type])).toEqual([['Arrives', 'PRESENT']]);
    }
  });

  it('should take a roll that has started at once, and refuse a start too far ahead or a manual roll in the future', async () => {
    clock = new Date('2026-03-02T12:00:00.000Z');
    const now = await ok<{ takeAutomaticRoll: Roll }>(TAKE, { input: { rollTypeId: rollType, studentFilters: { house: { id: house } } } });
    expect(now.takeAutomaticRoll).toMatchObject({ status: 'COMPLETE', assignments: { totalCount: 5 } });
    expect(await eventsOf(now.takeAutomaticRoll.id)).toEqual(['roll.completed']);
    expectError(await gql(TAKE, { input: { rollTypeId: rollType, startsAt: '2027-03-04T12:00:00Z' } }), 'BAD_USER_INPUT', 'input.startsAt');
    expectError(await gql(TAKE, { input: { rollTypeId: rollType, startsAt: '2026-03-02T13:00:00Z', lateAt: '2026-03-02T12:30:00Z' } }), 'BAD_USER_INPUT', 'input.lateAt');
    expectError(await gql('mutation { startRoll(input: { rollTypeId: "' + rollType + '", startsAt: "2026-03-02T13:00:00Z" }) { id } }'), 'BAD_USER_INPUT', 'input.startsAt');
  });

  it("should keep a house that a scheduled roll filters by, so the roll cannot lose its filter", async () => {
    const empty = await id('mutation { createHouse(input: { name: "Empty" }) { id } }');
    const r = await ok<{ takeAutomaticRoll: Roll }>(TAKE, { input: { rollTypeId: rollType, startsAt: '2026-03-02T14:00:00Z', studentFilters: { house: { id: empty } } } });
    expectError(await gql('mutation($h: ID) { deleteHouse(house: { id: $h }) { id } }', { h: empty }), 'CONFLICT', { rule: 'HOUSE_HAS_SCHEDULED_ROLLS' });
    clock = new Date('2026-03-02T14:00:00.000Z');
    expect(await graph.boarding.automaticRolls.runDue()).toBe(1);
    expect(await readRoll(r.takeAutomaticRoll.id)).toMatchObject({ status: 'COMPLETE', assignments: { totalCount: 0 } });
    await ok('mutation($h: ID) { deleteHouse(house: { id: $h }) { id } }', { h: empty });
  });
});
