import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLeaveContext } from '../../../../subgraphs/leave/context.ts';
import type { LeaveDb } from '../../../../subgraphs/leave/db/database.ts';
import type { LeaveRequestStatus } from '../../../../subgraphs/leave/db/tables/leave-requests.ts';
import {
  allowanceBalances,
  ensureAllowance,
  lockAllowance,
  proRatedEntitlement,
  type EntitlementPerson,
} from '../../../../subgraphs/leave/domain/allowance-balance.ts';
import { formatUnits, toUnits } from '../../../../subgraphs/leave/domain/decimal.ts';
import { allowanceResolvers } from '../../../../subgraphs/leave/resolvers/allowances.ts';
import { createTestOrg, startTestGraph, type TestGraph, type TestOrg, type TestUser } from '../../../helpers/graph.ts';
import { dataOf, expectError } from '../../../helpers/assertions.ts';

const NOW = new Date('2026-03-15T12:00:00Z');

let graph: TestGraph;
let org: TestOrg;
let other: TestOrg;
let admin: string;
let manager: TestUser;
let employee: TestUser;
let colleague: TestUser;
let departmentManager: TestUser;
let departmentMember: TestUser;
let otherUser: TestUser;
/** Leave types of `org` (and one of `other`). */
const types = { annual: '', hours: '', notDeducting: '', noDefault: '', other: '' };

const ALLOWANCE_FIELDS = `id user { id } leaveType { id name } year startDate endDate unit baseEntitlement entitlement carriedOver
  adjustments accrued used pending remaining`;

interface AllowanceResult {
  id: string;
  user: { id: string };
  leaveType: { id: string; name: string };
  year: number;
  startDate: string;
  endDate: string;
  unit: string;
  baseEntitlement: number;
  entitlement: number;
  carriedOver: number;
  adjustments: number;
  accrued: number;
  used: number;
  pending: number;
  remaining: number;
}

function queryAllowance(key: string, userId: string, leaveTypeId: string, year?: number | null) {
  return graph.gql<{ allowance: AllowanceResult }>(
    key,
    `query($u: ID!, $t: ID!, $y: Int) { allowance(userId: $u, leaveTypeId: $t, year: $y) { ${ALLOWANCE_FIELDS} } }`,
    { u: userId, t: leaveTypeId, y: year },
  );
}

async function allowanceOf(userId: string, leaveTypeId: string, year: number | null = 2026, key = admin): Promise<AllowanceResult> {
  return dataOf(await queryAllowance(key, userId, leaveTypeId, year)).allowance;
}

function setAllowance(key: string, input: Record<string, unknown>) {
  return graph.gql<{ setAllowance: AllowanceResult }>(key, `mutation($input: SetAllowanceInput!) { setAllowance(input: $input) { ${ALLOWANCE_FIELDS} } }`, {
    input,
  });
}

function adjustAllowance(key: string, input: Record<string, unknown>) {
  return graph.gql<{ adjustAllowance: AllowanceResult & { ledger: { nodes: LedgerEntry[] } } }>(
    key,
    `mutation($input: AdjustAllowanceInput!) { adjustAllowance(input: $input) {
      ${ALLOWANCE_FIELDS} ledger(first: 100) { nodes { id kind amount reason effectiveDate createdBy { id } createdAt } } } }`,
    { input },
  );
}

interface LedgerEntry {
  id: string;
  kind: string;
  amount: number;
  reason: string;
  effectiveDate: string;
  createdBy: { id: string } | null;
  createdAt: string;
}

async function createType(key: string, input: Record<string, unknown>): Promise<string> {
  const res = await graph.gql<{ createLeaveType: { id: string } }>(key, 'mutation($input: CreateLeaveTypeInput!) { createLeaveType(input: $input) { id } }', {
    input,
  });
  return dataOf(res).createLeaveType.id;
}

let typeCounter = 0;
/** A fresh type of `org`, so a test's allowances start clean. */
function freshType(input: Record<string, unknown> = {}): Promise<string> {
  typeCounter++;
  return createType(admin, { name: `Allowance type ${typeCounter}`, code: `AT${typeCounter}`, defaultEntitlement: 25, ...input });
}

async function addUser(values: Parameters<TestOrg['addUser']>[0] = {}): Promise<TestUser> {
  const user = await org.addUser(values);
  await graph.leave.catchUpDirectory();
  return user;
}

async function insertRequest(allowanceId: string, userId: string, leaveTypeId: string, status: LeaveRequestStatus, amount: string): Promise<void> {
  await graph.leaveDb
    .insertInto('leave_requests')
    .values({
      org_id: org.id,
      user_id: userId,
      leave_type_id: leaveTypeId,
      department_id: null,
      allowance_id: allowanceId,
      status,
      start_date: '2026-04-01',
      end_date: '2026-04-01',
      first_day_portion: 'FULL_DAY',
      last_day_portion: 'FULL_DAY',
      first_day_hours: null,
      last_day_hours: null,
      unit: 'DAYS',
      amount,
      hours: '8',
      reason: null,
      comment: null,
      decided_by: null,
      decided_at: null,
      decision_note: null,
      created_by: userId,
    })
    .execute();
}

