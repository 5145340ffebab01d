import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Identity } from '../../../subgraphs/shared/identity.ts';
import { postSigned } from '../../helpers/signed-request.ts';
import { createTestOrg, startTestGraph, type TestGraph } from '../../helpers/graph.ts';
import { DASHBOARD, seedHouse, seedSchool } from './boarding-fixtures.ts';

// Statements of one request to the boarding subgraph's tables, without the background
// directory consumer's and the activation scheduler's (which run on their own timers).
let counting = false;
let statements: string[] = [];
const onQuery = (sql: string) => {
  if (counting && /"boarding"\./.test(sql) && !/"events"|consumer_cursors|pg_advisory|activation_published_at|directory_/.test(sql)) statements.push(sql);
};

let graph: TestGraph;
let identity: Identity;
let small: string;
let large: string;
let studentIds: string[] = [];
let adminId: string;

async function dashboard(houseId: string): Promise<{ data?: { house: { students: { nodes: { activeLeave: unknown; latestRollMark: unknown; contacts: { totalCount: number } }[] } } }; errors?: unknown[] }> {
  const res = await postSigned(graph.boarding.url, 'boarding', identity, graph.identitySecret, { query: DASHBOARD, variables: { id: houseId } });
  return (await res.json()) as never;
}

async function countStatements(houseId: string, expected: number): Promise<number> {
  statements = [];
  counting = true;
  const body = await dashboard(houseId);
  counting = false;
  expect(body.errors).toBeUndefined();
  expect(body.data?.house.students.nodes).toHaveLength(expected);
  return statements.length;
}

/** Every list field a student has, each with a page of 1 so the per-student windows show. */
const STUDENT_LISTS = `query($id: ID) { house(id: $id) { students(first: 100) { nodes { id
  contacts(first: 1) { totalCount pageInfo { hasNextPage } nodes { firstName } }
  locationRecords(first: 1, filter: { from: "2026-03-01T00:00:00Z" }) { totalCount pageInfo { hasNextPage } nodes { student { id } } }
  leave(first: 1) { totalCount nodes { student { id } history(first: 1) { totalCount pageInfo { hasNextPage } nodes { action } } } }
  pastoralRecords(first: 1) { totalCount pageInfo { hasNextPage } nodes { student { id } } } } } } }`;

interface StudentLists {
  id: string;
  contacts: { totalCount: number; pageInfo: { hasNextPage: boolean } };
  locationRecords: { totalCount: number; pageInfo: { hasNextPage: boolean }; nodes: { student: { id: string } }[] };
  leave: { totalCount: number; nodes: { student: { id: string }; history: { totalCount: number; pageInfo: { hasNextPage: boolean }; nodes: { action: string }[] } }[] };
  pastoralRecords: { totalCount: number; pageInfo: { hasNextPage: boolean }; nodes: { student: { id: string } }[] };
}

/** Statements of one signed request to the boarding subgraph, with its data. */
async function measure<T>(query: string, variables: Record<string, unknown>): Promise<{ statements: number; data: T }> {
  statements = [];
  counting = true;
  const res = await postSigned(graph.boarding.url, 'boarding', identity, graph.identitySecret, { query, variables });
  const body = (await res.json()) as { data?: T; errors?: unknown[] };
  counting = false;
  expect(body.errors).toBeUndefined();
  return { statements: statements.length, data: body.data as T };
}

/** A fetch of `few` parents and of `many` costs the same statements; returns them. */
async function constant<T>(label: string, query: string, few: Record<string, unknown>, many: Record<string, unknown>): Promise<{ few: T; many: T; statements: number }> {
  const a = await measure<T>(query, few);
  const b = await measure<T>(query, many);
  console.log(`${label}: ${a.statements} statements for few, ${b.statements} for many`);
  if (a.statements !== b.statements) console.log(statements.join('\n'));
  expect(b.statements).toBe(a.statements);
  return { few: a.data, many: b.data, statements: b.statements };
}

beforeAll(async () => {
  graph = await startTestGraph({ onQuery, now: () => new Date('2026-03-02T09:00:00Z'), activationIntervalMs: 3_600_000 }); // no sweep tick inside a measurement
  const org = await createTestOrg(graph.peopleDb);
  await graph.boarding.catchUpDirectory();
  identity = { orgId: org.id, userId: org.admin.id, role: 'ADMIN', scopes: ['admin'], keyId: null, authMethod: 'api-key' };
  const school = await seedSchool(graph, org.admin.key);
  small = await seedHouse(graph, org.admin.key, 'Small', 2, school);
  large = await seedHouse(graph, org.admin.key, 'Large', 60, school);
  // Every student a pastoral record and a second check-in; every leave a second change;
  // a few more rolls, one of them manual (by the admin), for the roll and user lists.
  const gql = async <T = unknown>(query: string, variables: Record<string, unknown> = {}): Promise<T> => {
    const res = await graph.gql<T>(org.admin.key, query, variables);
    expect(res.body.errors).toBeUndefined();
    return res.body.data as T;
  };
  const category = await gql<{ createPastoralCategory: { id: string } }>('mutation { createPastoralCategory(input: { name: "Merit" }) { id } }');
  const all = await gql<{ students: { nodes: { id: string }[] } }>('{ students(first: 100) { nodes { id } } }');
  studentIds = all.students.nodes.map((n) => n.id);
  for (const id of studentIds) {
    await gql('mutation($s: ID, $c: ID!) { createPastoralRecord(input: { student: { id: $s }, categoryId: $c, description: "Helped", occurredAt: "2026-03-01T10:00:00Z" }) { id } }', { s: id, c: category.createPastoralCategory.id });
  }
  await gql('mutation($ids: [ID!], $l: ID!) { moveStudents(input: { students: { ids: $ids }, locationId: $l, recordedAt: "2026-03-02T08:30:00Z" }) { id } }', { ids: studentIds, l: school.locationId });
  const leaves = await gql<{ studentLeaves: { nodes: { id: string }[] } }>('{ studentLeaves(first: 100) { nodes { id } } }');
  for (const { id } of leaves.studentLeaves.nodes) await gql('mutation($id: ID!) { updateStudentLeave(id: $id, input: { note: "Bus", comment: "Pickup" }) { id } }', { id });
  await gql('mutation($t: ID!) { startRoll(input: { rollTypeId: $t, referenceLabel: "Manual" }) { id } }', { t: school.rollTypeId });
  for (let i = 0; i < 3; i++) await gql('mutation($t: ID!) { takeAutomaticRoll(input: { rollTypeId: $t }) { id } }', { t: school.rollTypeId });
  adminId = org.admin.id;
}, 300_000);
afterAll(() => graph.stop());

