import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoOrganization } from '../../../../subgraphs/people/db/seed/demo-organization.ts';
import { seedDemoToilLeave } from '../../../../subgraphs/leave/db/seed/demo-leave.ts';
import { seedDemoTime } from '../../../../subgraphs/time/db/seed/demo-time.ts';
import { startTestGraph, type TestGraph } from '../../../helpers/graph.ts';

let graph: TestGraph;
const now = () => new Date('2026-11-23T09:00:00Z');
beforeAll(async () => {
  graph = await startTestGraph({ now });
});
afterAll(() => graph.stop());

describe('demo time and TOIL leave', () => {
  it('should seed overtime in every state, TOIL lots expiring within the month, hours worked, and TOIL taken as leave, once', async () => {
    const demo = await seedDemoOrganization(graph.peopleDb, { today: now() });
    await graph.time.catchUpDirectory();
    await graph.leave.catchUpDirectory();
    const time = await seedDemoTime(graph.timeDb, graph.time.services, demo.orgId, demo.adminUserId);
    expect(time.created).toBe(true);
    for (const status of ['PENDING', 'APPROVED', 'REJECTED', 'CANCELLED']) expect(time.submissions[status] ?? 0).toBeGreaterThan(0);
    expect(time.hoursWorkedDays).toBeGreaterThan(0);
    const lots = await graph.timeDb.selectFrom('toil_lots').selectAll().where('org_id', '=', demo.orgId).where('revoked_at', 'is', null).execute();
    expect(lots.length).toBeGreaterThan(0);
    expect(lots.some((l) => l.expires_on !== null && l.expires_on >= '2026-11-23' && l.expires_on <= '2026-12-23')).toBe(true);

    await graph.leave.catchUpToil();
    const toil = await seedDemoToilLeave(graph.leaveDb, graph.leave.services, demo.orgId, demo.adminUserId);
    expect(toil.created).toBe(true);
    for (const status of ['PENDING', 'APPROVED', 'REJECTED', 'CANCELLED']) expect(toil.requests[status] ?? 0).toBeGreaterThan(0);
    const type = await graph.leaveDb.selectFrom('leave_types').selectAll().where('org_id', '=', demo.orgId).where('draws_on_toil', '=', true).executeTakeFirstOrThrow();
    expect(type.unit).toBe('HOURS');

    // Time uses the approved requests' hours from the lots (and gives the cancelled one's back).
    await graph.time.catchUpToilUses();
    await graph.leave.catchUpToil();
    const approved = await graph.leaveDb.selectFrom('leave_requests').selectAll().where('leave_type_id', '=', type.id).where('status', '=', 'APPROVED').execute();
    expect(approved.length).toBeGreaterThan(0);
    expect(approved.every((r) => r.toil_applied)).toBe(true);
    const used = await graph.timeDb.selectFrom('toil_lots').select(['used']).where('org_id', '=', demo.orgId).execute();
    const usedHours = used.reduce((sum, l) => sum + Number(l.used), 0);
    expect(usedHours).toBe(approved.reduce((sum, r) => sum + Number(r.amount), 0));

    expect((await seedDemoTime(graph.timeDb, graph.time.services, demo.orgId, demo.adminUserId)).created).toBe(false);
    expect((await seedDemoToilLeave(graph.leaveDb, graph.leave.services, demo.orgId, demo.adminUserId)).created).toBe(false);
  }, 120_000); // seeds months of overtime through the services: tens of seconds on a loaded machine
});