/**
 * The leave database, calling `onStatement` once per executed statement: Kysely calls a
 * plugin's `transformResult` once per query run (`transformQuery` also runs for subqueries).
 */
function countingDb(onStatement: () => void): LeaveDb {
  return graph.leaveDb.withPlugin({
    transformQuery: (args) => args.node,
    transformResult: async (args) => {
      onStatement();
      return args.result;
    },
  }) as LeaveDb;
}

async function eventsOf(allowanceId: string): Promise<{ type: string; actor_id: string | null; payload: Record<string, unknown> }[]> {
  const { rows } = await sql<{ type: string; actor_id: string | null; payload: Record<string, unknown> }>`
    select type, actor_id, payload from events.outbox where entity_id = ${allowanceId} order by id`.execute(graph.database.handle.root);
  return rows;
}

beforeAll(async () => {
  graph = await startTestGraph({ now: () => NOW });
  org = await createTestOrg(graph.peopleDb);
  other = await createTestOrg(graph.peopleDb);
  admin = org.admin.key;
  manager = await org.addUser({ role: 'MANAGER' });
  employee = await org.addUser({ managerId: manager.id });
  colleague = await org.addUser();
  departmentManager = await org.addUser({ role: 'MANAGER' });
  const department = await org.addDepartment('Support', departmentManager.id);
  departmentMember = await org.addUser({ departmentId: department });
  otherUser = await other.addUser();
  await graph.leave.catchUpDirectory();
  types.annual = await createType(admin, { name: 'Annual leave', code: 'AL', defaultEntitlement: 25 });
  types.hours = await createType(admin, { name: 'Hourly leave', code: 'HL', unit: 'HOURS', defaultEntitlement: 200 });
  types.notDeducting = await createType(admin, { name: 'Sick', code: 'SICK', category: 'SICK_LEAVE', deductsFromAllowance: false });
  types.noDefault = await createType(admin, { name: 'Study', code: 'ST' });
  types.other = await createType(other.admin.key, { name: 'Annual leave', code: 'AL', defaultEntitlement: 25 });
});
afterAll(() => graph.stop());

describe('decimal amounts', () => {
  it('should read numeric strings and numbers exactly as ten-thousandths', () => {
    expect(toUnits('25.00')).toBe(250_000);
    expect(toUnits('-0.2500')).toBe(-2_500);
    expect(toUnits('0.1207')).toBe(1_207);
    expect(toUnits('.5')).toBe(5_000);
    expect(toUnits('3')).toBe(30_000);
    expect(toUnits(7.5)).toBe(75_000);
    expect(toUnits(0.1 + 0.2)).toBe(3_000);
    expect(toUnits('1.00005')).toBe(10_001);
    expect(() => toUnits('')).toThrow(/not a decimal/);
    expect(() => toUnits('1,5')).toThrow(/not a decimal/);
  });

  it('should write ten-thousandths with 2 or 4 places', () => {
    expect(formatUnits(250_000, 2)).toBe('25.00');
    expect(formatUnits(1_207, 4)).toBe('0.1207');
    expect(formatUnits(-2_500, 4)).toBe('-0.2500');
    expect(formatUnits(1_250, 2)).toBe('0.13');
    expect(formatUnits(-1_250, 2)).toBe('-0.13');
    expect(formatUnits(0, 2)).toBe('0.00');
  });
});

