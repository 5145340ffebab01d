import fs from 'node:fs';
import { Kind, parse, type DefinitionNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataOf, expectError } from '../../helpers/assertions.ts';
import { createTestOrg, startTestGraph, type TestGraph, type TestOrg } from '../../helpers/graph.ts';

// The remaining boarding writes: each one's rule and the error a bad input gets.
let graph: TestGraph;
let org: TestOrg;
const gql = (query: string, variables: Record<string, unknown> = {}) => graph.gql(org.admin.key, query, variables);
async function ok<T = Record<string, { id: string }>>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  return dataOf(await graph.gql<T>(org.admin.key, query, variables));
}

beforeAll(async () => {
  graph = await startTestGraph({ now: () => new Date('2026-03-02T09:00:00Z'), activationIntervalMs: 60_000 });
  org = await createTestOrg(graph.peopleDb, 'CRUD school');
  await graph.boarding.catchUpDirectory();
});
afterAll(() => graph.stop());

describe('the boarding SDL', () => {
  it('should describe every type, field, argument and enum value', () => {
    const doc = parse(fs.readFileSync('subgraphs/boarding/schema.graphql', 'utf8'));
    const missing: string[] = [];
    const check = (node: { description?: { value: string } | undefined }, name: string) => {
      if (!node.description?.value.trim()) missing.push(name);
    };
    for (const def of doc.definitions as readonly (DefinitionNode & { name?: { value: string } })[]) {
      const name = def.name?.value ?? '';
      if (def.kind === Kind.OBJECT_TYPE_DEFINITION || def.kind === Kind.INPUT_OBJECT_TYPE_DEFINITION) {
        if (name !== 'Query' && name !== 'Mutation') check(def, name);
        for (const field of def.fields ?? []) {
          check(field, `${name}.${field.name.value}`);
          if ('arguments' in field) for (const arg of field.arguments ?? []) check(arg, `${name}.${field.name.value}(${arg.name.value})`);
        }
      } else if (def.kind === Kind.ENUM_TYPE_DEFINITION) {
        check(def, name);
        for (const value of def.values ?? []) check(value, `${name}.${value.name.value}`);
      } else if (def.kind === Kind.SCALAR_TYPE_DEFINITION) {
        check(def, name);
      }
    }
    expect(missing).toEqual([]);
  });
});

describe('houses, students and contacts', () => {
  it('should update and delete a house, refusing a bad name', async () => {
    const id = (await ok('mutation { createHouse(input: { name: "Temp", sisId: "T1" }) { id } }')).createHouse!.id;
    expectError(await gql('mutation { updateHouse(house: { sisId: "T1" }, input: { name: "" }) { id } }'), 'BAD_USER_INPUT', 'input.name');
    expect((await ok<{ updateHouse: { name: string; sisId: null } }>('mutation { updateHouse(house: { sisId: "T1" }, input: { name: "Renamed", sisId: null }) { name sisId } }')).updateHouse).toEqual({ name: 'Renamed', sisId: null });
    expectError(await gql('mutation { deleteHouse(house: { sisId: "T1" }) { id } }'), 'NOT_FOUND');
    expect((await ok('mutation($id: ID) { deleteHouse(house: { id: $id }) { id } }', { id })).deleteHouse!.id).toBe(id);
    expectError(await gql('query($id: ID) { house(id: $id) { id } }', { id }), 'NOT_FOUND');
  });

  it('should delete a student with their contacts, and refuse a bad reference', async () => {
    const id = (await ok('mutation { createStudent(input: { firstName: "Gone", lastName: "Soon", sisId: "DEL1" }) { id } }')).createStudent!.id;
    await ok('mutation($s: ID) { createContact(input: { student: { id: $s }, firstName: "P", lastName: "Q" }) { id } }', { s: id });
    expectError(await gql('mutation { deleteStudent(student: { id: "not-a-uuid" }) { id } }'), 'NOT_FOUND');
    await ok('mutation { deleteStudent(student: { sisId: "DEL1" }) { id } }');
    expect(await graph.boardingDb.selectFrom('contacts').select('id').where('student_id', '=', id).execute()).toEqual([]);
  });

  it('should update and delete a contact, refusing a bad email and an id given with a student', async () => {
    const s = (await ok('mutation { createStudent(input: { firstName: "Has", lastName: "Parent", sisId: "CT1" }) { id } }')).createStudent!.id;
    const c = (await ok('mutation($s: ID) { createContact(input: { student: { id: $s }, firstName: "P", lastName: "Q", sisId: "P1" }) { id } }', { s })).createContact!.id;
    expectError(await gql('mutation($c: ID) { updateContact(contact: { id: $c }, input: { email: "nope" }) { id } }', { c }), 'BAD_USER_INPUT', 'input.email');
    expectError(await gql('mutation($c: ID) { updateContact(contact: { id: $c, student: { sisId: "CT1" } }, input: { title: "Dr" }) { id } }', { c }), 'BAD_USER_INPUT', 'contact.student');
    const updated = await ok<{ updateContact: { email: string; title: string } }>('mutation { updateContact(contact: { sisId: "P1", student: { sisId: "CT1" } }, input: { email: "P@Example.com", title: "Dr" }) { email title } }');
    expect(updated.updateContact).toEqual({ email: 'p@example.com', title: 'Dr' });
    expect((await ok('mutation($c: ID) { deleteContact(contact: { id: $c }) { id } }', { c })).deleteContact!.id).toBe(c);
    expectError(await gql('mutation($c: ID) { deleteContact(contact: { id: $c }) { id } }', { c }), 'NOT_FOUND');
  });
});

