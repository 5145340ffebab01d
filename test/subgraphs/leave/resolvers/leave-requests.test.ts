import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Identity } from '../../../../subgraphs/shared/identity.ts';
import { postSigned } from '../../../helpers/signed-request.ts';
import { createTestOrg, startTestGraph, type GraphQLBody, type TestGraph, type TestOrg, type TestUser } from '../../../helpers/graph.ts';
import {
  NOW,
  addLeaveType,
  addPerson,
  createRequest,
  created,
  dataOf,
  expectError,
  lastEventId,
  leaveEventsAfter,
  transition,
} from '../leave-request-fixtures.ts';

let graph: TestGraph;
let org: TestOrg;
let other: TestOrg;
/** Statements run by any service while `counting` is set. */
let statements: string[] = [];
let counting = false;

const types = {
  annual: '',
  sick: '',
  hours: '',
  hoursFree: '',
  noHalf: '',
  other: '',
  inactive: '',
  tight: '',
  negative: '',
  foreign: '',
};

beforeAll(async () => {
  graph = await startTestGraph({
    now: () => NOW,
    onQuery: (sql) => {
      if (counting) statements.push(sql);
    },
  });
  org = await createTestOrg(graph.peopleDb);
  other = await createTestOrg(graph.peopleDb);
  await graph.leave.catchUpDirectory();
  types.annual = await addLeaveType(graph, org.id, { name: 'Annual leave', code: 'AL', deducts_from_allowance: true, default_entitlement: '100' });
  types.sick = await addLeaveType(graph, org.id, { name: 'Sickness', code: 'SICK', category: 'SICK_LEAVE', requires_approval: false });
  types.hours = await addLeaveType(graph, org.id, { name: 'Hourly leave', code: 'HRS', unit: 'HOURS', deducts_from_allowance: true, default_entitlement: '1000' });
  types.hoursFree = await addLeaveType(graph, org.id, { name: 'Hours off', code: 'HOF', unit: 'HOURS' });
  types.noHalf = await addLeaveType(graph, org.id, { name: 'Whole days', code: 'WD', half_days_allowed: false });
  types.other = await addLeaveType(graph, org.id, { name: 'Other paid', code: 'OTH', category: 'OTHER' });
  types.inactive = await addLeaveType(graph, org.id, { name: 'Old', code: 'OLD', deactivated_at: new Date() });
  types.tight = await addLeaveType(graph, org.id, { name: 'Tight', code: 'TGT', deducts_from_allowance: true, default_entitlement: '2' });
  types.negative = await addLeaveType(graph, org.id, {
    name: 'Borrowable',
    code: 'BRW',
    deducts_from_allowance: true,
    allow_negative_balance: true,
    default_entitlement: '0',
  });
  types.foreign = await addLeaveType(graph, other.id, { name: 'Foreign', code: 'FOR' });
});
afterAll(() => graph.stop());

const annual = (startDate: string, endDate: string, extra: Record<string, unknown> = {}) => ({ leaveTypeId: types.annual, startDate, endDate, ...extra });

