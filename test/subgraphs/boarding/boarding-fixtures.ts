// A boarding house with everything its dashboard shows, built through the gateway.
import type { TestGraph } from '../../helpers/graph.ts';

/** The house dashboard: a house, its students, each one's current location, active leave and latest roll mark. */
export const DASHBOARD = `query($id: ID) { house(id: $id) { name students(first: 100) { totalCount nodes { id name yearLevel roomNumber
  house { name }
  contacts(first: 3) { totalCount nodes { firstName relationship mobilePhone } }
  currentLocation { recordedAt type location { name state } }
  activeLeave { status endsAt leaveType { name shortCode } location { name } }
  latestRollMark { code { name type } markedAt roll { referenceLabel status } } } } } }`;

async function gql<T>(graph: TestGraph, key: string, query: string, variables: Record<string, unknown>): Promise<T> {
  const res = await graph.gql<T>(key, query, variables);
  if (res.body.errors || !res.body.data) throw new Error(JSON.stringify(res.body.errors));
  return res.body.data;
}

/**
 * Creates a house of `size` students, each with a contact and a check-in at `locationId`;
 * every third on active leave to `leaveLocationId`; then an automatic roll of the house.
 * Returns the house id.
 */
export async function seedHouse(graph: TestGraph, key: string, name: string, size: number, ids: { locationId: string; leaveLocationId: string; leaveTypeId: string; rollTypeId: string }): Promise<string> {
  const house = (await gql<{ createHouse: { id: string } }>(graph, key, 'mutation($n: String!) { createHouse(input: { name: $n }) { id } }', { n: name })).createHouse.id;
  const students: string[] = [];
  for (let i = 0; i < size; i++) {
    const created = await gql<{ createStudent: { id: string } }>(graph, key, 'mutation($h: ID, $l: String!, $y: String) { createStudent(input: { firstName: "Pupil", lastName: $l, yearLevel: $y, roomNumber: "1", house: { id: $h } }) { id } }', {
      h: house,
      l: `${name}-${String(i).padStart(3, '0')}`,
      y: String(9 + (i % 4)),
    });
    students.push(created.createStudent.id);
    await gql(graph, key, 'mutation($s: ID) { createContact(input: { student: { id: $s }, firstName: "Parent", lastName: "Of", relationship: "Mother" }) { id } }', { s: created.createStudent.id });
  }
  await gql(graph, key, 'mutation($ids: [ID!], $l: ID!) { moveStudents(input: { students: { ids: $ids }, locationId: $l, recordedAt: "2026-03-02T07:00:00Z" }) { id } }', { ids: students, l: ids.locationId });
  const onLeave = students.filter((_, i) => i % 3 === 0);
  await gql(graph, key, 'mutation($ids: [ID!], $t: ID!, $l: ID) { createStudentLeave(input: { students: { ids: $ids }, leaveTypeId: $t, startsAt: "2026-03-02T08:00:00Z", endsAt: "2026-03-04T08:00:00Z", locationId: $l }) { id } }', {
    ids: onLeave,
    t: ids.leaveTypeId,
    l: ids.leaveLocationId,
  });
  await gql(graph, key, 'mutation($t: ID!, $h: ID) { takeAutomaticRoll(input: { rollTypeId: $t, referenceLabel: "Morning", studentFilters: { house: { id: $h } } }) { id } }', { t: ids.rollTypeId, h: house });
  return house;
}

/** The shared pieces a house needs: a location tree, a leave type and a roll type. */
export async function seedSchool(graph: TestGraph, key: string) {
  const zone = (await gql<{ createLocation: { id: string } }>(graph, key, 'mutation { createLocation(input: { name: "Campus", type: ZONE, state: ON_GROUNDS }) { id } }', {})).createLocation.id;
  const home = (await gql<{ createLocation: { id: string } }>(graph, key, 'mutation { createLocation(input: { name: "Home", type: ZONE, state: HOME }) { id } }', {})).createLocation.id;
  const locationId = (await gql<{ createLocation: { id: string } }>(graph, key, 'mutation($p: ID) { createLocation(input: { name: "Dining hall", type: BUILDING, parentId: $p }) { id } }', { p: zone })).createLocation.id;
  const leaveTypeId = (await gql<{ createStudentLeaveType: { id: string } }>(graph, key, 'mutation { createStudentLeaveType(input: { name: "Weekend", shortCode: "WL" }) { id } }', {})).createStudentLeaveType.id;
  const rollTypeId = (await gql<{ createRollType: { id: string } }>(graph, key, 'mutation { createRollType(input: { name: "House roll" }) { id } }', {})).createRollType.id;
  return { locationId, leaveLocationId: home, leaveTypeId, rollTypeId };
}