describe('locations', () => {
  it('should update a location, refuse a bad geolocation, and delete only an unused one', async () => {
    const zone = (await ok('mutation { createLocation(input: { name: "Field zone", type: ZONE, state: OFF_GROUNDS }) { id } }')).createLocation!.id;
    const field = (await ok('mutation($p: ID) { createLocation(input: { name: "Field", type: OUTDOOR_FACILITY, parentId: $p }) { id } }', { p: zone })).createLocation!.id;
    expectError(await gql('mutation($id: ID!) { updateLocation(id: $id, input: { geolocation: { latitude: 91, longitude: 0 } }) { id } }', { id: field }), 'BAD_USER_INPUT', 'input.geolocation.latitude');
    const updated = await ok<{ updateLocation: { name: string; geolocation: unknown; state: string } }>('mutation($id: ID!) { updateLocation(id: $id, input: { name: "Top field", geolocation: { latitude: -41.3, longitude: 174.8 } }) { name geolocation { latitude longitude } state } }', { id: field });
    expect(updated.updateLocation).toEqual({ name: 'Top field', geolocation: { latitude: -41.3, longitude: 174.8 }, state: 'OFF_GROUNDS' });
    expectError(await gql('mutation($id: ID!) { deleteLocation(id: $id) { id } }', { id: zone }), 'CONFLICT', { rule: 'LOCATION_IN_USE' });
    await ok('mutation($id: ID!) { deleteLocation(id: $id) { id } }', { id: field });
    await ok('mutation($id: ID!) { deleteLocation(id: $id) { id } }', { id: zone });
  });
});

