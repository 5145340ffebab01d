import { randomUUID } from 'node:crypto';
import { sql, type KyselyPlugin, type Transaction } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accrualAmount, applyHoursWorked, createAccrualConsumer } from '../../../../subgraphs/leave/domain/accrual-consumer.ts';
import { appendEvents, type OutboxConsumer, type OutboxEvent } from '../../../../subgraphs/shared/outbox.ts';
import { createTestOrg, startTestGraph, type TestGraph, type TestOrg, type TestUser } from '../../../helpers/graph.ts';
import { dataOf } from '../../../helpers/assertions.ts';

const NOW = new Date('2026-03-15T12:00:00Z');
const ZEROS = ['0', '0', '0', '0', '0', '0', '0'];

let graph: TestGraph;
let statements = 0;
let org: TestOrg;
let other: TestOrg;
let consumer: OutboxConsumer;
let irregular: TestUser;
let irregularWithPattern: TestUser;
let fullTime: TestUser;
const types = { daysVacation: '', hoursVacation: '', daysOther: '', retired: '', otherOrg: '' };

async function createType(key: string, input: Record<string, unknown>): Promise<string> {
  const res = await graph.gql<{ createLeaveType: { id: string } }>(key, 'mutation($input: CreateLeaveTypeInput!) { createLeaveType(input: $input) { id } }', {
    input,
  });
  return dataOf(res).createLeaveType.id;
}

interface Hours {
  userId: string;
  date: string;
  hoursWorked: string;
  leaveTypeId?: string | null;
  submissionId?: string;
}

/** Publishes `hours_worked.recorded` as the time subgraph will; returns the submission id. */
async function recordHours(hours: Hours, orgId = org.id): Promise<string> {
  const submissionId = hours.submissionId ?? randomUUID();
  await graph.database.handle.root.transaction().execute(async (trx) => {
    await appendEvents(trx as never, [
      {
        orgId,
        type: 'hours_worked.recorded',
        entityType: 'HoursWorked',
        entityId: submissionId,
        actorId: null,
        payload: { leaveTypeId: null, ...hours, submissionId },
      },
    ]);
  });
  return submissionId;
}

/** Publishes several `hours_worked.recorded` payloads in one transaction (so one consumer batch sees them all). */
async function recordMany(list: readonly (Hours & { entryId?: string; previousHoursWorked?: string })[], orgId = org.id): Promise<string[]> {
  const ids = list.map((h) => h.submissionId ?? randomUUID());
  await graph.database.handle.root.transaction().execute(async (trx) => {
    await appendEvents(
      trx as never,
      list.map((hours, i) => ({
        orgId,
        type: 'hours_worked.recorded',
        entityType: 'HoursWorked',
        entityId: ids[i]!,
        actorId: null,
        payload: { leaveTypeId: null, entryId: null, ...hours, submissionId: ids[i]! },
      })),
    );
  });
  return ids;
}

/** Publishes an arbitrary `hours_worked.recorded` payload. */
async function recordRaw(payload: Record<string, unknown>): Promise<void> {
  await graph.database.handle.root.transaction().execute(async (trx) => {
    await appendEvents(trx as never, [{ orgId: org.id, type: 'hours_worked.recorded', entityType: 'HoursWorked', entityId: randomUUID(), actorId: null, payload }]);
  });
}

interface Balance {
  id: string;
  year: number;
  unit: string;
  entitlement: number;
  accrued: number;
  remaining: number;
  ledger: { totalCount: number; nodes: { kind: string; amount: number; reason: string; effectiveDate: string; createdBy: { id: string } | null }[] };
}

async function allowanceOf(userId: string, leaveTypeId: string, year = 2026): Promise<Balance> {
  const res = await graph.gql<{ allowance: Balance }>(
    org.admin.key,
    `query($u: ID!, $t: ID!, $y: Int) { allowance(userId: $u, leaveTypeId: $t, year: $y) {
      id year unit entitlement accrued remaining ledger(first: 100) { totalCount nodes { kind amount reason effectiveDate createdBy { id } } } } }`,
    { u: userId, t: leaveTypeId, y: year },
  );
  return dataOf(res).allowance;
}

