import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestOrg, startTestGraph, type TestGraph, type TestOrg } from '../../../helpers/graph.ts';
import { insertLeaveType } from '../../../../subgraphs/leave/db/repositories/leave-types.ts';
import { addOvertimeType, addPerson, dataOf, expectError, NOW, submitted } from '../time-fixtures.ts';

let graph: TestGraph;
let org: TestOrg;
let other: TestOrg;
let holiday: string;
let otherHoliday: string;

const IRREGULAR = { employmentType: 'IRREGULAR_HOURS' as const, workingPattern: ['0', '0', '0', '0', '0', '0', '0'] };

beforeAll(async () => {
  graph = await startTestGraph({ now: () => NOW });
  org = await createTestOrg(graph.peopleDb);
  other = await createTestOrg(graph.peopleDb);
  await graph.time.catchUpDirectory();
  await graph.leave.catchUpDirectory();
  const type = (name: string, code: string) =>
    insertLeaveType(graph.leaveDb, {
      org_id: org.id, name, code, unit: 'HOURS', category: 'VACATION', paid: true, requires_approval: true, requires_document: false,
      requires_comment: false, half_days_allowed: false, deducts_from_allowance: true, allow_negative_balance: false, private: false, default_entitlement: '0',
    });
  holiday = (await type('Holiday', 'HOL')).id;
  otherHoliday = (await type('Second holiday', 'HOL2')).id;
});
afterAll(() => graph.stop());

interface ItemResult {
  index: number;
  status: string;
  hoursAccrued: number;
  noAccrualReason: string | null;
  error: { code: string; field: string | null; message: string } | null;
  hoursWorked: { id: string; date: string; hoursWorked: number; revision: number; accrued: number; allowance: { accrued: number; remaining: number; leaveType: { id: string }; ledger: { nodes: { kind: string; amount: number }[] } } | null } | null;
}

const RESULT = `index status hoursAccrued noAccrualReason error { code field message }
  hoursWorked { id date hoursWorked revision accrued allowance { accrued remaining leaveType { id } ledger(first: 50) { nodes { kind amount } } } }`;

function record(key: string, input: Record<string, unknown>) {
  return graph.gql<{ recordHoursWorked: ItemResult }>(key, `mutation($input: HoursWorkedInput!) { recordHoursWorked(input: $input) { ${RESULT} } }`, { input });
}

function bulk(key: string, items: Record<string, unknown>[]) {
  return graph.gql<{ recordHoursWorkedBulk: { processedCount: number; failedCount: number; totalCount: number; items: ItemResult[] } }>(
    key,
    `mutation($items: [HoursWorkedInput!]!) { recordHoursWorkedBulk(input: { items: $items }) { processedCount failedCount totalCount items { ${RESULT} } } }`,
    { items },
  );
}

async function allowance(key: string, userId: string, leaveTypeId = holiday) {
  const res = await graph.gql<{ allowance: { accrued: number; remaining: number } }>(key, 'query($u: ID!, $t: ID!) { allowance(userId: $u, leaveTypeId: $t, year: 2026) { accrued remaining } }', { u: userId, t: leaveTypeId });
  return dataOf(res).allowance;
}

