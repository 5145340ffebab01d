import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPeopleServer } from '../../subgraphs/people/server.ts';
import fs from 'node:fs';
import { startLeaveServer } from '../../subgraphs/leave/server.ts';
import { startGatewayServer } from '../../gateway/server.ts';
import { SUPERGRAPH_PATH } from '../../schema/compose.ts';
import type { RunningServer } from '../../subgraphs/shared/subgraph-server.ts';
import { createTestOrg, startTestGraph, type TestGraph, type TestOrg, type TestUser } from '../helpers/graph.ts';

// Subgraphs really stopped (their server factory's stop()) and started again on the same port.
let graph: TestGraph;
let org: TestOrg;
let employee: TestUser;
let leaveTypeId: string;
const UNKNOWN = '00000000-0000-4000-8000-000000000000';
const restarted: RunningServer[] = [];
const restartedLeave: RunningServer[] = [];

async function withPeopleDown<T>(run: () => Promise<T>): Promise<T> {
  const port = Number(new URL(graph.people.url).port);
  const current = restarted.at(-1) ?? graph.people;
  await current.stop();
  try {
    return await run();
  } finally {
    restarted.push(await startPeopleServer({ database: graph.database.handle, identitySecret: graph.identitySecret, port }));
  }
}

const now = (): Date => new Date('2026-03-02T09:00:00Z');

beforeAll(async () => {
  graph = await startTestGraph({ now });
  org = await createTestOrg(graph.peopleDb);
  employee = await org.addUser({ firstName: 'Erin', lastName: 'Employee' });
  await graph.leave.catchUpDirectory();
  const type = await graph.gql<{ createLeaveType: { id: string } }>(
    org.admin.key,
    'mutation { createLeaveType(input: { name: "Annual leave", code: "AL", defaultEntitlement: 25 }) { id } }',
  );
  leaveTypeId = type.body.data!.createLeaveType.id;
  // Both keys verified once: the verdicts are cached, so requests pass authentication while people is down.
  for (const key of [org.admin.key, employee.key]) expect((await graph.gql(key, '{ me { id } }')).body.errors).toBeUndefined();
});
afterAll(async () => {
  for (const server of restarted.slice(0, -1)) await server.stop().catch(() => undefined);
  await restarted.at(-1)?.stop();
  await restartedLeave.at(-1)?.stop();
  await graph.stop();
});

function expectNoInternals(body: unknown): void {
  const text = JSON.stringify(body);
  expect(text).not.toContain('127.0.0.1');
  expect(text).not.toContain('http://');
  expect(text).not.toContain('stacktrace');
  expect(text).not.toContain('INTERNAL_SERVER_ERROR');
}

describe('by-id lookups', () => {
  it('should answer an unknown id with null and NOT_FOUND at its path, keeping the rest of the response', async () => {
    const res = await graph.gql<{ me: { name: string }; leaveRequest: null; leaveType: null; user: null; department: null; team: null; site: null }>(
      org.admin.key,
      `query($id: ID!) { me { name } leaveRequest(id: $id) { id } leaveType(id: $id) { id } user(id: $id) { id } department(id: $id) { id } team(id: $id) { id } site(id: $id) { id } }`,
      { id: UNKNOWN },
    );
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ me: { name: 'Ada Admin' }, leaveRequest: null, leaveType: null, user: null, department: null, team: null, site: null });
    const byPath = new Map(res.body.errors!.map((e) => [e.path!.join('.'), e.extensions!['code']]));
    expect(Object.fromEntries(byPath)).toEqual({
      leaveRequest: 'NOT_FOUND',
      leaveType: 'NOT_FOUND',
      user: 'NOT_FOUND',
      department: 'NOT_FOUND',
      team: 'NOT_FOUND',
      site: 'NOT_FOUND',
    });
  });
});

