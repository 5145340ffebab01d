import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestOrg, startTestGraph, type GraphQLBody, type TestGraph, type TestOrg } from '../helpers/graph.ts';

// Backward paging (`last`/`before`) through the gateway, on connections of every subgraph:
// top-level lists and nested lists that are loaded for many parents in one statement (a
// window per parent). Each is checked against the same list read forward.

let graph: TestGraph;
let org: TestOrg;
let houseId: string;

interface Page {
  nodes: { id: string }[];
  edges: { cursor: string; node: { id: string } }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

function dataOf<T>(res: { body: GraphQLBody<T> }): T {
  expect(res.body.errors, JSON.stringify(res.body.errors)).toBeUndefined();
  return res.body.data as T;
}

/** A connection under test: a query with `$first/$after/$last/$before` and where its page sits in the data. */
interface Subject {
  readonly name: string;
  readonly query: string;
  readonly variables?: Record<string, unknown>;
  readonly pick: (data: Record<string, unknown>) => Page;
}

const PAGE = 'nodes { id } edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }';
const ARGS = 'first: $first, after: $after, last: $last, before: $before';
const VARS = '$first: Int, $after: String, $last: Int, $before: String';

const subjects = (): Subject[] => [
  { name: 'people Query.users', query: `query(${VARS}) { users(${ARGS}) { ${PAGE} } }`, pick: (d) => d.users as Page },
  { name: 'leave Query.leaveTypes', query: `query(${VARS}) { leaveTypes(${ARGS}) { ${PAGE} } }`, pick: (d) => d.leaveTypes as Page },
  {
    name: 'leave User.leaveRequests (batched per user, newest first)',
    query: `query($id: ID!, ${VARS}) { user(id: $id) { leaveRequests(${ARGS}) { ${PAGE} } } }`,
    variables: { id: org.admin.id },
    pick: (d) => (d.user as { leaveRequests: Page }).leaveRequests,
  },
  { name: 'time Query.overtimeTypes', query: `query(${VARS}) { overtimeTypes(${ARGS}) { ${PAGE} } }`, pick: (d) => d.overtimeTypes as Page },
  {
    name: 'time User.overtimeSubmissions (batched per user, newest first)',
    query: `query($id: ID!, ${VARS}) { user(id: $id) { overtimeSubmissions(${ARGS}) { ${PAGE} } } }`,
    variables: { id: org.admin.id },
    pick: (d) => (d.user as { overtimeSubmissions: Page }).overtimeSubmissions,
  },
  { name: 'boarding Query.houses', query: `query(${VARS}) { houses(${ARGS}) { ${PAGE} } }`, pick: (d) => d.houses as Page },
  {
    name: 'boarding House.students (batched per house)',
    query: `query($id: ID, ${VARS}) { house(id: $id) { students(${ARGS}) { ${PAGE} } } }`,
    variables: { id: houseId },
    pick: (d) => (d.house as { students: Page }).students,
  },
  { name: 'webhooks Query.webhookEventTypes (a fixed list)', query: `query(${VARS}) { webhookEventTypes(${ARGS}) { nodes { id: type } edges { cursor node { id: type } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`, pick: (d) => d.webhookEventTypes as Page },
];

async function page(subject: Subject, args: Record<string, unknown>): Promise<Page> {
  return subject.pick(dataOf(await graph.gql<Record<string, unknown>>(org.admin.key, subject.query, { ...subject.variables, ...args })));
}

beforeAll(async () => {
  graph = await startTestGraph({ now: () => new Date('2026-03-02T09:00:00Z') });
  org = await createTestOrg(graph.peopleDb, 'Backward paging');
  for (const lastName of ['Baker', 'Cole', 'Diaz', 'Evans', 'Ford']) await org.addUser({ lastName });
  await graph.leave.catchUpDirectory();
  await graph.time.catchUpDirectory();
  await graph.boarding.catchUpDirectory();
  const m = async (query: string, variables: Record<string, unknown> = {}) => dataOf(await graph.gql<Record<string, { id: string }>>(org.admin.key, query, variables));
  let leaveType = '';
  for (const [i, name] of ['Annual', 'Bereavement', 'Carer', 'Duvet', 'Exam'].entries()) {
    const id = (await m('mutation($n: String!, $c: String!) { createLeaveType(input: { name: $n, code: $c, defaultEntitlement: 25 }) { id } }', { n: name, c: `T${i}` })).createLeaveType!.id;
    if (i === 0) leaveType = id;
  }
  for (const day of ['2026-05-11', '2026-05-12', '2026-05-13', '2026-05-14', '2026-05-15']) {
    await m('mutation($t: ID!, $d: Date!) { createLeaveRequest(input: { leaveTypeId: $t, startDate: $d, endDate: $d }) { id } }', { t: leaveType, d: day });
  }
  let overtimeType = '';
  for (const [i, name] of ['Callout', 'Evening', 'Night', 'Standby', 'Weekend'].entries()) {
    const id = (await m('mutation($n: String!, $c: String!) { createOvertimeType(input: { name: $n, code: $c, compensation: PAID }) { id } }', { n: name, c: `O${i}` })).createOvertimeType!.id;
    if (i === 0) overtimeType = id;
  }
  for (const day of ['2026-02-23', '2026-02-24', '2026-02-25', '2026-02-26', '2026-02-27']) {
    await m('mutation($t: ID!, $d: Date!) { createOvertimeSubmission(input: { overtimeTypeId: $t, date: $d, hoursWorked: 2, description: "Cover" }) { id } }', { t: overtimeType, d: day });
  }
  for (const name of ['Ash', 'Beech', 'Cedar', 'Elm', 'Oak']) {
    const id = (await m('mutation($n: String!) { createHouse(input: { name: $n }) { id } }', { n: name })).createHouse!.id;
    if (name === 'Ash') houseId = id;
  }
  for (const lastName of ['Adams', 'Brown', 'Clark', 'Davis', 'Young']) {
    await m('mutation($h: ID, $l: String!) { createStudent(input: { firstName: "Sam", lastName: $l, house: { id: $h } }) { id } }', { h: houseId, l: lastName });
  }
}, 120_000);

afterAll(async () => {
  await graph?.stop();
});

describe('backward pagination on every subgraph', () => {
  it('should read each list backward from its end, two at a time, in the forward order, with Relay pageInfo', async () => {
    for (const subject of subjects()) {
      const forward = await page(subject, { first: 100 });
      const ids = forward.nodes.map((n) => n.id);
      expect(ids.length, subject.name).toBeGreaterThanOrEqual(5);
      expect(forward.pageInfo, subject.name).toMatchObject({ hasNextPage: false, hasPreviousPage: false });

      const collected: string[] = [];
      let before: string | null = null;
      for (let turn = 0; turn < 100; turn++) {
        const p = await page(subject, { last: 2, before });
        collected.unshift(...p.nodes.map((n) => n.id));
        expect(p.edges.map((e) => e.node.id), subject.name).toEqual(p.nodes.map((n) => n.id));
        expect(p.pageInfo.startCursor, subject.name).toBe(p.edges[0]?.cursor ?? null);
        expect(p.pageInfo.endCursor, subject.name).toBe(p.edges.at(-1)?.cursor ?? null);
        // Relay: paging backward, hasNextPage says a `before` was given; hasPreviousPage that more precede.
        expect(p.pageInfo.hasNextPage, subject.name).toBe(before !== null);
        expect(p.pageInfo.hasPreviousPage, subject.name).toBe(collected.length < ids.length);
        if (!p.pageInfo.hasPreviousPage) break;
        before = p.pageInfo.startCursor;
      }
      expect(collected, subject.name).toEqual(ids);
    }
  });

  it('should give the items just before a cursor, and the same cursors as paging forward', async () => {
    for (const subject of subjects()) {
      const forward = await page(subject, { first: 100 });
      const cursorOf4th = forward.edges[3]!.cursor;
      const p = await page(subject, { last: 2, before: cursorOf4th });
      expect(p.edges, subject.name).toEqual(forward.edges.slice(1, 3));
      expect(p.pageInfo, subject.name).toMatchObject({ hasPreviousPage: true, hasNextPage: true });
      // Round trip: forward from the backward page's endCursor continues at the cursor's item.
      const next = await page(subject, { first: 1, after: p.pageInfo.endCursor });
      expect(next.edges[0], subject.name).toEqual(forward.edges[3]);
    }
  });

  it('should give the whole list when last exceeds it, and a page ending at the list end with last alone', async () => {
    for (const subject of subjects()) {
      const forward = await page(subject, { first: 100 });
      expect((await page(subject, { last: 100 })).nodes, subject.name).toEqual(forward.nodes);
      expect((await page(subject, { last: 1 })).nodes, subject.name).toEqual(forward.nodes.slice(-1));
    }
  });

  it('should refuse first with last, a bad last and a bad before as BAD_USER_INPUT naming the argument', async () => {
    for (const subject of subjects()) {
      const cases: [Record<string, unknown>, string][] = [
        [{ first: 2, last: 2 }, 'last'],
        [{ last: 0 }, 'last'],
        [{ last: 101 }, 'last'],
        [{ last: 2, before: 'not-a-cursor' }, 'before'],
        [{ last: 2, before: Buffer.from(JSON.stringify(['x', 'y', 'z', 'w'])).toString('base64url') }, 'before'],
      ];
      for (const [args, field] of cases) {
        const res = await graph.gql(org.admin.key, subject.query, { ...subject.variables, ...args });
        expect(res.status, `${subject.name} ${JSON.stringify(args)}`).toBeLessThan(500);
        const error = res.body.errors?.[0];
        expect(error?.extensions, `${subject.name} ${JSON.stringify(args)}`).toMatchObject({ code: 'BAD_USER_INPUT', field });
      }
    }
  });
});