describe('recordHoursWorked', () => {
  it("should accrue 12.07% for an irregular-hours worker and answer with the allowance as it stands after the write", async () => {
    const worker = await addPerson(graph, org, { ...IRREGULAR, externalId: 'EMP-12345' });
    await graph.leave.catchUpDirectory();
    const result = dataOf(await record(org.admin.key, { externalUserId: 'EMP-12345', date: '2026-06-10', hoursWorked: 8.5, leaveTypeId: holiday })).recordHoursWorked;
    expect(result).toMatchObject({ status: 'CREATED', hoursAccrued: 1.026, noAccrualReason: null, error: null });
    expect(result.hoursWorked).toMatchObject({ date: '2026-06-10', hoursWorked: 8.5, revision: 1, accrued: 1.026, allowance: { accrued: 1.026, remaining: 1.026, leaveType: { id: holiday } } });
    // A read straight after the mutation sees the accrual too.
    expect(await allowance(org.admin.key, worker.id)).toEqual({ accrued: 1.026, remaining: 1.026 });
  });

  it('should answer the same hours again UNCHANGED and accrue nothing', async () => {
    const worker = await addPerson(graph, org, IRREGULAR);
    await graph.leave.catchUpDirectory();
    dataOf(await record(org.admin.key, { userId: worker.id, date: '2026-06-10', hoursWorked: 10 }));
    const again = dataOf(await record(org.admin.key, { userId: worker.id, date: '2026-06-10', hoursWorked: 10 })).recordHoursWorked;
    expect(again).toMatchObject({ status: 'UNCHANGED', hoursAccrued: 0, hoursWorked: { revision: 1, allowance: { accrued: 1.207 } } });
    expect(again.noAccrualReason).toContain('already had these hours');
    expect(await allowance(org.admin.key, worker.id)).toEqual({ accrued: 1.207, remaining: 1.207 });
  });

  it('should replace a day with different hours and move the accrual by the difference, with a correction line', async () => {
    const worker = await addPerson(graph, org, IRREGULAR);
    await graph.leave.catchUpDirectory();
    dataOf(await record(org.admin.key, { userId: worker.id, date: '2026-06-11', hoursWorked: 10 }));
    const corrected = dataOf(await record(org.admin.key, { userId: worker.id, date: '2026-06-11', hoursWorked: 6 })).recordHoursWorked;
    expect(corrected).toMatchObject({ status: 'UPDATED', hoursAccrued: -0.4828, hoursWorked: { hoursWorked: 6, revision: 2, accrued: 0.7242 } });
    expect(corrected.hoursWorked?.allowance?.ledger.nodes).toEqual([{ kind: 'ACCRUAL', amount: 1.207 }, { kind: 'ACCRUAL_CORRECTION', amount: -0.4828 }]);
    expect(await allowance(org.admin.key, worker.id)).toEqual({ accrued: 0.7242, remaining: 0.7242 });
    // Another leave type for the same day moves the whole accrual across.
    const moved = dataOf(await record(org.admin.key, { userId: worker.id, date: '2026-06-11', hoursWorked: 6, leaveTypeId: otherHoliday })).recordHoursWorked;
    expect(moved).toMatchObject({ status: 'UPDATED', hoursAccrued: 0, hoursWorked: { revision: 3, accrued: 0.7242, allowance: { accrued: 0.7242, leaveType: { id: otherHoliday } } } });
    expect(await allowance(org.admin.key, worker.id)).toEqual({ accrued: 0, remaining: 0 });
  });

  it('should record hours for others and say why nothing accrued', async () => {
    const employee = await addPerson(graph, org);
    const result = dataOf(await record(org.admin.key, { userId: employee.id, date: '2026-06-10', hoursWorked: 7.5 })).recordHoursWorked;
    expect(result).toMatchObject({ status: 'CREATED', hoursAccrued: 0, hoursWorked: { hoursWorked: 7.5, allowance: null, accrued: 0 } });
    expect(result.noAccrualReason).toContain('irregular-hours');
  });

  it('should refuse bad input naming the field, and non-admins', async () => {
    const worker = await addPerson(graph, org, { ...IRREGULAR, externalId: 'EMP-BAD' });
    expectError(await record(org.admin.key, { date: '2026-06-10', hoursWorked: 1 }), 'BAD_USER_INPUT', 'input.userId');
    expectError(await record(org.admin.key, { userId: worker.id, externalUserId: 'EMP-BAD', date: '2026-06-10', hoursWorked: 1 }), 'BAD_USER_INPUT', 'input.userId');
    expectError(await record(org.admin.key, { userId: worker.id, date: '2026-06-10', hoursWorked: 25 }), 'BAD_USER_INPUT', 'input.hoursWorked');
    expectError(await record(org.admin.key, { userId: worker.id, date: '2026-06-10', hoursWorked: -1 }), 'BAD_USER_INPUT', 'input.hoursWorked');
    expectError(await record(org.admin.key, { userId: worker.id, date: '2026-06-10', hoursWorked: 1.005 }), 'BAD_USER_INPUT', 'input.hoursWorked');
    expectError(await record(org.admin.key, { userId: worker.id, date: '2030-01-01', hoursWorked: 1 }), 'BAD_USER_INPUT', 'input.date');
    expectError(await record(org.admin.key, { userId: worker.id, date: '2026-06-10', hoursWorked: 1, leaveTypeId: 'x' }), 'BAD_USER_INPUT', 'input.leaveTypeId');
    expectError(await record(org.admin.key, { externalUserId: 'NOBODY', date: '2026-06-10', hoursWorked: 1 }), 'BAD_USER_INPUT', 'input.externalUserId');
    expectError(await record(org.admin.key, { userId: other.admin.id, date: '2026-06-10', hoursWorked: 1 }), 'BAD_USER_INPUT', 'input.userId');
    expectError(await record(other.admin.key, { externalUserId: 'EMP-BAD', date: '2026-06-10', hoursWorked: 1 }), 'BAD_USER_INPUT', 'input.externalUserId');
    expectError(await record(worker.key, { userId: worker.id, date: '2026-06-10', hoursWorked: 1 }), 'FORBIDDEN');
  });

  it("should cap the day at 24 hours across the person's overtime and recorded hours", async () => {
    const worker = await addPerson(graph, org);
    const type = await addOvertimeType(graph, org.admin.key, { name: 'Cap test', code: 'CAP', compensation: 'PAID' });
    await submitted(graph, worker.key, { overtimeTypeId: type, date: '2026-06-09', hoursWorked: 10 });
    expectError(await record(org.admin.key, { userId: worker.id, date: '2026-06-09', hoursWorked: 14.5 }), 'BAD_USER_INPUT', 'input.hoursWorked');
    dataOf(await record(org.admin.key, { userId: worker.id, date: '2026-06-09', hoursWorked: 14 }));
    // Now overtime on that day is full too; a replacement of the recorded day counts only once.
    const more = await graph.gql(worker.key, 'mutation($t: ID!) { createOvertimeSubmission(input: { overtimeTypeId: $t, date: "2026-06-09", hoursWorked: 0.5 }) { id } }', { t: type });
    expectError(more, 'BAD_USER_INPUT', 'input.hoursWorked');
    expect(dataOf(await record(org.admin.key, { userId: worker.id, date: '2026-06-09', hoursWorked: 13 })).recordHoursWorked.status).toBe('UPDATED');
  });
});