describe('boarding fetches', () => {
  it('should answer the house dashboard for 60 students in as many statements as for 2', async () => {
    const two = await countStatements(small, 2);
    const sixty = await countStatements(large, 60);
    console.log(`boarding house dashboard: 2 students -> ${two} statements, 60 students -> ${sixty} statements`);
    if (sixty !== two) console.log(statements.join('\n'));
    expect(sixty).toBe(two);
    expect(sixty).toBeLessThanOrEqual(12);
  });

  it('should give each student their own leave, mark and contacts', async () => {
    const body = await dashboard(large);
    const nodes = body.data?.house.students.nodes ?? [];
    expect(nodes.filter((n) => n.activeLeave !== null)).toHaveLength(20);
    expect(nodes.every((n) => n.latestRollMark !== null && n.contacts.totalCount === 1)).toBe(true);
  });

  it('should page every list of a student in as many statements for 60 students as for 2', async () => {
    const { few, many, statements: n } = await constant<{ house: { students: { nodes: StudentLists[] } } }>('student lists', STUDENT_LISTS, { id: small }, { id: large });
    expect(few.house.students.nodes).toHaveLength(2);
    const nodes = many.house.students.nodes;
    expect(nodes).toHaveLength(60);
    expect(n).toBeLessThanOrEqual(14);
    // Each student's own page of each list, with its own count and next page.
    for (const s of nodes) {
      expect(s.contacts).toMatchObject({ totalCount: 1, pageInfo: { hasNextPage: false } });
      expect(s.locationRecords).toMatchObject({ totalCount: 2, pageInfo: { hasNextPage: true }, nodes: [{ student: { id: s.id } }] });
      expect(s.pastoralRecords).toMatchObject({ totalCount: 1, pageInfo: { hasNextPage: false }, nodes: [{ student: { id: s.id } }] });
      for (const l of s.leave.nodes) {
        expect(l.student.id).toBe(s.id);
        expect(l.history).toMatchObject({ totalCount: 2, pageInfo: { hasNextPage: true }, nodes: [{ action: 'CREATED' }] });
      }
    }
    expect(nodes.filter((s) => s.leave.totalCount === 1)).toHaveLength(20);
  });

  it('should page the assignments of many rolls, the children of many locations and the students of many houses in constant statements', async () => {
    const rolls = await constant<{ rolls: { nodes: { assignments: { totalCount: number; nodes: unknown[] } }[] } }>(
      'roll assignments',
      'query($n: Int) { rolls(first: $n) { nodes { assignments(first: 2) { totalCount nodes { student { id } code { type } } } } } }',
      { n: 2 },
      { n: 6 },
    );
    expect(rolls.many.rolls.nodes).toHaveLength(6);
    expect(rolls.many.rolls.nodes.every((r) => r.assignments.totalCount >= 2 && r.assignments.nodes.length === 2)).toBe(true);
    const tree = await constant<{ locations: { nodes: { children: { totalCount: number } }[] } }>(
      'location children',
      'query($n: Int) { locations(first: $n) { nodes { children(first: 2) { totalCount nodes { name } } } } }',
      { n: 1 },
      { n: 3 },
    );
    expect(tree.many.locations.nodes).toHaveLength(3);
    const houses = await constant<{ houses: { nodes: { students: { totalCount: number } }[] } }>(
      'house students',
      'query($n: Int) { houses(first: $n) { nodes { students(first: 2) { totalCount nodes { name } } } } }',
      { n: 1 },
      { n: 2 },
    );
    expect(houses.many.houses.nodes.map((h) => h.students.totalCount).sort((a, b) => a - b)).toEqual([2, 60]);
  });

  it("should page many users' rolls and pastoral records in as many statements as one user's", async () => {
    const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id
      rollsStarted(first: 1) { totalCount nodes { referenceLabel } }
      pastoralRecordsCreated(first: 1) { totalCount pageInfo { hasNextPage } nodes { description } } } } }`;
    const others = Array.from({ length: 20 }, () => ({ __typename: 'User', id: crypto.randomUUID() }));
    const users = await constant<{ _entities: { id: string; rollsStarted: { totalCount: number }; pastoralRecordsCreated: { totalCount: number; pageInfo: { hasNextPage: boolean } } }[] }>(
      'user lists',
      query,
      { r: [{ __typename: 'User', id: adminId }, others[0]] },
      { r: [{ __typename: 'User', id: adminId }, ...others] },
    );
    const [admin, ...rest] = users.many._entities;
    expect(admin).toMatchObject({ id: adminId, rollsStarted: { totalCount: 1 }, pastoralRecordsCreated: { totalCount: studentIds.length, pageInfo: { hasNextPage: true } } });
    expect(rest.every((u) => u.rollsStarted.totalCount === 0 && u.pastoralRecordsCreated.totalCount === 0)).toBe(true);
  });
});