describe('moving and retyping locations', () => {
  type Node = { id: string; type: string; state: string; depth: number; parent: { id: string } | null; zone: { id: string } };
  const SELECT = 'id type state depth parent { id } zone { id }';
  const create = async (input: string, vars: Record<string, unknown> = {}) => (await ok(`mutation${'p' in vars ? '($p: ID)' : ''} { createLocation(input: { ${input} }) { id } }`, vars)).createLocation!.id;
  const update = (id: string, input: Record<string, unknown>) => gql(`mutation($id: ID!, $input: UpdateLocationInput!) { updateLocation(id: $id, input: $input) { ${SELECT} } }`, { id, input });
  const read = async (id: string) => (await ok<{ location: Node }>(`query($id: ID!) { location(id: $id) { ${SELECT} } }`, { id })).location;

  it('should move a location with its descendants into another zone, which they then inherit', async () => {
    const campus = await create('name: "Move campus", type: ZONE, state: ON_GROUNDS');
    const town = await create('name: "Move town", type: ZONE, state: OFF_GROUNDS');
    const hall = await create('name: "Hall", type: BUILDING, parentId: $p', { p: campus });
    const floor = await create('name: "Hall floor", type: FLOOR, parentId: $p', { p: hall });
    const room = await create('name: "Hall room", type: ROOM, parentId: $p', { p: floor });
    const moved = dataOf(await update(hall, { parentId: town, type: 'GENERAL' })) as { updateLocation: Node };
    expect(moved.updateLocation).toEqual({ id: hall, type: 'GENERAL', state: 'OFF_GROUNDS', depth: 1, parent: { id: town }, zone: { id: town } });
    expect(await read(room)).toEqual({ id: room, type: 'ROOM', state: 'OFF_GROUNDS', depth: 3, parent: { id: floor }, zone: { id: town } });
    // Deeper: the floor under another building of the town, one level lower.
    const annex = await create('name: "Annex", type: BUILDING, parentId: $p', { p: town });
    const wing = await create('name: "Wing", type: BUILDING, parentId: $p', { p: annex });
    dataOf(await update(floor, { parentId: wing }));
    expect(await read(room)).toMatchObject({ depth: 4, parent: { id: floor }, zone: { id: town }, state: 'OFF_GROUNDS' });
  });

  it('should turn a location into a zone and a zone into a location, keeping zones at the root only', async () => {
    const root = await create('name: "Retype root", type: ZONE, state: ON_GROUNDS');
    const block = await create('name: "Block", type: BUILDING, parentId: $p', { p: root });
    const room = await create('name: "Block room", type: ROOM, parentId: $p', { p: block });
    expectError(await update(block, { type: 'ZONE' }), 'BAD_USER_INPUT', 'input.type');
    expectError(await update(block, { type: 'ZONE', parentId: null }), 'BAD_USER_INPUT', 'input.state');
    expectError(await update(block, { type: 'ZONE', parentId: root, state: 'HOME' }), 'BAD_USER_INPUT', 'input.parentId');
    const zone = dataOf(await update(block, { type: 'ZONE', parentId: null, state: 'HOME' })) as { updateLocation: Node };
    expect(zone.updateLocation).toEqual({ id: block, type: 'ZONE', state: 'HOME', depth: 0, parent: null, zone: { id: block } });
    expect(await read(room)).toEqual({ id: room, type: 'ROOM', state: 'HOME', depth: 1, parent: { id: block }, zone: { id: block } });
    // A zone's state can change; its descendants inherit the new one.
    dataOf(await update(block, { state: 'OFF_GROUNDS' }));
    expect((await read(room)).state).toBe('OFF_GROUNDS');
    // Back under the root: a non-zone needs a parent and takes no state of its own.
    expectError(await update(block, { type: 'BUILDING' }), 'BAD_USER_INPUT', 'input.parentId');
    expectError(await update(block, { type: 'BUILDING', parentId: root, state: 'HOME' }), 'BAD_USER_INPUT', 'input.state');
    expectError(await update(room, { parentId: null }), 'BAD_USER_INPUT', 'input.parentId');
    expectError(await update(room, { state: 'HOME' }), 'BAD_USER_INPUT', 'input.state');
    dataOf(await update(block, { type: 'BUILDING', parentId: root }));
    expect(await read(block)).toEqual({ id: block, type: 'BUILDING', state: 'ON_GROUNDS', depth: 1, parent: { id: root }, zone: { id: root } });
    expect(await read(room)).toEqual({ id: room, type: 'ROOM', state: 'ON_GROUNDS', depth: 2, parent: { id: block }, zone: { id: root } });
  });

  it('should refuse a move under the location itself, one of its descendants, another organization\'s location, or too deep', async () => {
    const root = await create('name: "Cycle root", type: ZONE, state: ON_GROUNDS');
    const a = await create('name: "A", type: BUILDING, parentId: $p', { p: root });
    const b = await create('name: "B", type: FLOOR, parentId: $p', { p: a });
    const c = await create('name: "C", type: ROOM, parentId: $p', { p: b });
    for (const target of [a, b, c]) expectError(await update(a, { parentId: target }), 'BAD_USER_INPUT', 'input.parentId');
    expectError(await update(a, { parentId: 'not-an-id' }), 'BAD_USER_INPUT', 'input.parentId');
    expectError(await update(a, { type: null }), 'BAD_USER_INPUT', 'input.type');
    const other = await createTestOrg(graph.peopleDb, 'Other tree school');
    await graph.boarding.catchUpDirectory();
    const foreign = dataOf(await graph.gql<{ createLocation: { id: string } }>(other.admin.key, 'mutation { createLocation(input: { name: "Theirs", type: ZONE, state: HOME }) { id } }')).createLocation.id;
    expectError(await update(a, { parentId: foreign }), 'BAD_USER_INPUT', 'input.parentId');
    // A chain 20 levels deep under the root: moving A (3 levels tall) under its end would go past 20.
    let end = root;
    for (let i = 0; i < 19; i++) end = await create(`name: "Level ${i}", type: GENERAL, parentId: $p`, { p: end });
    expectError(await update(a, { parentId: end }), 'BAD_USER_INPUT', 'input.parentId');
    expect(await read(c)).toMatchObject({ depth: 3, zone: { id: root } });
    // Two siblings moved under each other at once: the tree lock lets one through, the other sees the cycle.
    const x = await create('name: "X", type: BUILDING, parentId: $p', { p: root });
    const y = await create('name: "Y", type: BUILDING, parentId: $p', { p: root });
    const results = await Promise.all([update(x, { parentId: y }), update(y, { parentId: x })]);
    expect(results.filter((r) => r.body.errors).map((r) => r.body.errors?.[0]?.extensions?.['field'])).toEqual(['input.parentId']);
    const [xs, ys] = [await read(x), await read(y)];
    expect([xs.parent?.id, ys.parent?.id].filter((p) => p === root)).toHaveLength(1);
  });
});

