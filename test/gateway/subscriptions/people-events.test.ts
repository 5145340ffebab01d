import type { Client } from 'graphql-ws';
import { collectResults, connectWs } from '../../helpers/subscription-client.ts';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeEventCursor } from '../../../gateway/subscriptions/subscription-schema.ts';
import { PEOPLE_EVENT_STREAMS } from '../../../schema/events/people.ts';
import { createKey, createTestOrg, startTestGraph, type TestGraph, type TestOrg } from '../../helpers/graph.ts';
import { dataOf } from '../../helpers/assertions.ts';

// userEvents, departmentEvents and organizationEvents, declared in schema/events/people.ts
// and served by the same gateway code as every other stream: read:people to subscribe, and
// an organization's events reach its own subscribers only.

let graph: TestGraph;
let a: TestOrg;
let b: TestOrg;
const clients: Client[] = [];

function connect(key: string): Client {
  return connectWs(graph.gateway.url, key, clients);
}

const collect = collectResults;

beforeAll(async () => {
  graph = await startTestGraph();
  a = await createTestOrg(graph.peopleDb);
  b = await createTestOrg(graph.peopleDb);
});
afterAll(async () => {
  for (const client of clients) await client.dispose();
  await graph.stop();
});

const USERS = 'subscription($after: String) { userEvents(after: $after) { type actor { id } user { id name email role } } }';

/** A cursor after every event committed so far: a subscriber resuming from it misses nothing, however long it takes to register. */
async function now(): Promise<{ after: string }> {
  const { rows } = await sql<{ id: string | null }>`select max(id) as id from events.outbox`.execute(graph.database.handle.root);
  return { after: encodeEventCursor(Number(rows[0]?.id ?? 0)) };
}

describe("people's subscriptions", () => {
  it("should deliver user, department and organization events with their entity resolved, to the organization's own subscribers only", async () => {
    const after = await now();
    const users = collect(connect(a.admin.key), USERS, after);
    const departments = collect(connect(a.admin.key), 'subscription($after: String) { departmentEvents(filter: { types: [CREATED] }, after: $after) { type department { name } } }', after);
    const organization = collect(connect(a.admin.key), 'subscription($after: String) { organizationEvents(after: $after) { type organization { id name } } }', after);
    const outsider = collect(connect(b.admin.key), USERS, after);
    const outsiderDepartments = collect(connect(b.admin.key), 'subscription($after: String) { departmentEvents(after: $after) { type department { id } } }', after);
    const outsiderOrganization = collect(connect(b.admin.key), 'subscription($after: String) { organizationEvents(after: $after) { type organization { id } } }', after);
    const ann = await a.addUser({ firstName: 'Ann', lastName: 'Lee', role: 'MANAGER' });
    expect((await users.next(1)).data?.['userEvents']).toEqual({ type: 'CREATED', actor: null, user: { id: ann.id, name: 'Ann Lee', email: ann.email, role: 'MANAGER' } });
    await a.addDepartment('Logistics', ann.id);
    expect((await departments.next(1)).data?.['departmentEvents']).toEqual({ type: 'CREATED', department: { name: 'Logistics' } });
    dataOf(await graph.gql(a.admin.key, 'mutation { updateUser(id: "' + ann.id + '", input: { lastName: "Lee-Smith" }) { id } }'));
    expect((await users.next(2)).data?.['userEvents']).toMatchObject({ type: 'UPDATED', actor: { id: a.admin.id }, user: { name: 'Ann Lee-Smith' } });
    dataOf(await graph.gql(a.admin.key, 'mutation { updateOrganization(input: { name: "Renamed A" }) { id } }'));
    expect((await organization.next(1)).data?.['organizationEvents']).toEqual({ type: 'UPDATED', organization: { id: a.id, name: 'Renamed A' } });
    // B's subscribers, resuming from before A's events, get B's own and none of A's.
    const bob = await b.addUser({ firstName: 'Bob', lastName: 'Other' });
    expect((await outsider.next(1)).data?.['userEvents']).toMatchObject({ type: 'CREATED', user: { id: bob.id } });
    const theirs = await b.addDepartment('Theirs');
    expect((await outsiderDepartments.next(1)).data?.['departmentEvents']).toEqual({ type: 'CREATED', department: { id: theirs } });
    dataOf(await graph.gql(b.admin.key, 'mutation { updateOrganization(input: { name: "Renamed B" }) { id } }'));
    expect((await outsiderOrganization.next(1)).data?.['organizationEvents']).toEqual({ type: 'UPDATED', organization: { id: b.id } });
    expect([outsider.results.length, outsiderDepartments.results.length, outsiderOrganization.results.length]).toEqual([1, 1, 1]);
  });

  it('should need read:people for every people stream', () => {
    expect(PEOPLE_EVENT_STREAMS.map((s) => [s.field, s.scopes])).toEqual([
      ['userEvents', [['read:people']]],
      ['departmentEvents', [['read:people']]],
      ['organizationEvents', [['read:people']]],
    ]);
  });

  it('should refuse to subscribe to userEvents without read:people', async () => {
    const key = (await createKey(graph.peopleDb, a.id, a.admin.id, ['read:leave'])).secret;
    const refused = collect(connect(key), 'subscription { userEvents { type } }');
    const errors = (await refused.finished) as readonly { extensions?: Record<string, unknown> }[] | null;
    expect(errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    expect(refused.results).toEqual([]);
  });
});