describe('pro-rated entitlement', () => {
  const FULL_TIME = ['8', '8', '8', '8', '8', '0', '0'];
  const person = (values: Partial<EntitlementPerson> = {}): EntitlementPerson => ({
    employment_type: 'FULL_TIME',
    working_pattern: FULL_TIME,
    employment_start_date: '2020-01-06',
    ...values,
  });
  const year2026 = { startDate: '2026-01-01', endDate: '2026-12-31' };

  it.each([
    ['a full-time worker', '25', 'DAYS', person(), '25.00'],
    ['a 3-day pattern', '25', 'DAYS', person({ working_pattern: ['8', '8', '8', '0', '0', '0', '0'] }), '15.00'],
    ['a 3-day pattern, rounded up to the half day', '24', 'DAYS', person({ working_pattern: ['0', '8', '8', '8', '0', '0', '0'] }), '14.50'],
    ['a 4-day pattern, rounded up to the whole day', '22', 'DAYS', person({ working_pattern: ['8', '8', '8', '8', '0', '0', '0'] }), '18.00'],
    ['a 6-day pattern, capped at full time', '25', 'DAYS', person({ working_pattern: ['8', '8', '8', '8', '8', '8', '0'] }), '25.00'],
    ['short days on 5 days (days count, not hours)', '25', 'DAYS', person({ working_pattern: ['4', '4', '4', '4', '4', '0', '0'] }), '25.00'],
    ['a start on 1 July (184 of 365 days)', '25', 'DAYS', person({ employment_start_date: '2026-07-01' }), '13.00'],
    ['a start on the first day of the year', '25', 'DAYS', person({ employment_start_date: '2026-01-01' }), '25.00'],
    ['a start after the year', '25', 'DAYS', person({ employment_start_date: '2027-01-01' }), '0.00'],
    ['no known start date', '25', 'DAYS', person({ employment_start_date: null }), '25.00'],
    ['an irregular-hours worker', '25', 'DAYS', person({ employment_type: 'IRREGULAR_HOURS', working_pattern: ['0', '0', '0', '0', '0', '0', '0'] }), '0.00'],
    ['no base at all', null, 'DAYS', person(), '0.00'],
    ['hours: 36 of 40 weekly hours', '200', 'HOURS', person({ working_pattern: ['8', '8', '8', '8', '4', '0', '0'] }), '180.00'],
    ['hours: 48 weekly hours, capped', '200', 'HOURS', person({ working_pattern: ['8', '8', '8', '8', '8', '8', '0'] }), '200.00'],
    ['hours: rounded to 2 decimals', '100', 'HOURS', person({ working_pattern: ['7.5', '7.5', '7.5', '0', '0', '0', '0'] }), '56.25'],
    ['hours: 14 weekly hours and a start on 1 July (35 × 184/365 = 17.644)', '100', 'HOURS', person({ working_pattern: ['7', '7', '0', '0', '0', '0', '0'], employment_start_date: '2026-07-01' }), '17.64'],
    ['decimals in the base', '25.5', 'DAYS', person({ working_pattern: ['8', '8', '0', '0', '0', '0', '0'] }), '10.50'],
  ] as const)('should give %s', (_, base, unit, who, expected) => {
    expect(proRatedEntitlement(base, unit, who, year2026, '40.00')).toBe(expected);
  });

  it.each([
    ['5 × 7.5 h against a 37.5 h week: the whole entitlement', '200', ['7.5', '7.5', '7.5', '7.5', '7.5', '0', '0'], '37.50', '200.00'],
    ['5 × 7.5 h against the default 40 h week', '200', ['7.5', '7.5', '7.5', '7.5', '7.5', '0', '0'], '40.00', '187.50'],
    ['40 h against a 37.5 h week, capped', '200', ['8', '8', '8', '8', '8', '0', '0'], '37.50', '200.00'],
    ['3 × 7.5 h against a 37.5 h week', '200', ['7.5', '7.5', '7.5', '0', '0', '0', '0'], '37.50', '120.00'],
    ['20 h against a 35.25 h week (rounded half up)', '100', ['4', '4', '4', '4', '4', '0', '0'], '35.25', '56.74'],
  ] as const)('should pro-rate hours against the full-time week: %s', (_, base, pattern, fullTime, expected) => {
    expect(proRatedEntitlement(base, 'HOURS', person({ working_pattern: [...pattern] }), year2026, fullTime)).toBe(expected);
  });

  it('should leave days allowances alone whatever the full-time week', () => {
    expect(proRatedEntitlement('25', 'DAYS', person({ working_pattern: ['7.5', '7.5', '7.5', '0', '0', '0', '0'] }), year2026, '37.50')).toBe('15.00');
  });

  it('should count the days of a leap leave year', () => {
    // 2028 is a leap year: 1 July to 31 December is 184 of 366 days; 20 × 184/366 = 10.05 -> 10.5.
    expect(
      proRatedEntitlement('20', 'DAYS', person({ employment_start_date: '2028-07-01' }), { startDate: '2028-01-01', endDate: '2028-12-31' }, '40.00'),
    ).toBe('10.50');
  });

  it('should show the table through the API', async () => {
    const partTime = await addUser({ workingPattern: ['8', '8', '8', '0', '0', '0', '0'], employmentType: 'PART_TIME' });
    const starter = await addUser({ employmentStartDate: '2026-07-01' });
    const irregular = await addUser({ employmentType: 'IRREGULAR_HOURS', workingPattern: ['0', '0', '0', '0', '0', '0', '0'] });
    const shortWeek = await addUser({ workingPattern: ['8', '8', '8', '8', '4', '0', '0'] });
    expect((await allowanceOf(employee.id, types.annual)).entitlement).toBe(25);
    expect((await allowanceOf(partTime.id, types.annual)).entitlement).toBe(15);
    const half = (await allowanceOf(starter.id, types.annual)).entitlement;
    expect(half).toBe(13);
    expect((await allowanceOf(irregular.id, types.annual)).entitlement).toBe(0);
    expect((await allowanceOf(irregular.id, types.hours)).entitlement).toBe(0);
    expect((await allowanceOf(shortWeek.id, types.hours)).entitlement).toBe(180);
    // The starter's base stays the full-time figure.
    expect((await allowanceOf(starter.id, types.annual)).baseEntitlement).toBe(25);
  });
});