describe('pastoral categories and records', () => {
  it('should nest categories without cycles, keep names unique and delete only unused ones', async () => {
    const parent = (await ok('mutation { createPastoralCategory(input: { name: "Conduct" }) { id } }')).createPastoralCategory!.id;
    const child = (await ok('mutation($p: ID) { createPastoralCategory(input: { name: "Lateness", parentId: $p }) { id } }', { p: parent })).createPastoralCategory!.id;
    expectError(await gql('mutation { createPastoralCategory(input: { name: "conduct" }) { id } }'), 'CONFLICT', 'input.name');
    expectError(await gql('mutation($id: ID!, $p: ID) { updatePastoralCategory(id: $id, input: { parentId: $p }) { id } }', { id: parent, p: child }), 'BAD_USER_INPUT', 'input.parentId');
    const renamed = await ok<{ updatePastoralCategory: { name: string; parent: { id: string } } }>('mutation($id: ID!) { updatePastoralCategory(id: $id, input: { name: "Late" }) { name parent { id } } }', { id: child });
    expect(renamed.updatePastoralCategory).toEqual({ name: 'Late', parent: { id: parent } });
    expectError(await gql('mutation($id: ID!) { deletePastoralCategory(id: $id) { id } }', { id: parent }), 'CONFLICT', { rule: 'CATEGORY_IN_USE' });
    await ok('mutation($id: ID!) { deletePastoralCategory(id: $id) { id } }', { id: child });
  });

  it('should update a record, keep the watchlist rules and refuse bad points', async () => {
    await ok('mutation { createStudent(input: { firstName: "Pat", lastName: "Oral", sisId: "PR1" }) { id } }');
    const c = (await ok('mutation { createPastoralCategory(input: { name: "Merit" }) { id } }')).createPastoralCategory!.id;
    const create = 'mutation($c: ID!, $p: Int, $w: Boolean, $e: DateTime) { createPastoralRecord(input: { student: { sisId: "PR1" }, categoryId: $c, description: "Helped", points: $p, watchlist: $w, watchlistExpiresAt: $e, occurredAt: "2026-03-01T10:00:00Z" }) { id onWatchlist } }';
    expectError(await gql(create, { c, p: 5000 }), 'BAD_USER_INPUT', 'input.points');
    expectError(await gql(create, { c, e: '2026-03-05T00:00:00Z' }), 'BAD_USER_INPUT', 'input.watchlistExpiresAt');
    expectError(await gql(create, { c, w: true, e: '2026-02-01T00:00:00Z' }), 'BAD_USER_INPUT', 'input.watchlistExpiresAt');
    const record = await ok<{ createPastoralRecord: { id: string; onWatchlist: boolean } }>(create, { c, w: true, e: '2026-03-05T00:00:00Z', p: 3 });
    expect(record.createPastoralRecord.onWatchlist).toBe(true);
    const id = record.createPastoralRecord.id;
    expectError(await gql('mutation($id: ID!) { updatePastoralRecord(id: $id, input: { occurredAt: "2030-01-01T00:00:00Z" }) { id } }', { id }), 'BAD_USER_INPUT', 'input.occurredAt');
    const updated = await ok<{ updatePastoralRecord: { points: number | null; attachments: { name: string }[] } }>('mutation($id: ID!) { updatePastoralRecord(id: $id, input: { points: null, attachments: ["note.pdf"] }) { points attachments { name } } }', { id });
    expect(updated.updatePastoralRecord).toEqual({ points: null, attachments: [{ name: 'note.pdf' }] });
  });
});