describe('createLeaveRequest', () => {
  it('should create a pending request for the caller with its days, amount and history', async () => {
    const employee = await addPerson(graph, org);
    const request = await created(graph, employee.key, annual('2026-06-22', '2026-06-28', { comment: '  Holiday  ' }));
    expect(request).toMatchObject({
      status: 'PENDING',
      unit: 'DAYS',
      amount: 5,
      hours: 40,
      reason: 'PAID_TIME_OFF',
      comment: 'Holiday',
      firstDayPortion: 'FULL_DAY',
      lastDayPortion: 'FULL_DAY',
      user: { id: employee.id },
      createdBy: { id: employee.id },
      decidedBy: null,
      decidedAt: null,
    });
    expect(request.days.map((d) => [d.date, d.amount, d.excludedReason])).toEqual([
      ['2026-06-22', 1, null],
      ['2026-06-23', 1, null],
      ['2026-06-24', 1, null],
      ['2026-06-25', 1, null],
      ['2026-06-26', 1, null],
      ['2026-06-27', 0, 'NON_WORKING_DAY'],
      ['2026-06-28', 0, 'NON_WORKING_DAY'],
    ]);
    expect(request.history).toEqual([
      { action: 'CREATED', fromStatus: null, toStatus: 'PENDING', actor: { id: employee.id }, note: null, occurredAt: expect.any(String) },
    ]);
    const stored = await graph.leaveDb.selectFrom('leave_requests').select(['amount', 'hours', 'allowance_id']).where('id', '=', request.id).executeTakeFirstOrThrow();
    expect(Number(stored.amount)).toBe(5);
    expect(stored.allowance_id).not.toBeNull();
  });

  it('should refuse an end before the start', async () => {
    const employee = await addPerson(graph, org);
    expectError(await createRequest(graph, employee.key, annual('2026-06-23', '2026-06-22')), 'BAD_USER_INPUT', { field: 'input.endDate' });
  });

  it('should refuse a range of more than 365 days', async () => {
    const employee = await addPerson(graph, org);
    const error = expectError(await createRequest(graph, employee.key, annual('2026-06-16', '2027-06-17')), 'BAD_USER_INPUT', { field: 'input.endDate', rule: 'RANGE_TOO_LONG' });
    expect(error.message).toContain('365 days');
  });

  it('should refuse a past start for an employee and allow it for an admin', async () => {
    const employee = await addPerson(graph, org);
    const error = expectError(await createRequest(graph, employee.key, annual('2026-06-12', '2026-06-12')), 'BAD_USER_INPUT', { field: 'input.startDate', rule: 'TOO_EARLY' });
    expect(error.message).toContain('2026-06-15');
    // Today (in London) is still allowed.
    expect((await created(graph, employee.key, annual('2026-06-15', '2026-06-15'))).status).toBe('PENDING');
    const forEmployee = await created(graph, org.admin.key, annual('2026-06-11', '2026-06-12', { userId: employee.id }));
    expect(forEmployee).toMatchObject({ user: { id: employee.id }, createdBy: { id: org.admin.id }, amount: 2 });
    const adminOwn = await created(graph, org.admin.key, annual('2026-06-01', '2026-06-01'));
    expect(adminOwn.user.id).toBe(org.admin.id);
  });

  it('should refuse an unknown, foreign, malformed or deactivated leave type', async () => {
    const employee = await addPerson(graph, org);
    for (const leaveTypeId of [randomUUID(), types.foreign, 'not-an-id', types.inactive]) {
      expectError(await createRequest(graph, employee.key, { leaveTypeId, startDate: '2026-07-01', endDate: '2026-07-01' }), 'BAD_USER_INPUT', {
        field: 'input.leaveTypeId',
      });
    }
  });

  it("should refuse a reason outside the type's category and require one where the category has several", async () => {
    const employee = await addPerson(graph, org);
    expectError(await createRequest(graph, employee.key, annual('2026-07-01', '2026-07-01', { reason: 'UNPAID_TIME_OFF' })), 'BAD_USER_INPUT', {
      field: 'input.reason',
    });
    expectError(await createRequest(graph, employee.key, { leaveTypeId: types.sick, startDate: '2026-07-01', endDate: '2026-07-01' }), 'BAD_USER_INPUT', {
      field: 'input.reason',
    });
    const sick = await created(graph, employee.key, { leaveTypeId: types.sick, startDate: '2026-07-01', endDate: '2026-07-01', reason: 'UNPAID_TIME_OFF' });
    expect(sick.reason).toBe('UNPAID_TIME_OFF');
  });

  it('should require a comment where the type and reason need one, and cap comments at 2000 characters', async () => {
    const employee = await addPerson(graph, org);
    const input = { leaveTypeId: types.other, startDate: '2026-07-01', endDate: '2026-07-01', reason: 'OTHER_PAID_LEAVE' };
    expectError(await createRequest(graph, employee.key, input), 'BAD_USER_INPUT', { field: 'input.comment' });
    expectError(await createRequest(graph, employee.key, { ...input, comment: '   ' }), 'BAD_USER_INPUT', { field: 'input.comment' });
    expectError(await createRequest(graph, employee.key, { ...input, comment: 'x'.repeat(2001) }), 'BAD_USER_INPUT', { field: 'input.comment' });
    expect((await created(graph, employee.key, { ...input, comment: 'Moving house' })).comment).toBe('Moving house');
    // Another reason of the same category needs none.
    expect((await created(graph, employee.key, { ...input, startDate: '2026-07-02', endDate: '2026-07-02', reason: 'BEREAVEMENT' })).comment).toBeNull();
  });

  it('should refuse half days where the type forbids them', async () => {
    const employee = await addPerson(graph, org);
    const input = { leaveTypeId: types.noHalf, startDate: '2026-07-01', endDate: '2026-07-03' };
    expectError(await createRequest(graph, employee.key, { ...input, firstDayPortion: 'AFTERNOON' }), 'BAD_USER_INPUT', { field: 'input.firstDayPortion' });
    expectError(await createRequest(graph, employee.key, { ...input, lastDayPortion: 'MORNING' }), 'BAD_USER_INPUT', { field: 'input.lastDayPortion' });
    expect((await created(graph, employee.key, input)).amount).toBe(3);
  });

  it('should refuse a half day for a person in Brazil and allow it for a person in Great Britain', async () => {
    const brazilian = await addPerson(graph, org, { country: 'BR' });
    const british = await addPerson(graph, org, { country: 'GB' });
    const input = annual('2026-07-01', '2026-07-01', { firstDayPortion: 'MORNING' });
    const error = expectError(await createRequest(graph, brazilian.key, input), 'BAD_USER_INPUT', { field: 'input.firstDayPortion', rule: 'INCOMPATIBLE' });
    expect(error.message).toContain('BR');
    expect(await created(graph, british.key, input)).toMatchObject({ amount: 0.5, hours: 4, firstDayPortion: 'MORNING', lastDayPortion: 'MORNING' });
  });

  it('should refuse half days of sick leave in Spain and of vacation in Sweden only', async () => {
    const spaniard = await addPerson(graph, org, { country: 'ES' });
    const swede = await addPerson(graph, org, { country: 'SE' });
    const sick = { leaveTypeId: types.sick, reason: 'PAID_TIME_OFF', firstDayPortion: 'MORNING', startDate: '2026-07-01', endDate: '2026-07-01' };
    const vacation = annual('2026-07-02', '2026-07-02', { firstDayPortion: 'AFTERNOON' });
    expectError(await createRequest(graph, spaniard.key, sick), 'BAD_USER_INPUT', { field: 'input.firstDayPortion' });
    expect((await created(graph, spaniard.key, vacation)).amount).toBe(0.5);
    expectError(await createRequest(graph, swede.key, vacation), 'BAD_USER_INPUT', { field: 'input.firstDayPortion' });
    expect((await created(graph, swede.key, sick)).amount).toBe(0.5);
  });

  it('should refuse portions for leave in hours and hours for leave in days', async () => {
    const employee = await addPerson(graph, org);
    const hours = { leaveTypeId: types.hours, startDate: '2026-07-01', endDate: '2026-07-02' };
    expectError(await createRequest(graph, employee.key, { ...hours, firstDayPortion: 'MORNING' }), 'BAD_USER_INPUT', { field: 'input.firstDayPortion' });
    expectError(await createRequest(graph, employee.key, { ...hours, lastDayPortion: 'MORNING' }), 'BAD_USER_INPUT', { field: 'input.lastDayPortion' });
    expectError(await createRequest(graph, employee.key, annual('2026-07-01', '2026-07-02', { firstDayHours: 4 })), 'BAD_USER_INPUT', { field: 'input.firstDayHours' });
    expectError(await createRequest(graph, employee.key, annual('2026-07-01', '2026-07-02', { lastDayHours: 4 })), 'BAD_USER_INPUT', { field: 'input.lastDayHours' });
  });

  it('should refuse a range without a working day', async () => {
    const employee = await addPerson(graph, org);
    const error = expectError(await createRequest(graph, employee.key, annual('2026-06-20', '2026-06-21')), 'BAD_USER_INPUT', { field: 'input.endDate', rule: 'NO_WORKING_DAY' });
    expect(error.message).toContain('contains no working day');
    // Christmas Day alone is a bank holiday.
    expectError(await createRequest(graph, employee.key, annual('2026-12-25', '2026-12-25')), 'BAD_USER_INPUT', { field: 'input.endDate' });
  });

  it('should refuse a request spanning two leave years', async () => {
    const employee = await addPerson(graph, org);
    const error = expectError(await createRequest(graph, employee.key, annual('2026-12-30', '2027-01-05')), 'BAD_USER_INPUT', { field: 'input.endDate', rule: 'OUT_OF_RANGE' });
    expect(error.message).toContain('make two requests');
  });

  it('should refuse vacation in the first year of employment in Brazil, and allow sick leave', async () => {
    const newcomer = await addPerson(graph, org, { country: 'BR', employmentStartDate: '2026-01-05' });
    const error = expectError(await createRequest(graph, newcomer.key, annual('2026-07-01', '2026-07-03')), 'CONFLICT', { rule: 'FIRST_YEAR_OF_EMPLOYMENT' });
    expect(error.extensions?.['eligibleFrom']).toBe('2027-01-05');
    expect((await created(graph, newcomer.key, { leaveTypeId: types.sick, reason: 'PAID_TIME_OFF', startDate: '2026-07-01', endDate: '2026-07-01' })).status).toBe('APPROVED');
    const veteran = await addPerson(graph, org, { country: 'BR', employmentStartDate: '2020-01-06' });
    expect((await created(graph, veteran.key, annual('2026-07-01', '2026-07-03'))).amount).toBe(3);
  });

  it('should refuse an overlap with a pending or approved request of the same person and name it', async () => {
    const employee = await addPerson(graph, org);
    const colleague = await addPerson(graph, org);
    const first = await created(graph, employee.key, annual('2026-07-06', '2026-07-08', { lastDayPortion: 'MORNING' }));
    const error = expectError(await createRequest(graph, employee.key, annual('2026-07-07', '2026-07-07')), 'CONFLICT', { rule: 'OVERLAPPING_REQUEST' });
    expect(error.extensions?.['conflictingRequestId']).toBe(first.id);
    // The afternoon of the last day is free, and other people are not concerned.
    expect((await created(graph, employee.key, annual('2026-07-08', '2026-07-08', { firstDayPortion: 'AFTERNOON' }))).amount).toBe(0.5);
    expect((await created(graph, colleague.key, annual('2026-07-07', '2026-07-07'))).amount).toBe(1);
    // An approved request blocks too; a cancelled one does not.
    dataOf(await transition(graph, org.admin.key, 'approveLeaveRequest', first.id));
    expectError(await createRequest(graph, employee.key, annual('2026-07-06', '2026-07-06')), 'CONFLICT', { rule: 'OVERLAPPING_REQUEST' });
    dataOf(await transition(graph, employee.key, 'cancelLeaveRequest', first.id));
    expect((await created(graph, employee.key, annual('2026-07-06', '2026-07-06'))).status).toBe('PENDING');
  });

  it("should refuse restricted days of the organization and of the person's department", async () => {
    const department = await org.addDepartment('Warehouse');
    const stocker = await addPerson(graph, org, { departmentId: department });
    const outsider = await addPerson(graph, org);
    await graph.leaveDb
      .insertInto('restricted_days')
      .values([
        { org_id: org.id, department_id: null, date: '2026-09-01', name: 'Board visit' },
        { org_id: org.id, department_id: department, date: '2026-09-08', name: 'Stocktake' },
        { org_id: org.id, department_id: null, date: '2026-09-12', name: 'Saturday event' },
      ])
      .execute();
    const orgWide = expectError(await createRequest(graph, outsider.key, annual('2026-08-31', '2026-09-02')), 'CONFLICT', { rule: 'RESTRICTED_DAY' });
    expect(orgWide.extensions?.['dates']).toEqual(['2026-09-01']);
    expect(orgWide.message).toContain('Board visit');
    const own = expectError(await createRequest(graph, stocker.key, annual('2026-09-07', '2026-09-09')), 'CONFLICT', { rule: 'RESTRICTED_DAY' });
    expect(own.extensions?.['dates']).toEqual(['2026-09-08']);
    // Another department's restricted day does not apply, nor one on a day the person does not work.
    expect((await created(graph, outsider.key, annual('2026-09-07', '2026-09-13'))).amount).toBe(5);
  });

  it('should refuse a request that breaks a blocking coverage rule and allow one that only warns', async () => {
    const department = await org.addDepartment('Support');
    const a = await addPerson(graph, org, { departmentId: department });
    await addPerson(graph, org, { departmentId: department });
    const rule = await graph.leaveDb
      .insertInto('coverage_rules')
      .values({ org_id: org.id, department_id: department, name: 'Desk staffed', minimum_count: 2, minimum_percent: null, enforcement: 'BLOCK' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const error = expectError(await createRequest(graph, a.key, annual('2026-09-14', '2026-09-15')), 'CONFLICT', { rule: 'COVERAGE' });
    expect(error.message).toContain('Team coverage would drop below 2 people present');
    expect(error.extensions?.['violatedRuleIds']).toEqual([rule.id]);
    await graph.leaveDb.updateTable('coverage_rules').set({ enforcement: 'WARN' }).where('id', '=', rule.id).execute();
    expect((await created(graph, a.key, annual('2026-09-14', '2026-09-15'))).amount).toBe(2);
  });

  it('should refuse more than the remaining allowance and leave no request, allowance or event behind', async () => {
    const employee = await addPerson(graph, org);
    const before = await lastEventId(graph);
    const error = expectError(await createRequest(graph, employee.key, { leaveTypeId: types.tight, startDate: '2026-07-06', endDate: '2026-07-08' }), 'CONFLICT', {
      rule: 'INSUFFICIENT_ALLOWANCE',
    });
    expect(error.extensions).toMatchObject({ remaining: 2, requested: 3 });
    const rows = await graph.leaveDb.selectFrom('leave_requests').select('id').where('user_id', '=', employee.id).execute();
    const allowances = await graph.leaveDb.selectFrom('allowances').select('id').where('user_id', '=', employee.id).execute();
    expect(rows).toEqual([]);
    expect(allowances).toEqual([]);
    expect(await leaveEventsAfter(graph, before)).toEqual([]);
    // Exactly the remaining amount is fine.
    expect((await created(graph, employee.key, { leaveTypeId: types.tight, startDate: '2026-07-06', endDate: '2026-07-07' })).amount).toBe(2);
    expectError(await createRequest(graph, employee.key, { leaveTypeId: types.tight, startDate: '2026-07-09', endDate: '2026-07-09', firstDayPortion: 'MORNING' }), 'CONFLICT', {
      rule: 'INSUFFICIENT_ALLOWANCE',
    });
  });

  it('should let a type allowing a negative balance go below zero, except vacation in Brazil', async () => {
    const british = await addPerson(graph, org);
    const brazilian = await addPerson(graph, org, { country: 'BR' });
    const input = { leaveTypeId: types.negative, startDate: '2026-07-06', endDate: '2026-07-07' };
    expect((await created(graph, british.key, input)).amount).toBe(2);
    expectError(await createRequest(graph, brazilian.key, input), 'CONFLICT', { rule: 'INSUFFICIENT_ALLOWANCE' });
  });

  it('should let only admins request leave for someone else', async () => {
    const employee = await addPerson(graph, org);
    const colleague = await addPerson(graph, org);
    expectError(await createRequest(graph, employee.key, annual('2026-07-01', '2026-07-01', { userId: colleague.id })), 'FORBIDDEN');
    expectError(await createRequest(graph, org.admin.key, annual('2026-07-01', '2026-07-01', { userId: randomUUID() })), 'BAD_USER_INPUT', { field: 'input.userId' });
    const onBehalf = await created(graph, org.admin.key, annual('2026-07-01', '2026-07-01', { userId: colleague.id }));
    expect(onBehalf).toMatchObject({ user: { id: colleague.id }, createdBy: { id: org.admin.id } });
  });

  it('should refuse a request for a deactivated person', async () => {
    const leaver = await addPerson(graph, org);
    dataOf(await graph.gql(org.admin.key, 'mutation($id: ID!) { deactivateUser(id: $id) { id } }', { id: leaver.id }));
    await graph.leave.catchUpDirectory();
    expectError(await createRequest(graph, org.admin.key, annual('2026-07-01', '2026-07-01', { userId: leaver.id })), 'BAD_USER_INPUT', { field: 'input.userId' });
  });
});

describe('amounts', () => {
  it('should not deduct bank holidays of Great Britain', async () => {
    const employee = await addPerson(graph, org, { country: 'GB' });
    const request = await created(graph, employee.key, annual('2026-12-24', '2026-12-29'));
    expect(request.amount).toBe(2);
    expect(request.days.map((d) => [d.date, d.amount, d.excludedReason, d.holidayName])).toEqual([
      ['2026-12-24', 1, null, null],
      ['2026-12-25', 0, 'PUBLIC_HOLIDAY', 'Christmas Day'],
      ['2026-12-26', 0, 'NON_WORKING_DAY', 'Boxing Day'],
      ['2026-12-27', 0, 'NON_WORKING_DAY', null],
      ['2026-12-28', 0, 'PUBLIC_HOLIDAY', 'Boxing Day (substitute day)'],
      ['2026-12-29', 1, null, null],
    ]);
  });

  it("should not deduct St Andrew's Day in Scotland, and deduct it in England", async () => {
    const scot = await addPerson(graph, org, { country: 'GB', region: 'SCT' });
    const english = await addPerson(graph, org, { country: 'GB', region: 'ENG' });
    const scottish = await created(graph, scot.key, annual('2026-11-30', '2026-12-01'));
    expect(scottish.amount).toBe(1);
    expect(scottish.days[0]).toMatchObject({ excludedReason: 'PUBLIC_HOLIDAY', holidayName: 'St Andrew’s Day' });
    expect((await created(graph, english.key, annual('2026-11-30', '2026-12-01'))).amount).toBe(2);
  });

  it("should not deduct the organization's closure days", async () => {
    const employee = await addPerson(graph, org);
    await graph.leaveDb.insertInto('closure_days').values({ org_id: org.id, date: '2026-08-07', name: 'Summer shutdown' }).execute();
    const request = await created(graph, employee.key, annual('2026-08-03', '2026-08-07'));
    expect(request.amount).toBe(4);
    expect(request.days[4]).toMatchObject({ date: '2026-08-07', amount: 0, excludedReason: 'CLOSURE_DAY', holidayName: 'Summer shutdown' });
  });

  it('should skip the non-working days of a part-time pattern', async () => {
    const partTime = await addPerson(graph, org, { employmentType: 'PART_TIME', workingPattern: ['7.5', '0', '7.5', '0', '7.5', '0', '0'] });
    const request = await created(graph, partTime.key, annual('2026-06-22', '2026-06-26'));
    expect(request).toMatchObject({ amount: 3, hours: 22.5 });
    expect(request.days.map((d) => d.excludedReason)).toEqual([null, 'NON_WORKING_DAY', null, 'NON_WORKING_DAY', null]);
  });

  it('should count half a day for an afternoon start and a morning end', async () => {
    const employee = await addPerson(graph, org);
    const request = await created(graph, employee.key, annual('2026-06-22', '2026-06-24', { firstDayPortion: 'AFTERNOON', lastDayPortion: 'MORNING' }));
    expect(request).toMatchObject({ amount: 2, hours: 16 });
    expect(request.days.map((d) => [d.portion, d.amount, d.hours])).toEqual([
      ['AFTERNOON', 0.5, 4],
      ['FULL_DAY', 1, 8],
      ['MORNING', 0.5, 4],
    ]);
  });

  it('should count leave in hours from the pattern and the given first and last day hours', async () => {
    const employee = await addPerson(graph, org, { workingPattern: ['7.5', '7.5', '7.5', '7.5', '7.5', '0', '0'] });
    const input = { leaveTypeId: types.hours, startDate: '2026-06-22', endDate: '2026-06-24' };
    expectError(await createRequest(graph, employee.key, { ...input, firstDayHours: 8 }), 'BAD_USER_INPUT', { field: 'input.firstDayHours' });
    expectError(await createRequest(graph, employee.key, { ...input, firstDayHours: 0 }), 'BAD_USER_INPUT', { field: 'input.firstDayHours' });
    const request = await created(graph, employee.key, { ...input, firstDayHours: 3, lastDayHours: 2.25 });
    expect(request).toMatchObject({ unit: 'HOURS', amount: 12.75, hours: 12.75, firstDayHours: 3, lastDayHours: 2.25 });
    expect(request.days.map((d) => d.amount)).toEqual([3, 7.5, 2.25]);
    expect((await created(graph, employee.key, { leaveTypeId: types.hours, startDate: '2026-06-29', endDate: '2026-06-29' })).amount).toBe(7.5);
  });

  it('should take the given hours of a person without a working pattern, a day or two at a time', async () => {
    const irregular = await addPerson(graph, org, { employmentType: 'IRREGULAR_HOURS', workingPattern: ['0', '0', '0', '0', '0', '0', '0'] });
    const hours = { leaveTypeId: types.hoursFree };
    expectError(await createRequest(graph, irregular.key, { ...hours, startDate: '2026-06-27', endDate: '2026-06-27' }), 'BAD_USER_INPUT', {
      field: 'input.firstDayHours',
    });
    expectError(await createRequest(graph, irregular.key, { ...hours, startDate: '2026-06-22', endDate: '2026-06-24', firstDayHours: 4, lastDayHours: 4 }), 'BAD_USER_INPUT', {
      field: 'input.endDate',
    });
    expectError(await createRequest(graph, irregular.key, annual('2026-06-22', '2026-06-22')), 'BAD_USER_INPUT', { field: 'input.leaveTypeId' });
    // Any day may be a working day of theirs, a Saturday too.
    expect(await created(graph, irregular.key, { ...hours, startDate: '2026-06-27', endDate: '2026-06-28', firstDayHours: 6, lastDayHours: 2.5 })).toMatchObject({
      amount: 8.5,
      hours: 8.5,
    });
  });
});

describe('leaveRequest and leaveRequests', () => {
  const LIST = `query($filter: LeaveRequestFilter, $first: Int, $after: String) {
    leaveRequests(filter: $filter, first: $first, after: $after) {
      totalCount pageInfo { hasNextPage hasPreviousPage endCursor } edges { cursor node { id startDate status user { id } } }
    }
  }`;
  type ListData = {
    leaveRequests: {
      totalCount: number;
      pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string | null };
      edges: { cursor: string; node: { id: string; startDate: string; status: string; user: { id: string } } }[];
    };
  };
  const list = (key: string, variables: Record<string, unknown> = {}) => graph.gql<ListData>(key, LIST, variables);
  const ids = async (key: string, variables: Record<string, unknown> = {}) => dataOf(await list(key, variables)).leaveRequests.edges.map((e) => e.node.id);
  const ONE = 'query($id: ID!) { leaveRequest(id: $id) { id user { id } } }';

  let manager: TestUser;
  let deptManager: TestUser;
  let report: TestUser;
  let deptMember: TestUser;
  let stranger: TestUser;
  let department: string;
  const requests: Record<string, string> = {};

  beforeAll(async () => {
    manager = await addPerson(graph, org, { role: 'MANAGER' });
    deptManager = await addPerson(graph, org, { role: 'MANAGER' });
    department = await org.addDepartment('Visibility', deptManager.id);
    report = await addPerson(graph, org, { managerId: manager.id });
    deptMember = await addPerson(graph, org, { departmentId: department });
    stranger = await addPerson(graph, org);
    requests['report1'] = (await created(graph, report.key, annual('2026-10-05', '2026-10-06'))).id;
    requests['report2'] = (await created(graph, report.key, annual('2026-10-12', '2026-10-12'))).id;
    requests['report3'] = (await created(graph, report.key, { leaveTypeId: types.sick, reason: 'PAID_TIME_OFF', startDate: '2026-10-19', endDate: '2026-10-19' })).id;
    requests['member'] = (await created(graph, deptMember.key, annual('2026-10-12', '2026-10-13'))).id;
    requests['manager'] = (await created(graph, manager.key, annual('2026-10-20', '2026-10-20'))).id;
    dataOf(await transition(graph, manager.key, 'approveLeaveRequest', requests['report1']!));
  });

  it('should show a request to the requester, their managers and admins, and to nobody else', async () => {
    const id = requests['report1']!;
    for (const key of [report.key, manager.key, org.admin.key]) expect(dataOf(await graph.gql(key, ONE, { id }))).toEqual({ leaveRequest: { id, user: { id: report.id } } });
    expect(dataOf(await graph.gql(deptManager.key, ONE, { id: requests['member'] })).leaveRequest).toMatchObject({ id: requests['member'] });
    expectError(await graph.gql(stranger.key, ONE, { id }), 'NOT_FOUND');
    expectError(await graph.gql(deptManager.key, ONE, { id }), 'NOT_FOUND');
    expectError(await graph.gql(other.admin.key, ONE, { id }), 'NOT_FOUND');
    expectError(await graph.gql(org.admin.key, ONE, { id: randomUUID() }), 'NOT_FOUND');
    expectError(await graph.gql(org.admin.key, ONE, { id: 'nope' }), 'NOT_FOUND');
  });

  it("should list an employee's own requests, a manager's and their reports', and everyone's for admins", async () => {
    expect(await ids(report.key)).toEqual([requests['report3'], requests['report2'], requests['report1']]);
    expect(await ids(stranger.key)).toEqual([]);
    expect(await ids(manager.key)).toEqual([requests['manager'], requests['report3'], requests['report2'], requests['report1']]);
    expect(await ids(deptManager.key)).toEqual([requests['member']]);
    expect(await ids(other.admin.key)).toEqual([]);
    const all = dataOf(await list(org.admin.key, { filter: { startDateFrom: '2026-10-01', startDateTo: '2026-10-31' }, first: 100 })).leaveRequests;
    expect(all.totalCount).toBe(5);
    // A filter on someone the caller may not see finds nothing.
    expect(await ids(stranger.key, { filter: { userId: report.id } })).toEqual([]);
  });

  it('should filter by status, person, type, department and dates', async () => {
    const admin = org.admin.key;
    const october = { startDateFrom: '2026-10-01', startDateTo: '2026-10-31' };
    expect(await ids(admin, { filter: { ...october, statuses: ['APPROVED'] } })).toEqual([requests['report3'], requests['report1']]);
    expect(await ids(admin, { filter: { userId: report.id, leaveTypeId: types.annual } })).toEqual([requests['report2'], requests['report1']]);
    expect(await ids(admin, { filter: { departmentId: department } })).toEqual([requests['member']]);
    expect(await ids(admin, { filter: { userId: report.id, startDateFrom: '2026-10-12', startDateTo: '2026-10-12' } })).toEqual([requests['report2']]);
    expect(await ids(admin, { filter: { userId: report.id, endDateFrom: '2026-10-06' } })).toEqual([requests['report3'], requests['report2'], requests['report1']]);
    expect(await ids(admin, { filter: { userId: report.id, endDateFrom: '2026-10-07' } })).toEqual([requests['report3'], requests['report2']]);
    expectError(await list(admin, { filter: { userId: 'nope' } }), 'BAD_USER_INPUT', { field: 'filter.userId' });
    expectError(await list(admin, { filter: { departmentId: 'nope' } }), 'BAD_USER_INPUT', { field: 'filter.departmentId' });
  });

  it('should page by start date and id, newest first, with a total count', async () => {
    const filter = { startDateFrom: '2026-10-01', startDateTo: '2026-10-31' };
    const first = dataOf(await list(org.admin.key, { filter, first: 2 })).leaveRequests;
    expect(first.totalCount).toBe(5);
    expect(first.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    expect(first.edges.map((e) => e.node.startDate)).toEqual(['2026-10-20', '2026-10-19']);
    const second = dataOf(await list(org.admin.key, { filter, first: 2, after: first.pageInfo.endCursor })).leaveRequests;
    expect(second.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    // Two requests start on 12 October: the higher id comes first.
    const twelfth = [requests['report2']!, requests['member']!].sort().reverse();
    expect(second.edges.map((e) => e.node.id)).toEqual(twelfth);
    const third = dataOf(await list(org.admin.key, { filter, first: 2, after: second.pageInfo.endCursor })).leaveRequests;
    expect(third.edges.map((e) => e.node.id)).toEqual([requests['report1']]);
    expect(third.pageInfo.hasNextPage).toBe(false);
    expectError(await list(org.admin.key, { after: 'garbage' }), 'BAD_USER_INPUT', { field: 'after' });
    expectError(await list(org.admin.key, { first: 101 }), 'BAD_USER_INPUT', { field: 'first' });
  });

  it('should load days, history and types of a page in one statement each', async () => {
    const query = `{ leaveRequests(first: 50) { nodes { id days { date } history { action } leaveType { code } } } }`;
    statements = [];
    counting = true;
    const res = await graph.gql<{ leaveRequests: { nodes: { id: string; days: unknown[]; history: unknown[]; leaveType: { code: string } }[] } }>(org.admin.key, query);
    counting = false;
    const nodes = dataOf(res).leaveRequests.nodes;
    expect(nodes.length).toBeGreaterThan(10);
    expect(nodes.every((n) => n.days.length > 0 && n.history.length > 0 && n.leaveType.code)).toBe(true);
    expect(statements.filter((s) => /from "leave"\."leave_request_days"/.test(s))).toHaveLength(1);
    expect(statements.filter((s) => /from "leave"\."leave_request_history"/.test(s))).toHaveLength(1);
    expect(statements.filter((s) => /from "leave"\."leave_types"/.test(s))).toHaveLength(1);
  });

  it('should resolve references in one batch with the same visibility', async () => {
    const identity = (user: TestUser, role: Identity['role']): Identity => ({ orgId: org.id, userId: user.id, role, scopes: ['admin'], keyId: null, authMethod: 'api-key' });
    const query = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on LeaveRequest { id status } } }';
    const representations = [requests['report1'], requests['member'], randomUUID(), 'nope'].map((id) => ({ __typename: 'LeaveRequest', id }));
    const post = async (who: Identity) => {
      const response = await postSigned(graph.leave.url, 'leave', who, graph.identitySecret, { query, variables: { r: representations } });
      const body = (await response.json()) as GraphQLBody<{ _entities: ({ id: string; status: string } | null)[] }>;
      return dataOf({ body })._entities.map((e) => e?.id ?? null);
    };
    expect(await post(identity(manager, 'MANAGER'))).toEqual([requests['report1'], null, null, null]);
    expect(await post(identity(org.admin, 'ADMIN'))).toEqual([requests['report1'], requests['member'], null, null]);
  });
});