describe('allowance', () => {
  it('should create the allowance from the type default with the leave year’s dates', async () => {
    const allowance = await allowanceOf(employee.id, types.annual, 2026);
    expect(allowance).toMatchObject({
      user: { id: employee.id },
      leaveType: { id: types.annual, name: 'Annual leave' },
      year: 2026,
      startDate: '2026-01-01',
      endDate: '2026-12-31',
      unit: 'DAYS',
      baseEntitlement: 25,
      entitlement: 25,
      carriedOver: 0,
      adjustments: 0,
      accrued: 0,
      used: 0,
      pending: 0,
      remaining: 25,
    });
    // Reading again finds the same row.
    expect((await allowanceOf(employee.id, types.annual, 2026)).id).toBe(allowance.id);
  });

  it('should default to the leave year containing today in the organization', async () => {
    expect((await allowanceOf(employee.id, types.annual, null)).year).toBe(2026);
    // An organization whose leave year starts in April: on 15 March 2026 it is the 2025 leave year.
    const april = await createTestOrg(graph.peopleDb);
    await graph.leave.catchUpDirectory();
    await graph.leaveDb.updateTable('directory_organizations').set({ leave_year_start_month: 4 }).where('org_id', '=', april.id).execute();
    const type = await createType(april.admin.key, { name: 'Annual', code: 'AL', defaultEntitlement: 28 });
    const allowance = dataOf(await queryAllowance(april.admin.key, april.admin.id, type, null)).allowance;
    expect(allowance).toMatchObject({ year: 2025, startDate: '2025-04-01', endDate: '2026-03-31', entitlement: 28 });
  });

  it('should give a type without a default an allowance of zero', async () => {
    expect(await allowanceOf(employee.id, types.noDefault)).toMatchObject({ baseEntitlement: 0, entitlement: 0, remaining: 0 });
  });

  it('should resolve the person through the people subgraph', async () => {
    const res = await graph.gql<{ allowance: { user: { id: string; role: string } } }>(
      admin,
      `query($u: ID!, $t: ID!) { allowance(userId: $u, leaveTypeId: $t, year: 2026) { user { id role } } }`,
      { u: manager.id, t: types.annual },
    );
    expect(dataOf(res).allowance.user).toEqual({ id: manager.id, role: 'MANAGER' });
  });

  it('should show a person their own allowance, and their managers and admins too', async () => {
    expect((await allowanceOf(employee.id, types.annual, 2026, employee.key)).user.id).toBe(employee.id);
    expect((await allowanceOf(employee.id, types.annual, 2026, manager.key)).user.id).toBe(employee.id);
    expect((await allowanceOf(employee.id, types.annual, 2026, admin)).user.id).toBe(employee.id);
    expect((await allowanceOf(departmentMember.id, types.annual, 2026, departmentManager.key)).user.id).toBe(departmentMember.id);
  });

  it('should refuse colleagues and managers of someone else', async () => {
    expectError(await queryAllowance(colleague.key, employee.id, types.annual, 2026), 'FORBIDDEN');
    expectError(await queryAllowance(employee.key, manager.id, types.annual, 2026), 'FORBIDDEN');
    expectError(await queryAllowance(departmentManager.key, employee.id, types.annual, 2026), 'FORBIDDEN');
    expectError(await queryAllowance(manager.key, departmentMember.id, types.annual, 2026), 'FORBIDDEN');
  });

  it('should treat unknown people and other organizations’ people as unknown', async () => {
    for (const id of [randomUUID(), 'nobody', otherUser.id]) {
      expectError(await queryAllowance(admin, id, types.annual, 2026), 'BAD_USER_INPUT', 'userId');
    }
  });

  it('should refuse unknown types, other organizations’ types and types without allowances', async () => {
    for (const id of [randomUUID(), 'nothing', types.other, types.notDeducting]) {
      expectError(await queryAllowance(admin, employee.id, id, 2026), 'BAD_USER_INPUT', 'leaveTypeId');
    }
    // The other organization reads its own type fine.
    expect(dataOf(await queryAllowance(other.admin.key, otherUser.id, types.other, 2026)).allowance.entitlement).toBe(25);
  });

  it('should refuse years outside 2000..2100', async () => {
    expectError(await queryAllowance(admin, employee.id, types.annual, 1999), 'BAD_USER_INPUT', 'year');
    expectError(await queryAllowance(admin, employee.id, types.annual, 2101), 'BAD_USER_INPUT', 'year');
    expect((await allowanceOf(employee.id, types.annual, 2100)).endDate).toBe('2100-12-31');
  });

  it('should create one allowance when several first readers race', async () => {
    const type = await freshType();
    const results = await Promise.all(Array.from({ length: 6 }, () => queryAllowance(admin, colleague.id, type, 2027)));
    const ids = new Set(results.map((r) => dataOf(r).allowance.id));
    expect(ids.size).toBe(1);
    const rows = await graph.leaveDb.selectFrom('allowances').select('id').where('leave_type_id', '=', type).execute();
    expect(rows).toHaveLength(1);
  });
});

