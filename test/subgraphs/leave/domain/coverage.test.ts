import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findDirectoryUsers } from '../../../../subgraphs/leave/db/repositories/directory.ts';
import type { DirectoryUserRow } from '../../../../subgraphs/leave/db/tables/directory.ts';
import { checkCoverage } from '../../../../subgraphs/leave/domain/coverage.ts';
import { createTestOrg, startTestGraph, type TestGraph, type TestOrg } from '../../../helpers/graph.ts';
import { insertLeave, insertLeaveType } from '../leave-fixtures.ts';

const MONDAY = '2027-03-01';
const THURSDAY = '2027-03-04';
const FRIDAY = '2027-03-05';

let graph: TestGraph;
let org: TestOrg;
let leaveType: string;
let statements: string[] | null = null;

/** Statements on the tables a check reads (other services poll in the background). */
const checkStatements = () => (statements ?? []).filter((sql) => sql.startsWith('select') && /"(coverage_rules|directory_users|leave_requests|leave_request_days)"/.test(sql));

async function directoryUser(id: string): Promise<DirectoryUserRow> {
  const [row] = await findDirectoryUsers(graph.leaveDb, org.id, [id]);
  if (!row) throw new Error(`user ${id} is not in the directory`);
  return row;
}

/** A department of `size` full-time members (the first `partTime` work Monday to Thursday only). */
async function team(size: number, partTime = 0): Promise<{ department: string; members: DirectoryUserRow[] }> {
  const department = await org.addDepartment(`Team ${Math.random().toString(36).slice(2, 8)}`);
  const ids: string[] = [];
  for (let i = 0; i < size; i++) {
    const workingPattern = i < partTime ? ['8', '8', '8', '8', '0', '0', '0'] : ['8', '8', '8', '8', '8', '0', '0'];
    ids.push((await org.addUser({ departmentId: department, workingPattern })).id);
  }
  await graph.leave.catchUpDirectory();
  return { department, members: await Promise.all(ids.map(directoryUser)) };
}