describe('a subgraph that is down', () => {
  it('should report SUBREQUEST_HTTP_ERROR naming people at the path of the field it owns, and keep leave data', async () => {
    const res = await withPeopleDown(() =>
      graph.gql<{ me: null; leaveTypes: { nodes: { name: string }[] } }>(org.admin.key, '{ me { name } leaveTypes(first: 5) { nodes { name } } }'),
    );
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ me: null, leaveTypes: { nodes: [{ name: 'Annual leave' }] } });
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors![0]).toMatchObject({ path: ['me'], extensions: { code: 'SUBREQUEST_HTTP_ERROR', service: 'people' } });
    expect(res.body.errors![0]!.message).toContain('people');
    expectNoInternals(res.body);
  });

  it('should null only the fields leave owns on a person when leave is down, naming leave and the field', async () => {
    const port = Number(new URL(graph.leave.url).port);
    await graph.leave.stop();
    let res;
    try {
      res = await graph.gql<{ me: { name: string; leaveRequests: null } }>(employee.key, '{ me { name leaveRequests(first: 5) { totalCount } } }');
    } finally {
      restartedLeave.push(
        await startLeaveServer({
          database: graph.database.handle,
          identitySecret: graph.identitySecret,
          port,
          now,
          documents: { directory: graph.documentsDir, maxBytes: 1_000_000, publicUrl: graph.gateway.url, signingSecret: graph.identitySecret },
        }),
      );
    }
    expect(res.body.data).toEqual({ me: { name: 'Erin Employee', leaveRequests: null } });
    expect(res.body.errors).toEqual([expect.objectContaining({ path: ['me', 'leaveRequests'], extensions: expect.objectContaining({ code: 'SUBREQUEST_HTTP_ERROR', service: 'leave' }) })]);
    expectNoInternals(res.body);
  });

  it("should return a committed leave request with a null user and an error naming people, not a failure", async () => {
    const before = await graph.leaveDb.selectFrom('leave_requests').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    const res = await withPeopleDown(() =>
      graph.gql<{ createLeaveRequest: { id: string; status: string; user: null } }>(
        employee.key,
        'mutation($t: ID!) { createLeaveRequest(input: { leaveTypeId: $t, startDate: "2026-05-04", endDate: "2026-05-05" }) { id status user { name } } }',
        { t: leaveTypeId },
      ),
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data?.createLeaveRequest, JSON.stringify(res.body)).toMatchObject({ status: 'PENDING', user: null });
    expect(res.body.errors).toEqual([
      expect.objectContaining({ path: ['createLeaveRequest', 'user', 'name'], extensions: expect.objectContaining({ code: 'SUBREQUEST_HTTP_ERROR', service: 'people' }) }),
    ]);
    const after = await graph.leaveDb.selectFrom('leave_requests').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n) + 1);
    // People is back: the request reads whole again.
    const read = await graph.gql<{ leaveRequest: { user: { name: string } } }>(employee.key, 'query($id: ID!) { leaveRequest(id: $id) { user { name } } }', {
      id: res.body.data!.createLeaveRequest.id,
    });
    expect(read.body.errors).toBeUndefined();
    expect(read.body.data).toEqual({ leaveRequest: { user: { name: 'Erin Employee' } } });
  });
});

describe('a gateway whose IDENTITY_SECRET differs from the subgraphs\'', () => {
  it('should fail /ready with 503 and the reason, and answer requests 503 SERVICE_UNAVAILABLE naming people, not 500', async () => {
    const good = await fetch(`${graph.gateway.url}/ready`);
    expect(good.status).toBe(200);
    const mismatched = await startGatewayServer({
      supergraphSdl: fs.readFileSync(SUPERGRAPH_PATH, 'utf8'),
      subgraphUrls: graph.subgraphUrls(),
      identitySecret: 'another-secret-of-at-least-32-characters!',
    });
    try {
      const ready = await fetch(`${mismatched.url}/ready`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({
        status: 'unavailable',
        ok: false,
        // Every subgraph refuses the signature, each named.
        subgraphs: Object.fromEntries(
          Object.keys(graph.subgraphUrls()).map((name) => [name, `${name} refused the gateway's identity signature: IDENTITY_SECRET differs?`]),
        ),
      });
      const res = await fetch(`${mismatched.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': employee.key },
        body: JSON.stringify({ query: '{ me { name } }' }),
      });
      expect(res.status).toBe(503);
      const body = (await res.json()) as { errors: { message: string; extensions: Record<string, unknown> }[] };
      expect(body.errors).toEqual([
        {
          message: "The gateway cannot serve requests now: people refused the gateway's identity signature: IDENTITY_SECRET differs?",
          extensions: { code: 'SERVICE_UNAVAILABLE', service: 'people' },
        },
      ]);
    } finally {
      await mismatched.stop();
    }
  });
});