describe('balances', () => {
  it('should count approved requests as used and pending ones as pending, and nothing else', async () => {
    const type = await freshType();
    const allowance = await allowanceOf(employee.id, type);
    await insertRequest(allowance.id, employee.id, type, 'APPROVED', '2');
    await insertRequest(allowance.id, employee.id, type, 'APPROVED', '0.5');
    await insertRequest(allowance.id, employee.id, type, 'PENDING', '1');
    await insertRequest(allowance.id, employee.id, type, 'REJECTED', '3');
    await insertRequest(allowance.id, employee.id, type, 'CANCELLED', '4');
    dataOf(await adjustAllowance(admin, { userId: employee.id, leaveTypeId: type, year: 2026, amount: 1.5, reason: 'Long service' }));
    dataOf(await adjustAllowance(admin, { userId: employee.id, leaveTypeId: type, year: 2026, amount: -0.25, reason: 'Correction' }));
    dataOf(await setAllowance(admin, { userId: employee.id, leaveTypeId: type, year: 2026, carriedOver: 3 }));
    expect(await allowanceOf(employee.id, type)).toMatchObject({
      entitlement: 25,
      carriedOver: 3,
      adjustments: 1.25,
      accrued: 0,
      used: 2.5,
      pending: 1,
      remaining: 25 + 3 + 1.25 - 2.5 - 1,
    });
  });

  it('should add decimals without float drift', async () => {
    const type = await freshType({ unit: 'HOURS', defaultEntitlement: 0.3 });
    const allowance = await allowanceOf(employee.id, type);
    await insertRequest(allowance.id, employee.id, type, 'APPROVED', '0.1');
    await insertRequest(allowance.id, employee.id, type, 'APPROVED', '0.2');
    dataOf(await adjustAllowance(admin, { userId: employee.id, leaveTypeId: type, year: 2026, amount: 0.1, reason: 'a' }));
    dataOf(await adjustAllowance(admin, { userId: employee.id, leaveTypeId: type, year: 2026, amount: 0.2, reason: 'b' }));
    const balance = await allowanceOf(employee.id, type);
    // In floats 0.1 + 0.2 is 0.30000000000000004, and 0.3 + 0.3 - 0.3 is 0.29999999999999993.
    expect(balance.used).toBe(0.3);
    expect(balance.adjustments).toBe(0.3);
    expect(balance.remaining).toBe(0.3);
  });

  it('should compute any number of balances in one SQL statement', async () => {
    const type = await freshType();
    const ids: string[] = [];
    for (const user of [employee, colleague, manager, departmentMember, departmentManager]) {
      const allowance = await allowanceOf(user.id, type);
      await insertRequest(allowance.id, user.id, type, 'APPROVED', '1');
      ids.push(allowance.id);
    }
    dataOf(await adjustAllowance(admin, { userId: colleague.id, leaveTypeId: type, year: 2026, amount: 2, reason: 'Bonus' }));
    let statements = 0;
    const counting = countingDb(() => statements++);
    for (const batch of [ids.slice(0, 1), ids, [...ids, randomUUID(), 'not-a-uuid']]) {
      statements = 0;
      const balances = await allowanceBalances(counting, org.id, batch);
      expect(statements).toBe(1);
      expect(balances.size).toBe(Math.min(batch.length, ids.length));
    }
    const balances = await allowanceBalances(counting, org.id, ids);
    expect(balances.get(ids[0]!)).toEqual({ entitlement: 25, carriedOver: 0, adjustments: 0, accrued: 0, used: 1, pending: 0, remaining: 24 });
    expect(balances.get(ids[1]!)).toMatchObject({ adjustments: 2, used: 1, remaining: 26 });
    statements = 0;
    expect((await allowanceBalances(counting, org.id, [])).size).toBe(0);
    expect(statements).toBe(0);
    // Another organization's id reads as absent.
    expect((await allowanceBalances(graph.leaveDb, other.id, ids)).size).toBe(0);
  });

  it('should serialize two transactions locking the same allowance', async () => {
    const type = await freshType();
    const allowance = await allowanceOf(employee.id, type);
    const order: string[] = [];
    let locked!: () => void;
    const firstHasLock = new Promise<void>((resolve) => (locked = resolve));
    const first = graph.leaveDb.transaction().execute(async (trx) => {
      await lockAllowance(trx, org.id, allowance.id);
      locked();
      await new Promise((r) => setTimeout(r, 300));
      order.push('first commits');
    });
    await firstHasLock;
    const second = graph.leaveDb.transaction().execute(async (trx) => {
      await lockAllowance(trx, org.id, allowance.id);
      order.push('second locked');
    });
    await Promise.all([first, second]);
    expect(order).toEqual(['first commits', 'second locked']);
    await expect(graph.leaveDb.transaction().execute((trx) => lockAllowance(trx, other.id, allowance.id))).rejects.toThrow(/not found/);
  });

  it('should find or create through ensureAllowance inside a transaction', async () => {
    const type = await freshType({ defaultEntitlement: 20 });
    const [orgRow, userRow, typeRow] = await Promise.all([
      graph.leaveDb.selectFrom('directory_organizations').selectAll().where('org_id', '=', org.id).executeTakeFirstOrThrow(),
      graph.leaveDb.selectFrom('directory_users').selectAll().where('id', '=', colleague.id).executeTakeFirstOrThrow(),
      graph.leaveDb.selectFrom('leave_types').selectAll().where('id', '=', type).executeTakeFirstOrThrow(),
    ]);
    const created = await graph.leaveDb.transaction().execute((trx) => ensureAllowance(trx, orgRow, userRow, typeRow, 2031));
    expect(created).toMatchObject({ year: 2031, start_date: '2031-01-01', end_date: '2031-12-31', base_entitlement: null });
    expect(toUnits(created.entitlement)).toBe(toUnits('20'));
    const found = await ensureAllowance(graph.leaveDb, orgRow, userRow, typeRow, 2031);
    expect(found.id).toBe(created.id);
  });
});

