import type { Client } from 'graphql-ws';
import { collectResults, connectWs } from '../../helpers/subscription-client.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestOrg, startTestGraph, type TestGraph, type TestOrg, type TestUser } from '../../helpers/graph.ts';
import { dataOf } from '../../helpers/assertions.ts';

// overtimeEvents and toilEvents, declared in the event catalogue (schema/events/time.ts)
// and served by the same gateway code as the leave streams.

let graph: TestGraph;
let org: TestOrg;
let other: TestOrg;
let manager: TestUser;
let employee: TestUser;
let colleague: TestUser;
let weekend: string;
const clients: Client[] = [];

function connect(key: string): Client {
  return connectWs(graph.gateway.url, key, clients);
}

const collect = collectResults;

beforeAll(async () => {
  graph = await startTestGraph({ now: () => new Date('2026-06-15T09:00:00Z') });
  org = await createTestOrg(graph.peopleDb);
  other = await createTestOrg(graph.peopleDb);
  manager = await org.addUser({ role: 'MANAGER', firstName: 'Maya', lastName: 'Manager' });
  employee = await org.addUser({ firstName: 'Ann', lastName: 'Engineer', managerId: manager.id });
  colleague = await org.addUser({ firstName: 'Ben', lastName: 'Builder' });
  await graph.time.catchUpDirectory();
  const type = await graph.gql<{ createOvertimeType: { id: string } }>(org.admin.key, 'mutation { createOvertimeType(input: { name: "Weekend", code: "WKND", compensation: TOIL, toilMultiplier: 1.5 }) { id } }');
  weekend = dataOf(type).createOvertimeType.id;
});
afterAll(async () => {
  for (const client of clients) await client.dispose();
  await graph.stop();
});

const OVERTIME = `subscription($types: [OvertimeEventType!]) { overtimeEvents(filter: { types: $types }) {
  cursor type actor { name } overtimeSubmission { status hoursWorked toilHoursAccrued user { name } } } }`;
const TOIL = `subscription { toilEvents { cause toilBalance { available nextExpiry { date hours } } } }`;

describe('time subscriptions', () => {
  it('should deliver overtime and TOIL events with their entity resolved, to those who may see them only', async () => {
    const admin = collect(connect(org.admin.key), OVERTIME, { types: ['APPROVED'] });
    const adminToil = collect(connect(org.admin.key), TOIL);
    const own = collect(connect(employee.key), TOIL);
    const outsider = collect(connect(other.admin.key), OVERTIME, {});
    const nosy = collect(connect(colleague.key), OVERTIME, {});
    await new Promise((r) => setTimeout(r, 300));
    const created = await graph.gql<{ createOvertimeSubmission: { id: string } }>(employee.key, 'mutation($t: ID!) { createOvertimeSubmission(input: { overtimeTypeId: $t, date: "2026-06-13", hoursWorked: 4 }) { id } }', { t: weekend });
    const id = dataOf(created).createOvertimeSubmission.id;
    dataOf(await graph.gql(manager.key, 'mutation($id: ID!) { approveOvertimeSubmission(id: $id) { status } }', { id }));
    const event = await admin.next(1);
    expect(event.data?.['overtimeEvents']).toMatchObject({ type: 'APPROVED', actor: { name: 'Maya Manager' }, overtimeSubmission: { status: 'APPROVED', hoursWorked: 4, toilHoursAccrued: 6, user: { name: 'Ann Engineer' } } });
    expect((await adminToil.next(1)).data?.['toilEvents']).toEqual({ cause: 'ACCRUED', toilBalance: { available: 6, nextExpiry: { date: '2026-09-13', hours: 6 } } });
    expect((await own.next(1)).data?.['toilEvents']).toMatchObject({ cause: 'ACCRUED', toilBalance: { available: 6 } });
    // A later event reaches the admin; by then the others would have had theirs.
    dataOf(await graph.gql(org.admin.key, 'mutation($u: ID!) { adjustToil(input: { userId: $u, hours: 1, reason: "Extra", date: "2026-06-14" }) { available } }', { u: colleague.id }));
    expect((await adminToil.next(2)).data?.['toilEvents']).toMatchObject({ cause: 'ACCRUED', toilBalance: { available: 1 } });
    expect(outsider.results).toEqual([]);
    // The colleague may not read Ann's submission: none of her events reach them.
    expect(nosy.results).toEqual([]);
    expect(own.results).toHaveLength(1);
  });

  it('should replay by cursor', async () => {
    const first = collect(connect(org.admin.key), OVERTIME, {});
    await new Promise((r) => setTimeout(r, 300));
    const created = await graph.gql<{ createOvertimeSubmission: { id: string } }>(employee.key, 'mutation($t: ID!) { createOvertimeSubmission(input: { overtimeTypeId: $t, date: "2026-06-06", hoursWorked: 2 }) { id } }', { t: weekend });
    const id = dataOf(created).createOvertimeSubmission.id;
    const one = await first.next(1);
    const cursor = (one.data?.['overtimeEvents'] as { cursor: string }).cursor;
    dataOf(await graph.gql(org.admin.key, 'mutation($id: ID!) { rejectOvertimeSubmission(id: $id, input: { note: "No" }) { status } }', { id }));
    const resumed = collect(connect(org.admin.key), `subscription($after: String) { overtimeEvents(after: $after) { type overtimeSubmission { status } } }`, { after: cursor });
    expect((await resumed.next(1)).data?.['overtimeEvents']).toEqual({ type: 'REJECTED', overtimeSubmission: { status: 'REJECTED' } });
  });
});