describe('recordHoursWorkedBulk', () => {
  it('should answer each item on its own: good ones recorded, bad ones FAILED with field, nothing rolled back', async () => {
    const a = await addPerson(graph, org, { ...IRREGULAR, externalId: 'EMP-001' });
    const b = await addPerson(graph, org, { ...IRREGULAR, externalId: 'EMP-002' });
    await graph.leave.catchUpDirectory();
    dataOf(await record(org.admin.key, { userId: a.id, date: '2026-06-01', hoursWorked: 5 }));
    const res = dataOf(
      await bulk(org.admin.key, [
        { externalUserId: 'EMP-001', date: '2026-06-02', hoursWorked: 10 },
        { externalUserId: 'EMP-001', date: '2026-06-03', hoursWorked: 8 },
        { externalUserId: 'EMP-002', date: '2026-06-02', hoursWorked: 12 },
        { externalUserId: 'EMP-404', date: '2026-06-02', hoursWorked: 12 },
        { userId: a.id, date: '2026-06-01', hoursWorked: 5 },
        { userId: a.id, date: '2026-06-04', hoursWorked: 30 },
        { userId: b.id, date: '2026-06-02', hoursWorked: 6 },
      ]),
    ).recordHoursWorkedBulk;
    expect(res).toMatchObject({ processedCount: 5, failedCount: 2, totalCount: 7 });
    expect(res.items.map((i) => [i.index, i.status, i.error?.field ?? null])).toEqual([
      [0, 'CREATED', null],
      [1, 'CREATED', null],
      [2, 'CREATED', null],
      [3, 'FAILED', 'input.items.3.externalUserId'],
      [4, 'UNCHANGED', null],
      [5, 'FAILED', 'input.items.5.hoursWorked'],
      [6, 'UPDATED', null],
    ]);
    expect(res.items[3]?.error?.code).toBe('BAD_USER_INPUT');
    // b's day was 12 then 6 within the batch: it ends at 6, accrued once at 6 hours.
    expect(res.items[6]).toMatchObject({ hoursAccrued: -0.7242, hoursWorked: { hoursWorked: 6, revision: 1, accrued: 0.7242 } });
    expect(await allowance(org.admin.key, a.id)).toEqual({ accrued: 2.7761, remaining: 2.7761 });
    expect(await allowance(org.admin.key, b.id)).toEqual({ accrued: 0.7242, remaining: 0.7242 });
  });

  it('should refuse an empty batch and more than 1,000 items', async () => {
    expectError(await bulk(org.admin.key, []), 'BAD_USER_INPUT', 'input.items');
    const many = Array.from({ length: 1001 }, () => ({ externalUserId: 'X', date: '2026-06-01', hoursWorked: 1 }));
    // More than 1,000 is refused by the gateway's input check, which names the variable ($items).
    expectError(await bulk(org.admin.key, many), 'BAD_USER_INPUT', { field: 'items', rule: 'TOO_LONG' });
  });

  it('should list the recorded days as User.hoursWorked, paginated, with totals', async () => {
    const worker = await addPerson(graph, org, IRREGULAR);
    dataOf(await bulk(org.admin.key, ['2026-05-01', '2026-05-02', '2026-05-03'].map((date, i) => ({ userId: worker.id, date, hoursWorked: 4 + i }))));
    const res = await graph.gql<{ user: { hoursWorked: { totalCount: number; totalHours: number; nodes: { date: string; hoursWorked: number }[]; pageInfo: { hasNextPage: boolean } } } }>(
      worker.key,
      'query($id: ID!) { user(id: $id) { hoursWorked(from: "2026-05-01", to: "2026-05-31", first: 2) { totalCount totalHours nodes { date hoursWorked } pageInfo { hasNextPage } } } }',
      { id: worker.id },
    );
    expect(dataOf(res).user.hoursWorked).toEqual({ totalCount: 3, totalHours: 15, nodes: [{ date: '2026-05-01', hoursWorked: 4 }, { date: '2026-05-02', hoursWorked: 5 }], pageInfo: { hasNextPage: true } });
    const bad = await graph.gql(worker.key, 'query($id: ID!) { user(id: $id) { hoursWorked(from: "2026-05-31", to: "2026-05-01") { totalCount } } }', { id: worker.id });
    expectError(bad, 'BAD_USER_INPUT', 'to');
  });
});