describe('setAllowance', () => {
  it('should set the base and carry-over, pro-rate the base, and publish the change', async () => {
    const type = await freshType();
    const partTime = await addUser({ workingPattern: ['8', '8', '8', '0', '0', '0', '0'], employmentType: 'PART_TIME' });
    const set = dataOf(await setAllowance(admin, { userId: partTime.id, leaveTypeId: type, year: 2026, baseEntitlement: 30, carriedOver: 2.5 })).setAllowance;
    expect(set).toMatchObject({ baseEntitlement: 30, entitlement: 18, carriedOver: 2.5, remaining: 20.5, year: 2026 });
    const events = await eventsOf(set.id);
    expect(events.at(-1)).toEqual({
      type: 'allowance.changed',
      actor_id: org.admin.id,
      payload: { userId: partTime.id, leaveTypeId: type, year: 2026, cause: 'SET' },
    });
    // A null base goes back to the type's default; an omitted carry-over is 0.
    const reset = dataOf(await setAllowance(admin, { userId: partTime.id, leaveTypeId: type, year: 2026, baseEntitlement: null })).setAllowance;
    expect(reset).toMatchObject({ id: set.id, baseEntitlement: 25, entitlement: 15, carriedOver: 0, remaining: 15 });
    expect(await eventsOf(set.id)).toHaveLength(2);
  });

  it('should accept hours up to 3000 for an hours type', async () => {
    const set = dataOf(await setAllowance(admin, { userId: employee.id, leaveTypeId: types.hours, year: 2030, baseEntitlement: 3000, carriedOver: 3000 })).setAllowance;
    expect(set).toMatchObject({ unit: 'HOURS', baseEntitlement: 3000, entitlement: 3000, carriedOver: 3000 });
  });

  it.each([
    ['a year before 2000', { year: 1999 }, 'input.year'],
    ['a year after 2100', { year: 2101 }, 'input.year'],
    ['a negative base', { baseEntitlement: -1 }, 'input.baseEntitlement'],
    ['a base over 366 days', { baseEntitlement: 367 }, 'input.baseEntitlement'],
    ['a base with 3 decimals', { baseEntitlement: 20.125 }, 'input.baseEntitlement'],
    ['a negative carry-over', { carriedOver: -0.5 }, 'input.carriedOver'],
    ['a carry-over with 3 decimals', { carriedOver: 0.001 }, 'input.carriedOver'],
    ['a carry-over over 366 days', { carriedOver: 400 }, 'input.carriedOver'],
    ['an unknown person', { userId: randomUUID() }, 'input.userId'],
    ['another organization’s person', { userId: 'other' }, 'input.userId'],
    ['an unknown type', { leaveTypeId: randomUUID() }, 'input.leaveTypeId'],
    ['another organization’s type', { leaveTypeId: 'other' }, 'input.leaveTypeId'],
    ['a type that does not deduct', { leaveTypeId: 'notDeducting' }, 'input.leaveTypeId'],
  ])('should refuse %s', async (_, patch, field) => {
    const input = { userId: employee.id, leaveTypeId: types.annual, year: 2026, ...patch };
    if (input.userId === 'other') input.userId = otherUser.id;
    if (input.leaveTypeId === 'other') input.leaveTypeId = types.other;
    if (input.leaveTypeId === 'notDeducting') input.leaveTypeId = types.notDeducting;
    expectError(await setAllowance(admin, input), 'BAD_USER_INPUT', field);
  });

  it('should let admins only set allowances', async () => {
    for (const key of [employee.key, manager.key]) {
      expectError(await setAllowance(key, { userId: employee.id, leaveTypeId: types.annual, year: 2026, baseEntitlement: 99 }), 'FORBIDDEN');
    }
    expect((await allowanceOf(employee.id, types.annual)).baseEntitlement).toBe(25);
  });

  it('should not reach another organization’s people through its own admin', async () => {
    expectError(await setAllowance(other.admin.key, { userId: employee.id, leaveTypeId: types.other, year: 2026 }), 'BAD_USER_INPUT', 'input.userId');
  });
});

