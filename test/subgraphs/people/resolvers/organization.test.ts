import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastEventId, readEvents } from '../../../../subgraphs/shared/outbox.ts';
import { createKey, createTestOrg, startTestGraph, type TestGraph, type TestOrg } from '../../../helpers/graph.ts';
import { dataOf, expectError } from '../../../helpers/assertions.ts';

let graph: TestGraph;
let org: TestOrg;
let other: TestOrg;
beforeAll(async () => {
  graph = await startTestGraph();
  org = await createTestOrg(graph.peopleDb);
  other = await createTestOrg(graph.peopleDb);
});
afterAll(() => graph.stop());

const UPDATE = 'mutation($h: Float) { updateOrganization(input: { fullTimeWeeklyHours: $h }) { id fullTimeWeeklyHours } }';

async function fullTimeWeek(key: string): Promise<number> {
  return dataOf(await graph.gql<{ organization: { fullTimeWeeklyHours: number } }>(key, '{ organization { fullTimeWeeklyHours } }')).organization.fullTimeWeeklyHours;
}

describe("the organization's full-time week", () => {
  it('should be 40 hours until an admin sets it', async () => {
    expect(await fullTimeWeek(org.admin.key)).toBe(40);
  });

  it('should be set by an admin, published in the organization snapshot and learnt by the leave directory', async () => {
    const start = await lastEventId(graph.database.handle.root);
    const res = await graph.gql<{ updateOrganization: { fullTimeWeeklyHours: number } }>(org.admin.key, UPDATE, { h: 37.5 });
    expect(dataOf(res).updateOrganization.fullTimeWeeklyHours).toBe(37.5);
    expect(await fullTimeWeek(org.admin.key)).toBe(37.5);
    const events = await readEvents(graph.database.handle.root, start, 100);
    expect(events).toMatchObject([{ type: 'organization.updated', orgId: org.id, actorId: org.admin.id, payload: { id: org.id, fullTimeWeeklyHours: '37.50' } }]);
    await graph.leave.catchUpDirectory();
    expect(await graph.leaveDb.selectFrom('directory_organizations').select('full_time_weekly_hours').where('org_id', '=', org.id).executeTakeFirst()).toEqual({
      full_time_weekly_hours: '37.50',
    });
    // Other settings' updates carry it too, unchanged.
    dataOf(await graph.gql(org.admin.key, 'mutation { updateOrganization(input: { name: "Renamed" }) { id } }'));
    expect((await readEvents(graph.database.handle.root, start, 100)).at(-1)?.payload).toMatchObject({ name: 'Renamed', fullTimeWeeklyHours: '37.50' });
  });

  it('should accept the bounds: a whole week and a hundredth of an hour', async () => {
    expect(dataOf(await graph.gql<{ updateOrganization: { fullTimeWeeklyHours: number } }>(org.admin.key, UPDATE, { h: 168 })).updateOrganization.fullTimeWeeklyHours).toBe(168);
    expect(dataOf(await graph.gql<{ updateOrganization: { fullTimeWeeklyHours: number } }>(org.admin.key, UPDATE, { h: 0.01 })).updateOrganization.fullTimeWeeklyHours).toBe(0.01);
    dataOf(await graph.gql(org.admin.key, UPDATE, { h: 37.5 }));
  });

  it.each([
    [0, 'must be more than 0 hours'],
    [-7.5, 'must be more than 0 hours'],
    [168.01, 'must be at most 168 hours (a whole week)'],
    [1e9, 'must be at most 168 hours (a whole week)'],
    [37.555, 'must have at most 2 decimal places'],
    [1e-9, 'must have at most 2 decimal places'],
    [0.001, 'must have at most 2 decimal places'],
    [null, 'must not be null'],
  ])('should refuse %s naming the field and the rule, changing and publishing nothing', async (hours, rule) => {
    const start = await lastEventId(graph.database.handle.root);
    const res = await graph.gql(org.admin.key, UPDATE, { h: hours });
    expect(res.status).toBe(200);
    const error = expectError(res, 'BAD_USER_INPUT', 'input.fullTimeWeeklyHours');
    expect(error.message).toContain(rule);
    expect(await fullTimeWeek(org.admin.key)).toBe(37.5);
    expect(await readEvents(graph.database.handle.root, start, 100)).toEqual([]);
  });

  it('should let only admins with write:people change it', async () => {
    const employee = await org.addUser();
    expectError(await graph.gql(employee.key, UPDATE, { h: 35 }), 'FORBIDDEN');
    const readOnly = await createKey(graph.peopleDb, org.id, org.admin.id, ['read:people']);
    expectError(await graph.gql(readOnly.secret, UPDATE, { h: 35 }), 'FORBIDDEN');
    expect(await fullTimeWeek(org.admin.key)).toBe(37.5);
  });

  it("should never change another organization's week", async () => {
    expect(await fullTimeWeek(other.admin.key)).toBe(40);
  });
});
