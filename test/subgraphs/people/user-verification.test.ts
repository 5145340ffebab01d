import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestOrg, startTestGraph, type TestGraph, type TestOrg } from '../../helpers/graph.ts';
import { peopleClient, type PeopleClient } from './people-client.ts';

let graph: TestGraph;
let people: PeopleClient;
let org: TestOrg;
let other: TestOrg;

beforeAll(async () => {
  graph = await startTestGraph();
  people = peopleClient(graph);
  org = await createTestOrg(graph.peopleDb);
  other = await createTestOrg(graph.peopleDb);
});
afterAll(() => graph.stop());

describe("people's /internal/verify-user route (the person a JWT names)", () => {
  it('should answer the stored role of an active person of the organization', async () => {
    const manager = await org.addUser({ role: 'MANAGER' });
    expect(await people.internal('/internal/verify-user', { orgId: org.id, userId: manager.id })).toEqual({ status: 200, body: { valid: true, role: 'MANAGER' } });
  });

  it('should refuse an unknown person and a person of another organization alike', async () => {
    for (const userId of [randomUUID(), other.admin.id]) {
      expect(await people.internal('/internal/verify-user', { orgId: org.id, userId })).toEqual({
        status: 200,
        body: { valid: false, reason: 'the person this JWT names is not a user of its organization' },
      });
    }
  });

  it('should refuse a deactivated person', async () => {
    const leaver = await org.addUser();
    await graph.gql(org.admin.key, 'mutation($id: ID!) { deactivateUser(id: $id) { id } }', { id: leaver.id });
    expect(await people.internal('/internal/verify-user', { orgId: org.id, userId: leaver.id })).toEqual({
      status: 200,
      body: { valid: false, reason: 'the person this JWT names has been deactivated' },
    });
  });

  it.each([[{}], [{ orgId: 'x', userId: randomUUID() }], [{ orgId: randomUUID(), userId: 7 }], [null]])('should answer 400 to the malformed body %j', async (body) => {
    expect((await people.internal('/internal/verify-user', body)).status).toBe(400);
  });

  it('should answer 401 without the gateway signature', async () => {
    expect((await people.internal('/internal/verify-user', { orgId: org.id, userId: org.admin.id }, {})).status).toBe(401);
  });
});