async function rule(department: string, values: { minimum_percent?: string; minimum_count?: number; enforcement?: 'WARN' | 'BLOCK'; name?: string }) {
  const row = await graph.leaveDb
    .insertInto('coverage_rules')
    .values({ org_id: org.id, department_id: department, name: values.name ?? 'Rule', enforcement: values.enforcement ?? 'WARN', ...values })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

const check = (user: DirectoryUserRow, startDate: string, endDate: string, excludeRequestId?: string) =>
  checkCoverage(graph.leaveDb, { orgId: org.id, user, startDate, endDate, excludeRequestId });

beforeAll(async () => {
  graph = await startTestGraph({ onQuery: (sql) => statements?.push(sql) });
  org = await createTestOrg(graph.peopleDb, 'Coverage Domain Org');
  leaveType = await insertLeaveType(graph.leaveDb, org.id, { name: 'Leave' });
});
afterAll(() => graph.stop());

describe('checkCoverage', () => {
  it('should run three SQL statements whatever the range and the number of absences', async () => {
    const { department, members } = await team(6);
    await rule(department, { minimum_percent: '50' });
    for (const member of members.slice(1)) {
      await insertLeave(graph.leaveDb, org.id, { userId: member.id, leaveTypeId: leaveType, startDate: MONDAY, endDate: '2027-05-28', status: 'PENDING' });
    }
    const counts: number[] = [];
    for (const end of [MONDAY, '2027-06-30']) {
      statements = [];
      const result = await check(members[0]!, MONDAY, end);
      counts.push(checkStatements().length);
      statements = null;
      expect(result.hasViolation).toBe(true);
    }
    expect(counts).toEqual([3, 3]);
  });

  it('should count part-time members only on the days they work, and judge only the days the person works', async () => {
    const { department, members } = await team(4, 2);
    await rule(department, { minimum_count: 3, name: 'Three in' });
    // A full-timer is away on Friday, when only the two full-timers work.
    await insertLeave(graph.leaveDb, org.id, { userId: members[3]!.id, leaveTypeId: leaveType, startDate: FRIDAY, endDate: FRIDAY });
    const partTimer = await check(members[0]!, THURSDAY, FRIDAY);
    expect(partTimer.days.map(({ date, workingMembers, absent, present, violatedRules }) => ({ date, workingMembers, absent, present, broken: violatedRules.length }))).toEqual([
      { date: THURSDAY, workingMembers: 4, absent: 1, present: 3, broken: 0 },
      // Short-staffed, but the part-timer does not work on Fridays: their absence breaks nothing.
      { date: FRIDAY, workingMembers: 2, absent: 1, present: 1, broken: 0 },
    ]);
    expect(partTimer.hasViolation).toBe(false);

    const fullTimer = await check(members[2]!, FRIDAY, FRIDAY);
    expect(fullTimer).toMatchObject({ hasViolation: true, blocking: false, message: 'Team coverage would drop below 3 people present' });
    expect(fullTimer.days[0]).toMatchObject({ workingMembers: 2, absent: 2, present: 0, presentPercent: 0 });
  });

  it('should say "1 person" and compare shares exactly to two decimals', async () => {
    const { department, members } = await team(3);
    await rule(department, { minimum_count: 1, name: 'A' });
    const exact = await rule(department, { minimum_percent: '66.66', name: 'B' });
    const above = await rule(department, { minimum_percent: '66.67', name: 'C' });
    const result = await check(members[0]!, MONDAY, MONDAY);
    // 2 of 3 present = 66.666..%: below 66.67, not below 66.66.
    expect(result.days[0]).toMatchObject({ present: 2, presentPercent: 66.67 });
    expect(result.violatedRules.map((r) => r.id)).toEqual([above]);
    expect(result.violatedRules.map((r) => r.id)).not.toContain(exact);
    expect(result.message).toBe('Team coverage would drop below 66.67%');

    await insertLeave(graph.leaveDb, org.id, { userId: members[1]!.id, leaveTypeId: leaveType, startDate: MONDAY, endDate: MONDAY });
    await insertLeave(graph.leaveDb, org.id, { userId: members[2]!.id, leaveTypeId: leaveType, startDate: MONDAY, endDate: MONDAY });
    const alone = await check(members[0]!, MONDAY, MONDAY);
    expect(alone.violatedRules.map((r) => r.name)).toEqual(['A', 'B', 'C']);
    expect(alone.message).toBe('Team coverage would drop below 66.66%');
  });

  it('should name a broken block rule first', async () => {
    const { department, members } = await team(2);
    await rule(department, { minimum_percent: '90', name: 'A warn' });
    const block = await rule(department, { minimum_percent: '75', name: 'B block', enforcement: 'BLOCK' });
    const result = await check(members[0]!, MONDAY, MONDAY);
    expect(result).toMatchObject({ blocking: true, message: 'Team coverage would drop below 75%' });
    expect(result.violatedRules[0]!.id).toBe(block);
  });

  it('should ignore the excluded request, days without an amount, deleted rules and inactive members', async () => {
    const { department, members } = await team(4);
    const deleted = await rule(department, { minimum_count: 4, name: 'Deleted' });
    await graph.leaveDb.updateTable('coverage_rules').set({ deleted_at: new Date() }).where('id', '=', deleted).execute();
    const away = await insertLeave(graph.leaveDb, org.id, { userId: members[1]!.id, leaveTypeId: leaveType, startDate: MONDAY, endDate: MONDAY });
    // A public holiday inside a request deducts nothing: that member is not counted away.
    const holiday = await insertLeave(graph.leaveDb, org.id, { userId: members[2]!.id, leaveTypeId: leaveType, startDate: MONDAY, endDate: MONDAY });
    await graph.leaveDb.updateTable('leave_request_days').set({ amount: '0', hours: '0', excluded_reason: 'PUBLIC_HOLIDAY' }).where('request_id', '=', holiday).execute();
    await graph.leaveDb.updateTable('directory_users').set({ active: false }).where('id', '=', members[3]!.id).execute();

    const result = await check(members[0]!, MONDAY, MONDAY);
    expect(result.days[0]).toMatchObject({ workingMembers: 3, absent: 2, present: 1 });
    expect(result.hasViolation).toBe(false);
    expect((await check(members[0]!, MONDAY, MONDAY, away)).days[0]).toMatchObject({ workingMembers: 3, absent: 1, present: 2 });
  });

  it('should count the person once when they already have leave that day', async () => {
    const { members } = await team(2);
    const own = await insertLeave(graph.leaveDb, org.id, { userId: members[0]!.id, leaveTypeId: leaveType, startDate: MONDAY, endDate: MONDAY, status: 'PENDING' });
    expect((await check(members[0]!, MONDAY, MONDAY)).days[0]).toMatchObject({ workingMembers: 2, absent: 1, present: 1, presentPercent: 50 });
    expect((await check(members[0]!, MONDAY, MONDAY, own)).days[0]).toMatchObject({ absent: 1 });
  });

  it('should find no rules, no violation and no days for a person without a department', async () => {
    const loner = await org.addUser({});
    await graph.leave.catchUpDirectory();
    const user = await directoryUser(loner.id);
    statements = [];
    const result = await check(user, MONDAY, FRIDAY);
    const ran = checkStatements().length;
    statements = null;
    expect(result).toEqual({ hasViolation: false, blocking: false, message: null, violatedRules: [], days: [] });
    expect(ran).toBe(0);
  });
});
