import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEvents } from '../../../subgraphs/shared/outbox.ts';
import { createTestOrg, startTestGraph, type TestGraph, type TestOrg } from '../../helpers/graph.ts';

let graph: TestGraph;
let org: TestOrg;
beforeAll(async () => {
  graph = await startTestGraph();
  org = await createTestOrg(graph.peopleDb);
});
afterAll(() => graph.stop());

async function eventsSince(id: number) {
  return readEvents(graph.database.handle.root, id, 1000);
}
async function lastEventId(): Promise<number> {
  return (await eventsSince(0)).at(-1)?.id ?? 0;
}

describe('people events', () => {
  it('should publish a full snapshot with each committed user, department and organization write', async () => {
    const start = await lastEventId();
    const dep = await graph.gql<{ createDepartment: { id: string } }>(org.admin.key, 'mutation { createDepartment(input: { name: "Support" }) { id } }');
    const departmentId = dep.body.data!.createDepartment.id;
    const created = await graph.gql<{ createUser: { id: string } }>(
      org.admin.key,
      `mutation($d: ID!) { createUser(input: { email: "eve@example.com", firstName: "Eve", lastName: "Stone", departmentId: $d, country: "IE",
        workingPattern: { monday: 7.5, tuesday: 7.5, wednesday: 7.5 }, employmentType: PART_TIME }) { id } }`,
      { d: departmentId },
    );
    const userId = created.body.data!.createUser.id;
    await graph.gql(org.admin.key, `mutation($id: ID!) { updateUser(id: $id, input: { region: "D" }) { id } }`, { id: userId });
    await graph.gql(org.admin.key, `mutation($id: ID!) { deactivateUser(id: $id) { id } }`, { id: userId });
    await graph.gql(org.admin.key, `mutation { updateOrganization(input: { leaveYearStartMonth: 4 }) { id } }`);
    const events = await eventsSince(start);
    expect(events.map((e) => e.type)).toEqual(['department.created', 'user.created', 'user.updated', 'user.deactivated', 'organization.updated']);
    expect(events[1]).toMatchObject({
      orgId: org.id,
      entityType: 'User',
      entityId: userId,
      actorId: org.admin.id,
      payload: {
        departmentId,
        country: 'IE',
        employmentType: 'PART_TIME',
        workingPattern: ['7.50', '7.50', '7.50', '0.00', '0.00', '0.00', '0.00'],
        active: true,
      },
    });
    expect(events[2]?.payload).toMatchObject({ region: 'D' });
    expect(events[3]?.payload).toMatchObject({ active: false });
    expect(events[4]?.payload).toMatchObject({ leaveYearStartMonth: 4 });
  });

  it('should publish nothing for a refused write', async () => {
    const start = await lastEventId();
    const res = await graph.gql(org.admin.key, 'mutation { createUser(input: { email: "bad", firstName: "A", lastName: "B" }) { id } }');
    expect(res.body.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    const dup = await graph.gql(org.admin.key, `mutation { createUser(input: { email: "${org.admin.email}", firstName: "A", lastName: "B" }) { id } }`);
    expect(dup.body.errors?.[0]?.extensions?.['field']).toBe('input.email');
    expect(await eventsSince(start)).toEqual([]);
  });
});