describe('adjustAllowance', () => {
  it('should add an effective-dated ledger entry and publish the change', async () => {
    const type = await freshType();
    const res = dataOf(await adjustAllowance(admin, { userId: employee.id, leaveTypeId: type, year: 2026, amount: 2.5, reason: '  Long service ', effectiveDate: '2026-06-01' }));
    const adjusted = res.adjustAllowance;
    expect(adjusted).toMatchObject({ adjustments: 2.5, remaining: 27.5 });
    expect(adjusted.ledger.nodes).toEqual([
      { id: expect.any(String), kind: 'ADJUSTMENT', amount: 2.5, reason: 'Long service', effectiveDate: '2026-06-01', createdBy: { id: org.admin.id }, createdAt: expect.any(String) },
    ]);
    expect((await eventsOf(adjusted.id)).map((e) => e.payload['cause'])).toEqual(['ADJUSTED']);
    const removed = dataOf(await adjustAllowance(admin, { userId: employee.id, leaveTypeId: type, year: 2026, amount: -3, reason: 'Bought back' })).adjustAllowance;
    expect(removed).toMatchObject({ adjustments: -0.5, remaining: 24.5 });
  });

  it('should default the effective date to today in the organization, moved into the leave year', async () => {
    const type = await freshType();
    const dates: string[] = [];
    for (const year of [2026, 2025, 2027]) {
      const res = dataOf(await adjustAllowance(admin, { userId: employee.id, leaveTypeId: type, year, amount: 1, reason: 'Default date' }));
      dates.push(res.adjustAllowance.ledger.nodes[0]!.effectiveDate);
    }
    expect(dates).toEqual(['2026-03-15', '2025-12-31', '2027-01-01']);
  });

  it('should accept 4 decimals for hours', async () => {
    const res = dataOf(await adjustAllowance(admin, { userId: colleague.id, leaveTypeId: types.hours, year: 2026, amount: 1.2345, reason: 'Precise' }));
    expect(res.adjustAllowance.adjustments).toBe(1.2345);
  });

  it.each([
    ['a zero amount', { amount: 0 }, 'input.amount', 'must not be zero'],
    ['3 decimals of a day', { amount: 1.125 }, 'input.amount', 'must have at most 2 decimal places'],
    ['5 decimals of an hour', { leaveTypeId: 'hours', amount: 1.23456 }, 'input.amount', 'must have at most 4 decimal places'],
    ['more than a year of days', { amount: -367 }, 'input.amount', 'must be between -366 and 366 days'],
    ['more than 3000 hours', { leaveTypeId: 'hours', amount: 3001 }, 'input.amount', 'must be between -3000 and 3000 hours'],
    ['an empty reason', { reason: '  ' }, 'input.reason', 'must not be empty'],
    ['a reason over 500 characters', { reason: 'x'.repeat(501) }, 'input.reason', 'must have at most 500 characters'],
    ['a date before the leave year', { effectiveDate: '2025-12-31' }, 'input.effectiveDate', 'must be inside the leave year, 2026-01-01 to 2026-12-31'],
    ['a date after the leave year', { effectiveDate: '2027-01-01' }, 'input.effectiveDate', 'must be inside the leave year, 2026-01-01 to 2026-12-31'],
    ['a year out of range', { year: 2101 }, 'input.year', 'must be an integer from 2000 to 2100'],
    ['an unknown person', { userId: 'nobody' }, 'input.userId', undefined],
    ['a type that does not deduct', { leaveTypeId: 'notDeducting' }, 'input.leaveTypeId', 'is a leave type that does not deduct from an allowance'],
  ])('should refuse %s', async (_, patch, field, rule) => {
    const input: Record<string, unknown> = { userId: departmentMember.id, leaveTypeId: types.annual, year: 2026, amount: 1, reason: 'Test', ...patch };
    if (input['leaveTypeId'] === 'hours') input['leaveTypeId'] = types.hours;
    if (input['leaveTypeId'] === 'notDeducting') input['leaveTypeId'] = types.notDeducting;
    const error = expectError(await adjustAllowance(admin, input), 'BAD_USER_INPUT', field);
    if (rule !== undefined) expect(error.message).toContain(rule);
  });

  it('should leave nothing behind when refused', async () => {
    const rows = await graph.leaveDb
      .selectFrom('allowance_ledger as l')
      .innerJoin('allowances as a', 'a.id', 'l.allowance_id')
      .select('l.id')
      .where('a.user_id', '=', departmentMember.id)
      .execute();
    expect(rows).toEqual([]);
  });

  it('should let admins only adjust allowances', async () => {
    for (const key of [employee.key, manager.key]) {
      expectError(await adjustAllowance(key, { userId: employee.id, leaveTypeId: types.annual, year: 2026, amount: 5, reason: 'Please' }), 'FORBIDDEN');
    }
  });
});