async function accrualEntries(sourceId: string) {
  return graph.leaveDb.selectFrom('allowance_ledger').selectAll().where('source_id', '=', sourceId).execute();
}

beforeAll(async () => {
  graph = await startTestGraph({ now: () => NOW });
  consumer = createAccrualConsumer(graph.database.handle);
  org = await createTestOrg(graph.peopleDb);
  other = await createTestOrg(graph.peopleDb);
  irregular = await org.addUser({ employmentType: 'IRREGULAR_HOURS', workingPattern: ZEROS });
  irregularWithPattern = await org.addUser({ employmentType: 'IRREGULAR_HOURS', workingPattern: ['6', '6', '6', '0', '0', '0', '0'] });
  fullTime = await org.addUser();
  await graph.leave.catchUpDirectory();
  // The DAYS vacation type is older: the default accrual type still prefers the HOURS one.
  types.daysVacation = await createType(org.admin.key, { name: 'Annual leave', code: 'AL', defaultEntitlement: 25 });
  types.hoursVacation = await createType(org.admin.key, { name: 'Holiday hours', code: 'HH', unit: 'HOURS' });
  types.daysOther = await createType(org.admin.key, { name: 'Lieu days', code: 'LIEU', category: 'OTHER' });
  types.retired = await createType(org.admin.key, { name: 'Old holiday', code: 'OLD', unit: 'HOURS' });
  dataOf(await graph.gql(org.admin.key, 'mutation($id: ID!) { deactivateLeaveType(id: $id) { id } }', { id: types.retired }));
  types.otherOrg = await createType(other.admin.key, { name: 'Annual leave', code: 'AL', unit: 'HOURS' });
});
afterAll(() => graph.stop());

describe('accrualAmount', () => {
  it.each([
    ['10 hours in hours', '10', 'HOURS', ZEROS, '1.2070'],
    ['7.5 hours in hours, rounded half up', '7.5', 'HOURS', ZEROS, '0.9053'],
    ['0.25 hours in hours', '0.25', 'HOURS', ZEROS, '0.0302'],
    ['8 hours in days with no pattern (8-hour days)', '8', 'DAYS', ZEROS, '0.1207'],
    ['40 hours in days with no pattern', '40', 'DAYS', ZEROS, '0.6035'],
    ['6 hours in days of 6 hours', '6', 'DAYS', ['6', '6', '6', '0', '0', '0', '0'], '0.1207'],
    ['10 hours in days of 6 hours', '10', 'DAYS', ['6', '6', '6', '0', '0', '0', '0'], '0.2012'],
    ['7.5 hours in days averaging 7.5 hours', '7.5', 'DAYS', ['8', '7', '0', '0', '0', '0', '0'], '0.1207'],
    ['no hours', '0', 'HOURS', ZEROS, '0.0000'],
  ] as const)('should accrue for %s', (_, hours, unit, pattern, expected) => {
    expect(accrualAmount(hours, unit, pattern)).toBe(expected);
  });
});