describe('roll types and student leave types', () => {
  it('should validate roll codes and rename a roll type', async () => {
    expectError(await gql('mutation { createRollType(input: { name: "Bad", codes: [{ name: "X", type: UNMARKED }] }) { id } }'), 'BAD_USER_INPUT', 'input.codes.0.type');
    expectError(await gql('mutation { createRollType(input: { name: "Dup", codes: [{ name: "X", type: PRESENT }, { name: "x", type: ABSENT }] }) { id } }'), 'BAD_USER_INPUT', 'input.codes.1.name');
    const id = (await ok('mutation { createRollType(input: { name: "Chapel" }) { id } }')).createRollType!.id;
    expectError(await gql('mutation { createRollType(input: { name: "chapel" }) { id } }'), 'CONFLICT', 'input.name');
    const updated = await ok<{ updateRollType: { name: string; codes: { name: string; type: string }[] } }>('mutation($id: ID!) { updateRollType(id: $id, input: { name: "Chapel roll", codes: [{ name: "In", type: PRESENT }, { name: "Away", type: EXPLAINED_ABSENCE }] }) { name codes { name type } } }', { id });
    expect(updated.updateRollType).toEqual({ name: 'Chapel roll', codes: [{ name: 'In', type: 'PRESENT' }, { name: 'Away', type: 'EXPLAINED_ABSENCE' }] });
    expectError(await gql('mutation($id: ID!) { startRoll(input: { rollTypeId: $id, startsAt: "2026-03-02T10:00:00Z" }) { id } }', { id }), 'BAD_USER_INPUT', 'input.startsAt');
  });

  it('should keep leave type names and codes unique among active ones, and refuse a deactivated type', async () => {
    const id = (await ok('mutation { createStudentLeaveType(input: { name: "Exeat", shortCode: "EX" }) { id } }')).createStudentLeaveType!.id;
    expectError(await gql('mutation { createStudentLeaveType(input: { name: "Other", shortCode: "ex" }) { id } }'), 'CONFLICT', 'input.shortCode');
    expectError(await gql('mutation($id: ID!) { updateStudentLeaveType(id: $id, input: { shortCode: "" }) { id } }', { id }), 'BAD_USER_INPUT', 'input.shortCode');
    await ok('mutation($id: ID!) { updateStudentLeaveType(id: $id, input: { description: "Weekend exeat" }) { id } }', { id });
    expect((await ok<{ deactivateStudentLeaveType: { active: boolean } }>('mutation($id: ID!) { deactivateStudentLeaveType(id: $id) { active } }', { id })).deactivateStudentLeaveType.active).toBe(false);
    await ok('mutation { createStudent(input: { firstName: "Lee", lastName: "Ave", sisId: "LT1" }) { id } }');
    expectError(await gql('mutation($t: ID!) { createStudentLeave(input: { students: { sisIds: ["LT1"] }, leaveTypeId: $t, startsAt: "2026-03-03T00:00:00Z", endsAt: "2026-03-04T00:00:00Z" }) { id } }', { t: id }), 'BAD_USER_INPUT', 'input.leaveTypeId');
    // The name is free again once the type is deactivated.
    await ok('mutation { createStudentLeaveType(input: { name: "Exeat", shortCode: "EX" }) { id } }');
  });

  it('should delete a leave and publish it, and refuse an update ending before it starts', async () => {
    const t = (await ok('mutation { createStudentLeaveType(input: { name: "Trip", shortCode: "TR" }) { id } }')).createStudentLeaveType!.id;
    await ok('mutation { createStudent(input: { firstName: "Del", lastName: "Leave", sisId: "DL1" }) { id } }');
    const res = await ok<{ createStudentLeave: { id: string }[] }>('mutation($t: ID!) { createStudentLeave(input: { students: { sisIds: ["DL1"] }, leaveTypeId: $t, startsAt: "2026-03-03T00:00:00Z", endsAt: "2026-03-04T00:00:00Z" }) { id } }', { t });
    const id = res.createStudentLeave[0]?.id;
    expectError(await gql('mutation($id: ID!) { updateStudentLeave(id: $id, input: { endsAt: "2026-03-02T23:00:00Z" }) { id } }', { id }), 'BAD_USER_INPUT', 'input.endsAt');
    await ok('mutation($id: ID!) { deleteStudentLeave(id: $id) { id } }', { id });
    expectError(await gql('query($id: ID!) { studentLeave(id: $id) { id } }', { id }), 'NOT_FOUND');
    const types = await graph.database.handle.root.selectFrom('events.outbox' as never).select('type' as never).where('entity_id' as never, '=', id as never).execute();
    expect(types.map((r) => (r as { type: string }).type)).toEqual(['student_leave.created', 'student_leave.deleted']);
  });
});
