import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoOrganization } from '../../../../../subgraphs/people/db/seed/demo-organization.ts';
import { seedDemoLeave } from '../../../../../subgraphs/leave/db/seed/demo-leave.ts';
import { readEvents } from '../../../../../subgraphs/shared/outbox.ts';
import { startTestGraph, type TestGraph } from '../../../../helpers/graph.ts';

let graph: TestGraph;
const now = () => new Date('2026-11-23T09:00:00Z');
beforeAll(async () => {
  graph = await startTestGraph({ now });
});
afterAll(() => graph.stop());

describe('seedDemoLeave', () => {
  it('should give the demo organization leave types, rules and a year of requests in every state, once', async () => {
    const demo = await seedDemoOrganization(graph.peopleDb, { today: now() });
    await graph.leave.catchUpDirectory();
    const services = graph.leave.services;
    const first = await seedDemoLeave(graph.leaveDb, services, demo.orgId, demo.adminUserId);
    expect(first.created).toBe(true);
    for (const status of ['PENDING', 'APPROVED', 'REJECTED', 'CANCELLED']) expect(first.requests[status] ?? 0).toBeGreaterThan(0);
    const total = Object.values(first.requests).reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(100);
    const rows = await graph.leaveDb.selectFrom('leave_requests').select(['start_date', 'status']).where('org_id', '=', demo.orgId).execute();
    expect(rows).toHaveLength(total);
    const starts = rows.map((r) => r.start_date).sort();
    expect(starts[0]! < '2026-03-01' && starts.at(-1)! > '2026-11-23').toBe(true);
    // Made through the service: every request published its events.
    const events = await readEvents(graph.database.handle.root, 0, 100_000, ['leave_request.created']);
    expect(events.filter((e) => e.orgId === demo.orgId)).toHaveLength(total);
    expect(await graph.leaveDb.selectFrom('coverage_rules').select('id').where('org_id', '=', demo.orgId).execute()).toHaveLength(4);
    const again = await seedDemoLeave(graph.leaveDb, services, demo.orgId, demo.adminUserId);
    expect(again.created).toBe(false);
    expect(await graph.leaveDb.selectFrom('leave_requests').select('id').where('org_id', '=', demo.orgId).execute()).toHaveLength(total);
  }, 120_000); // seeds a year of requests through the services: tens of seconds on a loaded machine
});