describe('the accrual consumer', () => {
  it('should accrue 12.07% of hours worked into the given type for an irregular-hours worker, and publish it', async () => {
    const submissionId = await recordHours({ userId: irregular.id, date: '2026-03-10', hoursWorked: '10', leaveTypeId: types.hoursVacation });
    await consumer.catchUp();
    const allowance = await allowanceOf(irregular.id, types.hoursVacation);
    expect(allowance).toMatchObject({ unit: 'HOURS', entitlement: 0, accrued: 1.207, remaining: 1.207 });
    expect(allowance.ledger.nodes).toEqual([
      { kind: 'ACCRUAL', amount: 1.207, reason: '12.07% of 10 hours worked on 2026-03-10', effectiveDate: '2026-03-10', createdBy: null },
    ]);
    const { rows } = await sql<{ actor_id: string | null; payload: Record<string, unknown> }>`
      select actor_id, payload from events.outbox where type = 'allowance.changed' and entity_id = ${allowance.id}`.execute(graph.database.handle.root);
    expect(rows).toEqual([{ actor_id: null, payload: { userId: irregular.id, leaveTypeId: types.hoursVacation, year: 2026, cause: 'ACCRUED' } }]);
    expect((await accrualEntries(submissionId))[0]?.created_by).toBeNull();
  });

  it('should accrue once per submission however often it arrives', async () => {
    const submissionId = randomUUID();
    const before = (await allowanceOf(irregular.id, types.hoursVacation)).accrued;
    await recordHours({ userId: irregular.id, date: '2026-03-11', hoursWorked: '5', leaveTypeId: types.hoursVacation, submissionId });
    await consumer.catchUp();
    await recordHours({ userId: irregular.id, date: '2026-03-11', hoursWorked: '5', leaveTypeId: types.hoursVacation, submissionId });
    await recordHours({ userId: irregular.id, date: '2026-03-11', hoursWorked: '5', leaveTypeId: types.hoursVacation, submissionId });
    await consumer.catchUp();
    await consumer.catchUp();
    expect(await accrualEntries(submissionId)).toHaveLength(1);
    const after = await allowanceOf(irregular.id, types.hoursVacation);
    expect(after.accrued).toBe(Math.round((before + 0.6035) * 10_000) / 10_000);
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from events.outbox where type = 'allowance.changed' and entity_id = ${after.id}`.execute(graph.database.handle.root);
    expect(rows[0]?.n).toBe(2);
  });

  it('should convert hours to days for a type counted in days', async () => {
    const flat = await recordHours({ userId: irregular.id, date: '2026-04-01', hoursWorked: '8', leaveTypeId: types.daysOther });
    const patterned = await recordHours({ userId: irregularWithPattern.id, date: '2026-04-01', hoursWorked: '10', leaveTypeId: types.daysOther });
    await consumer.catchUp();
    expect((await accrualEntries(flat))[0]?.amount).toBe('0.1207');
    expect((await accrualEntries(patterned))[0]?.amount).toBe('0.2012');
    expect(await allowanceOf(irregularWithPattern.id, types.daysOther)).toMatchObject({ unit: 'DAYS', accrued: 0.2012, remaining: 0.2012 });
  });

  it('should use the organization’s default type when none, a deactivated one or another organization’s is given', async () => {
    const given = [null, types.retired, types.otherOrg, randomUUID(), 'not-an-id'];
    const submissions: string[] = [];
    for (const leaveTypeId of given) {
      submissions.push(await recordHours({ userId: irregularWithPattern.id, date: '2026-05-01', hoursWorked: '1', leaveTypeId }));
    }
    await consumer.catchUp();
    const allowance = await allowanceOf(irregularWithPattern.id, types.hoursVacation);
    for (const submissionId of submissions) {
      const [entry] = await accrualEntries(submissionId);
      expect(entry?.allowance_id).toBe(allowance.id);
    }
    expect(allowance.accrued).toBe(0.6035);
    const retired = await graph.leaveDb.selectFrom('allowances').select('id').where('leave_type_id', 'in', [types.retired, types.otherOrg]).execute();
    expect(retired).toEqual([]);
  });

  it('should accrue into the leave year containing the day worked', async () => {
    const december = await recordHours({ userId: irregular.id, date: '2025-12-31', hoursWorked: '2', leaveTypeId: types.hoursVacation });
    const january = await recordHours({ userId: irregular.id, date: '2027-01-01', hoursWorked: '3', leaveTypeId: types.hoursVacation });
    await consumer.catchUp();
    expect(await allowanceOf(irregular.id, types.hoursVacation, 2025)).toMatchObject({ year: 2025, accrued: 0.2414 });
    expect(await allowanceOf(irregular.id, types.hoursVacation, 2027)).toMatchObject({ year: 2027, accrued: 0.3621 });
    expect((await accrualEntries(december))[0]?.effective_date).toBe('2025-12-31');
    expect((await accrualEntries(january))[0]?.effective_date).toBe('2027-01-01');
  });

  it('should accrue nothing for workers who are not on irregular hours', async () => {
    const submissionId = await recordHours({ userId: fullTime.id, date: '2026-03-10', hoursWorked: '40', leaveTypeId: types.hoursVacation });
    await consumer.catchUp();
    expect(await accrualEntries(submissionId)).toEqual([]);
    expect((await allowanceOf(fullTime.id, types.hoursVacation)).accrued).toBe(0);
  });

  it('should skip malformed events, unknown people and other organizations’ people, and go on with the next', async () => {
    await recordRaw({ userId: irregular.id, date: '2026-02-30', hoursWorked: '1', leaveTypeId: null, submissionId: randomUUID() });
    await recordRaw({ userId: irregular.id, date: '2026-02-01', hoursWorked: '-1', leaveTypeId: null, submissionId: randomUUID() });
    await recordRaw({ userId: irregular.id, date: '2026-02-01', hoursWorked: 8, leaveTypeId: null, submissionId: randomUUID() });
    await recordRaw({ userId: irregular.id, date: '2026-02-01', hoursWorked: '1', leaveTypeId: null });
    const unknown = await recordHours({ userId: randomUUID(), date: '2026-02-01', hoursWorked: '1' });
    const foreign = await recordHours({ userId: irregular.id, date: '2026-02-01', hoursWorked: '1', leaveTypeId: types.otherOrg }, other.id);
    const good = await recordHours({ userId: irregular.id, date: '2026-02-02', hoursWorked: '1', leaveTypeId: types.hoursVacation });
    await consumer.catchUp();
    expect(await accrualEntries(unknown)).toEqual([]);
    expect(await accrualEntries(foreign)).toEqual([]);
    expect(await accrualEntries(good)).toHaveLength(1);
    const strays = await graph.leaveDb.selectFrom('allowance_ledger').select('id').where('effective_date', '=', '2026-02-01').execute();
    expect(strays).toEqual([]);
  });

  it('should skip an organization without a vacation type to accrue into', async () => {
    const loner = await other.addUser({ employmentType: 'IRREGULAR_HOURS', workingPattern: ZEROS });
    await graph.leave.catchUpDirectory();
    dataOf(await graph.gql(other.admin.key, 'mutation($id: ID!) { deactivateLeaveType(id: $id) { id } }', { id: types.otherOrg }));
    const submissionId = await recordHours({ userId: loner.id, date: '2026-03-01', hoursWorked: '8' }, other.id);
    await consumer.catchUp();
    expect(await accrualEntries(submissionId)).toEqual([]);
  });

  it('should wait for the directory while the person’s own events are still on the way', async () => {
    const payload = { userId: randomUUID(), date: '2026-03-01', hoursWorked: '8', leaveTypeId: null, submissionId: randomUUID() };
    const event: OutboxEvent = {
      id: Number.MAX_SAFE_INTEGER,
      orgId: org.id,
      type: 'hours_worked.recorded',
      entityType: 'HoursWorked',
      entityId: payload.submissionId,
      actorId: null,
      payload,
      occurredAt: NOW,
    };
    const root = graph.database.handle.root;
    // The person's creation is in the outbox (uncommitted, so no directory consumer has
    // applied it): the accrual must fail to be retried, not be dropped.
    await expect(
      root.transaction().execute(async (trx) => {
        await appendEvents(trx as never, [
          { orgId: org.id, type: 'user.created', entityType: 'User', entityId: payload.userId, actorId: null, payload: { id: payload.userId } },
        ]);
        await applyHoursWorked(event, trx as Transaction<unknown>);
      }),
    ).rejects.toThrow(/directory has not caught up/);
    // Without such an event the person does not exist: the accrual is skipped.
    await root.transaction().execute((trx) => applyHoursWorked(event, trx as Transaction<unknown>));
    expect(await accrualEntries(payload.submissionId)).toEqual([]);
  });

  it('should apply revisions of one day in one batch in order, each against what the earlier left', async () => {
    const entryId = randomUUID();
    const date = '2026-04-06';
    const before = await graph.database.handle.root
      .selectFrom('events.outbox' as never)
      .select(sql<number>`coalesce(max(id), 0)`.as('max'))
      .executeTakeFirstOrThrow();
    const [first, second, moved] = await recordMany([
      { userId: irregular.id, date, hoursWorked: '8', leaveTypeId: types.hoursVacation, entryId },
      { userId: irregular.id, date, hoursWorked: '10', leaveTypeId: types.hoursVacation, entryId, previousHoursWorked: '8' },
      { userId: irregular.id, date, hoursWorked: '10', leaveTypeId: types.daysVacation, entryId, previousHoursWorked: '10' },
    ]);
    await consumer.catchUp();
    const lines = await graph.leaveDb.selectFrom('allowance_ledger').selectAll().where('source_group', '=', entryId).orderBy('created_at').orderBy('id').execute();
    const hoursAllowance = (await allowanceOf(irregular.id, types.hoursVacation)).id;
    const daysAllowance = (await allowanceOf(irregular.id, types.daysVacation)).id;
    const summary = lines.map((l) => [l.source_id, l.allowance_id, l.kind, Number(l.amount)]);
    expect(summary).toEqual(
      expect.arrayContaining([
        [first, hoursAllowance, 'ACCRUAL', 0.9656],
        [second, hoursAllowance, 'ACCRUAL_CORRECTION', 0.2414],
        [`${moved}:from:${hoursAllowance}`, hoursAllowance, 'ACCRUAL_CORRECTION', -1.207],
        [moved, daysAllowance, 'ACCRUAL_CORRECTION', 0.1509],
      ]),
    );
    expect(summary).toHaveLength(4);
    // One allowance.changed per allowance the batch changed.
    const events = await graph.database.handle.root
      .selectFrom('events.outbox' as never)
      .select(['entity_id' as never])
      .where('id' as never, '>', before.max as never)
      .where('type' as never, '=', 'allowance.changed' as never)
      .execute();
    expect((events as { entity_id: string }[]).map((e) => e.entity_id).sort()).toEqual([hoursAllowance, daysAllowance].sort());
  });

  it('should apply a batch in a number of statements that does not grow with its size', async () => {
    // Only this suite's consumer runs while it is measured, and only its statements are counted.
    const restartLeave = await graph.stopService('leave');
    const handle = graph.database.handle;
    const counter: KyselyPlugin = {
      transformQuery: (args) => {
        statements++;
        return args.node;
      },
      transformResult: async (args) => args.result,
    };
    const counted = createAccrualConsumer({ ...handle, root: handle.root.withPlugin(counter) });
    try {
      const measure = async (days: number, firstDay: number) => {
        const list = Array.from({ length: days }, (_, i) => ({
          userId: i % 2 === 0 ? irregular.id : irregularWithPattern.id,
          date: `2026-05-${String(firstDay + Math.floor(i / 2)).padStart(2, '0')}`,
          hoursWorked: String(4 + (i % 5)),
          leaveTypeId: types.hoursVacation,
          entryId: randomUUID(),
        }));
        const ids = await recordMany(list);
        statements = 0;
        await counted.catchUp();
        const written = await graph.leaveDb.selectFrom('allowance_ledger').select('id').where('source_id', 'in', ids).execute();
        expect(written).toHaveLength(days);
        return statements;
      };
      const few = await measure(4, 1);
      const many = await measure(40, 3);
      expect(many).toBe(few);
    } finally {
      await restartLeave();
    }
  });

  it('should run inside the leave server without anyone calling catchUp', async () => {
    const submissionId = await recordHours({ userId: irregular.id, date: '2026-03-12', hoursWorked: '2', leaveTypeId: types.hoursVacation });
    const deadline = Date.now() + 10_000;
    while ((await accrualEntries(submissionId)).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await accrualEntries(submissionId)).toHaveLength(1);
  });
});
