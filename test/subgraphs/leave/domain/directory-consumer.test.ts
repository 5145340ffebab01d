import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userEvent } from '../../../../subgraphs/people/events.ts';
import { findUsers } from '../../../../subgraphs/people/db/repositories/users.ts';
import { applyPeopleEvent } from '../../../../subgraphs/leave/domain/directory-consumer.ts';
import { createTestOrg, startTestGraph, type TestGraph, type TestOrg } from '../../../helpers/graph.ts';

let graph: TestGraph;
let org: TestOrg;
beforeAll(async () => {
  graph = await startTestGraph();
  org = await createTestOrg(graph.peopleDb);
});
afterAll(() => graph.stop());

const directoryUser = (id: string) => graph.leaveDb.selectFrom('directory_users').selectAll().where('id', '=', id).executeTakeFirst();

describe('the leave directory', () => {
  it('should learn organizations, departments and users from people events, and follow their changes', async () => {
    const manager = await org.addUser({ role: 'MANAGER' });
    const departmentId = await org.addDepartment('Warehouse', manager.id);
    const res = await graph.gql<{ createUser: { id: string } }>(
      org.admin.key,
      `mutation($d: ID!, $m: ID!) { createUser(input: { email: "w@example.com", firstName: "W", lastName: "Orker", departmentId: $d, managerId: $m,
        country: "GB", region: "SCT", employmentStartDate: "2024-02-01", workingPattern: { saturday: 8, sunday: 8 }, employmentType: PART_TIME }) { id } }`,
      { d: departmentId, m: manager.id },
    );
    const userId = res.body.data!.createUser.id;
    await graph.leave.catchUpDirectory();
    expect(await graph.leaveDb.selectFrom('directory_organizations').selectAll().where('org_id', '=', org.id).executeTakeFirst()).toMatchObject({
      country: 'GB',
      time_zone: 'Europe/London',
      leave_year_start_month: 1,
    });
    expect(await graph.leaveDb.selectFrom('directory_departments').selectAll().where('id', '=', departmentId).executeTakeFirst()).toMatchObject({
      org_id: org.id,
      manager_id: manager.id,
      active: true,
    });
    expect(await directoryUser(userId)).toMatchObject({
      org_id: org.id,
      department_id: departmentId,
      manager_id: manager.id,
      role: 'EMPLOYEE',
      country: 'GB',
      region: 'SCT',
      employment_type: 'PART_TIME',
      employment_start_date: '2024-02-01',
      working_pattern: ['0.00', '0.00', '0.00', '0.00', '0.00', '8.00', '8.00'],
      active: true,
    });
    await graph.gql(org.admin.key, `mutation($id: ID!) { updateUser(id: $id, input: { departmentId: null, role: MANAGER }) { id } }`, { id: userId });
    await graph.leave.catchUpDirectory();
    expect(await directoryUser(userId)).toMatchObject({ department_id: null, role: 'MANAGER' });
  });

  it('should ignore a replayed older snapshot', async () => {
    const user = await org.addUser();
    await graph.leave.catchUpDirectory();
    const current = (await directoryUser(user.id))!;
    const [row] = await findUsers(graph.peopleDb, org.id, [user.id]);
    const stale = { ...userEvent({ ...row!, role: 'ADMIN' }, 'updated', null), id: current.last_event_id - 1, occurredAt: new Date() };
    await graph.database.handle.root.transaction().execute((trx) => applyPeopleEvent(stale, trx));
    expect((await directoryUser(user.id))?.role).toBe('EMPLOYEE');
  });
});