describe('ledger', () => {
  const LEDGER = `query($u: ID!, $t: ID!, $first: Int, $after: String) { allowance(userId: $u, leaveTypeId: $t, year: 2026) {
    ledger(first: $first, after: $after) { totalCount nodes { amount effectiveDate } pageInfo { hasNextPage hasPreviousPage endCursor } } } }`;
  interface LedgerPage {
    allowance: {
      ledger: { totalCount: number; nodes: { amount: number; effectiveDate: string }[]; pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string | null } };
    };
  }

  it('should page through entries oldest effective date first', async () => {
    const type = await freshType();
    // Recorded out of order; two on the same day keep their recording order.
    const entries: [string, number][] = [
      ['2026-09-01', 5],
      ['2026-01-10', 1],
      ['2026-05-05', 3],
      ['2026-05-05', 4],
      ['2026-02-01', 2],
    ];
    for (const [effectiveDate, amount] of entries) {
      dataOf(await adjustAllowance(admin, { userId: employee.id, leaveTypeId: type, year: 2026, amount, reason: `#${amount}`, effectiveDate }));
    }
    const seen: number[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const page: LedgerPage['allowance']['ledger'] = dataOf(await graph.gql<LedgerPage>(employee.key, LEDGER, { u: employee.id, t: type, first: 2, after })).allowance.ledger;
      pages++;
      expect(page.totalCount).toBe(5);
      expect(page.pageInfo.hasPreviousPage).toBe(after !== null);
      seen.push(...page.nodes.map((e) => e.amount));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual([1, 2, 3, 4, 5]);
  });

  it('should load the ledger pages and counts of many allowances in one statement each', async () => {
    const type = await freshType();
    const ids: string[] = [];
    for (const [i, user] of [employee, colleague, manager].entries()) {
      for (let k = 1; k <= i + 2; k++) {
        const res = dataOf(await adjustAllowance(admin, { userId: user.id, leaveTypeId: type, year: 2026, amount: k, reason: `${i}/${k}`, effectiveDate: `2026-0${k}-01` }));
        if (k === 1) ids.push(res.adjustAllowance.id);
      }
    }
    let statements = 0;
    const counting = countingDb(() => statements++);
    const identity = { orgId: org.id, userId: org.admin.id, role: 'ADMIN' as const, scopes: [], keyId: null, authMethod: 'api-key' as const };
    const services = {
      catchUpDirectory: async () => undefined,
      catchUpAccruals: async () => undefined,
      catchUpToil: async () => undefined,
      documents: { directory: graph.documentsDir, maxBytes: 1, publicUrl: '', signingSecret: '' },
      now: () => NOW,
    };
    const ctx = createLeaveContext(counting, identity, services);
    const ledger = allowanceResolvers.Allowance.ledger;
    const pages = await Promise.all(ids.map((id) => ledger({ id } as never, { first: 2 }, ctx)));
    expect(statements).toBe(1);
    expect(pages.map((p) => p.nodes.map((e) => e.reason))).toEqual([['0/1', '0/2'], ['1/1', '1/2'], ['2/1', '2/2']]);
    expect(pages.map((p) => p.pageInfo.hasNextPage)).toEqual([false, true, true]);
    expect(await Promise.all(pages.map((p) => p.totalCount()))).toEqual([2, 3, 4]);
    expect(statements).toBe(2);
    // The next page of one allowance, through its cursor.
    const next = await ledger({ id: ids[2] } as never, { first: 2, after: pages[2]!.pageInfo.endCursor }, ctx);
    expect(next.nodes.map((e) => e.reason)).toEqual(['2/3', '2/4']);
  });

  it('should refuse a bad page size or cursor', async () => {
    expectError(await graph.gql(admin, LEDGER, { u: employee.id, t: types.annual, first: 101 }), 'BAD_USER_INPUT', 'first');
    expectError(await graph.gql(admin, LEDGER, { u: employee.id, t: types.annual, after: 'nope' }), 'BAD_USER_INPUT', 'after');
    const wrongKinds = Buffer.from(JSON.stringify(['x', 'y', 'z'])).toString('base64url');
    expectError(await graph.gql(admin, LEDGER, { u: employee.id, t: types.annual, after: wrongKinds }), 'BAD_USER_INPUT', 'after');
  });
});

describe('changes to a type’s default or unit', () => {
  it('should recompute allowances that follow the default from the current leave year on', async () => {
    const type = await freshType({ defaultEntitlement: 20 });
    const partTime = await addUser({ workingPattern: ['8', '8', '8', '0', '0', '0', '0'], employmentType: 'PART_TIME' });
    const past = await allowanceOf(employee.id, type, 2025);
    const current = await allowanceOf(employee.id, type, 2026);
    const partTimeCurrent = await allowanceOf(partTime.id, type, 2026);
    const own = dataOf(await setAllowance(admin, { userId: colleague.id, leaveTypeId: type, year: 2026, baseEntitlement: 10 })).setAllowance;
    expect([past.entitlement, current.entitlement, partTimeCurrent.entitlement, own.entitlement]).toEqual([20, 20, 12, 10]);

    dataOf(await graph.gql(admin, 'mutation($id: ID!) { updateLeaveType(id: $id, input: { defaultEntitlement: 30 }) { id } }', { id: type }));
    expect((await allowanceOf(employee.id, type, 2025)).entitlement).toBe(20);
    expect(await allowanceOf(employee.id, type, 2026)).toMatchObject({ baseEntitlement: 30, entitlement: 30 });
    expect((await allowanceOf(partTime.id, type, 2026)).entitlement).toBe(18);
    expect(await allowanceOf(colleague.id, type, 2026)).toMatchObject({ baseEntitlement: 10, entitlement: 10 });
    expect((await eventsOf(current.id)).map((e) => e.payload['cause'])).toEqual(['SET']);
    expect(await eventsOf(past.id)).toEqual([]);
  });

  it('should recompute default allowances in the new unit, and refuse once allowances hold amounts', async () => {
    const type = await freshType({ defaultEntitlement: 20 });
    const allowance = await allowanceOf(employee.id, type, 2026);
    const res = await graph.gql(admin, 'mutation($id: ID!) { updateLeaveType(id: $id, input: { unit: HOURS, defaultEntitlement: 150 }) { id } }', { id: type });
    dataOf(res);
    expect(await allowanceOf(employee.id, type, 2026)).toMatchObject({ id: allowance.id, unit: 'HOURS', entitlement: 150 });
    dataOf(await adjustAllowance(admin, { userId: employee.id, leaveTypeId: type, year: 2026, amount: 4, reason: 'Overtime' }));
    const refused = await graph.gql(admin, 'mutation($id: ID!) { updateLeaveType(id: $id, input: { unit: DAYS, defaultEntitlement: 20 }) { id } }', { id: type });
    const error = expectError(refused, 'CONFLICT', 'input.unit');
    expect(error.extensions?.['rule']).toBe('LEAVE_TYPE_HAS_ALLOWANCES');
    expect((await allowanceOf(employee.id, type, 2026)).unit).toBe('HOURS');
  });
});
