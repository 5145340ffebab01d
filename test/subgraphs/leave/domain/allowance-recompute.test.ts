import { randomUUID } from 'node:crypto';
import { createClient, type Client } from 'graphql-ws';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { applyPeopleEvent } from '../../../../subgraphs/leave/domain/directory-consumer.ts';
import { entitlementFieldsChanged, personChangeReason } from '../../../../subgraphs/leave/domain/allowance-recompute.ts';
import { findOrganizations } from '../../../../subgraphs/people/db/repositories/organizations.ts';
import { organizationEvent } from '../../../../subgraphs/people/events.ts';
import { appendEvents, readEvents } from '../../../../subgraphs/shared/outbox.ts';
import { createTestOrg, startTestGraph, type TestGraph, type TestOrg, type TestUser } from '../../../helpers/graph.ts';
import { dataOf } from '../../../helpers/assertions.ts';

// The clock of the leave subgraph (and of its directory consumer): 15 March 2026 unless a test moves it.
const NOW = new Date('2026-03-15T12:00:00Z');
let now = NOW;

const FIVE_DAYS = { monday: 8, tuesday: 8, wednesday: 8, thursday: 8, friday: 8 };
const THREE_DAYS = { monday: 8, tuesday: 8, wednesday: 8 };
const SEVEN_AND_A_HALF = ['7.5', '7.5', '7.5', '7.5', '7.5', '0', '0'];

let graph: TestGraph;
let org: TestOrg;
let other: TestOrg;
let admin: string;
const clients: Client[] = [];

interface LedgerLine {
  kind: string;
  amount: number;
  reason: string;
  effectiveDate: string;
  createdBy: { id: string } | null;
}

interface Allowance {
  id: string;
  year: number;
  unit: string;
  baseEntitlement: number;
  entitlement: number;
  accrued: number;
  used: number;
  remaining: number;
  ledger: { totalCount: number; nodes: LedgerLine[] };
}

async function allowanceOf(userId: string, leaveTypeId: string, year: number, key = admin): Promise<Allowance> {
  const res = await graph.gql<{ allowance: Allowance }>(
    key,
    `query($u: ID!, $t: ID!, $y: Int) { allowance(userId: $u, leaveTypeId: $t, year: $y) {
      id year unit baseEntitlement entitlement accrued used remaining
      ledger(first: 100) { totalCount nodes { kind amount reason effectiveDate createdBy { id } } } } }`,
    { u: userId, t: leaveTypeId, y: year },
  );
  return dataOf(res).allowance;
}

let typeCounter = 0;
async function createType(key: string, input: Record<string, unknown>): Promise<string> {
  typeCounter++;
  const res = await graph.gql<{ createLeaveType: { id: string } }>(key, 'mutation($input: CreateLeaveTypeInput!) { createLeaveType(input: $input) { id } }', {
    input: { name: `Recompute type ${typeCounter}`, code: `RC${typeCounter}`, ...input },
  });
  return dataOf(res).createLeaveType.id;
}

async function updateUser(userId: string, input: Record<string, unknown>, key = admin): Promise<void> {
  dataOf(await graph.gql(key, 'mutation($id: ID!, $input: UpdateUserInput!) { updateUser(id: $id, input: $input) { id } }', { id: userId, input }));
  await graph.leave.catchUpDirectory();
}

async function setFullTimeWeek(hours: number, key = admin): Promise<void> {
  dataOf(await graph.gql(key, 'mutation($h: Float) { updateOrganization(input: { fullTimeWeeklyHours: $h }) { fullTimeWeeklyHours } }', { h: hours }));
  await graph.leave.catchUpDirectory();
}

async function addUser(target: TestOrg, values: Parameters<TestOrg['addUser']>[0] = {}): Promise<TestUser> {
  const user = await target.addUser(values);
  await graph.leave.catchUpDirectory();
  return user;
}

/** What the database holds for a person's allowances: ledger lines and `allowance.changed` events, to prove "nothing written". */
async function writesOf(userId: string): Promise<{ ledger: number; events: number; updated: string[] }> {
  const ledger = await graph.leaveDb
    .selectFrom('allowance_ledger as l')
    .innerJoin('allowances as a', 'a.id', 'l.allowance_id')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('a.user_id', '=', userId)
    .executeTakeFirstOrThrow();
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from events.outbox where type = 'allowance.changed' and payload->>'userId' = ${userId}`.execute(graph.database.handle.root);
  const allowances = await graph.leaveDb.selectFrom('allowances').select(['updated_at']).where('user_id', '=', userId).orderBy('id').execute();
  return { ledger: ledger.n, events: rows[0]?.n ?? 0, updated: allowances.map((a) => a.updated_at.toISOString()) };
}

async function recomputedEvents(allowanceId: string): Promise<{ actor_id: string | null; payload: Record<string, unknown> }[]> {
  const { rows } = await sql<{ actor_id: string | null; payload: Record<string, unknown> }>`
    select actor_id, payload from events.outbox
    where type = 'allowance.changed' and entity_id = ${allowanceId} and payload->>'cause' = 'RECOMPUTED' order by id`.execute(graph.database.handle.root);
  return rows;
}

/** Publishes `hours_worked.recorded` as the time subgraph will. */
async function recordHours(orgId: string, userId: string, date: string, hoursWorked: string, leaveTypeId: string): Promise<void> {
  const submissionId = randomUUID();
  await graph.database.handle.root.transaction().execute(async (trx) => {
    await appendEvents(trx as never, [
      { orgId, type: 'hours_worked.recorded', entityType: 'HoursWorked', entityId: submissionId, actorId: null, payload: { userId, date, hoursWorked, leaveTypeId, submissionId } },
    ]);
  });
}

beforeAll(async () => {
  graph = await startTestGraph({ now: () => now });
  org = await createTestOrg(graph.peopleDb);
  other = await createTestOrg(graph.peopleDb);
  admin = org.admin.key;
  await graph.leave.catchUpDirectory();
});
afterAll(async () => {
  for (const client of clients) await client.dispose();
  await graph.stop();
});

describe('allowances follow the person', () => {
  it('should recompute this year and next after a mid-year working pattern change, never last year', async () => {
    const type = await createType(admin, { defaultEntitlement: 25 });
    const person = await addUser(org);
    const [last, current, next] = [await allowanceOf(person.id, type, 2025), await allowanceOf(person.id, type, 2026), await allowanceOf(person.id, type, 2027)];
    expect([last.entitlement, current.entitlement, next.entitlement]).toEqual([25, 25, 25]);

    await updateUser(person.id, { workingPattern: THREE_DAYS });

    const after = [await allowanceOf(person.id, type, 2025), await allowanceOf(person.id, type, 2026), await allowanceOf(person.id, type, 2027)];
    expect(after.map((a) => [a.id, a.entitlement, a.remaining])).toEqual([
      [last.id, 25, 25],
      [current.id, 15, 15],
      [next.id, 15, 15],
    ]);
    expect(after[0]?.ledger.totalCount).toBe(0);
    expect(after[1]?.ledger.nodes).toEqual([
      {
        kind: 'RECOMPUTED',
        amount: -10,
        reason: 'Working pattern changed: 5 to 3 days a week, entitlement 25 to 15 days',
        effectiveDate: '2026-03-15',
        createdBy: { id: org.admin.id },
      },
    ]);
    // A future year's line takes effect when that year starts.
    expect(after[2]?.ledger.nodes).toMatchObject([{ kind: 'RECOMPUTED', amount: -10, effectiveDate: '2027-01-01' }]);
    expect(await recomputedEvents(last.id)).toEqual([]);
    for (const a of [current, next]) {
      expect(await recomputedEvents(a.id)).toEqual([
        { actor_id: org.admin.id, payload: { userId: person.id, leaveTypeId: type, year: a.year, cause: 'RECOMPUTED' } },
      ]);
    }
  });

  it('should keep what was used and count it against the new entitlement', async () => {
    const type = await createType(admin, { defaultEntitlement: 25, allowNegativeBalance: true });
    const person = await addUser(org);
    const allowance = await allowanceOf(person.id, type, 2026);
    await graph.leaveDb
      .insertInto('leave_requests')
      .values({
        org_id: org.id,
        user_id: person.id,
        leave_type_id: type,
        department_id: null,
        allowance_id: allowance.id,
        status: 'APPROVED',
        start_date: '2026-02-02',
        end_date: '2026-02-13',
        first_day_portion: 'FULL_DAY',
        last_day_portion: 'FULL_DAY',
        first_day_hours: null,
        last_day_hours: null,
        unit: 'DAYS',
        amount: '10',
        hours: '80',
        reason: null,
        comment: null,
        decided_by: null,
        decided_at: null,
        decision_note: null,
        created_by: person.id,
      })
      .execute();
    await updateUser(person.id, { workingPattern: { monday: 8, tuesday: 8 }, employmentType: 'PART_TIME' });
    expect(await allowanceOf(person.id, type, 2026)).toMatchObject({ entitlement: 10, used: 10, remaining: 0 });
  });

  it('should write nothing for a replayed or unchanged snapshot', async () => {
    const type = await createType(admin, { defaultEntitlement: 25 });
    const person = await addUser(org);
    await allowanceOf(person.id, type, 2026);
    await updateUser(person.id, { workingPattern: THREE_DAYS });
    const before = await writesOf(person.id);
    expect(before.ledger).toBe(1);

    // The same snapshot applied again (a replay after a crash, a second instance).
    const [last] = (await readEvents(graph.database.handle.root, 0, 100_000)).filter((e) => e.entityId === person.id).slice(-1);
    await graph.database.handle.root.transaction().execute((trx) => applyPeopleEvent(last!, trx, now));
    // A newer snapshot that changes nothing that counts: a new name, the same pattern again.
    await updateUser(person.id, { firstName: 'Renamed' });
    await updateUser(person.id, { workingPattern: THREE_DAYS });
    // Hours moved around the same three days: days allowances do not change.
    await updateUser(person.id, { workingPattern: { monday: 4, tuesday: 8, wednesday: 10 } });

    expect(await writesOf(person.id)).toEqual(before);
    expect((await allowanceOf(person.id, type, 2026)).entitlement).toBe(15);
  });

  it('should recompute after a change of the employment start date', async () => {
    const type = await createType(admin, { defaultEntitlement: 25 });
    const person = await addUser(org);
    await allowanceOf(person.id, type, 2026);
    const next = await allowanceOf(person.id, type, 2027);
    await updateUser(person.id, { employmentStartDate: '2026-07-01' });
    const current = await allowanceOf(person.id, type, 2026);
    // 25 × 184/365 = 12.6 -> 13 (up to the half day).
    expect(current.entitlement).toBe(13);
    expect(current.ledger.nodes.map((l) => l.reason)).toEqual(['Employment start date changed: 2020-01-06 to 2026-07-01, entitlement 25 to 13 days']);
    // Next year is a whole year of employment either way: no line.
    expect(await allowanceOf(person.id, type, 2027)).toMatchObject({ id: next.id, entitlement: 25, ledger: { totalCount: 0 } });
    await updateUser(person.id, { employmentStartDate: null });
    expect((await allowanceOf(person.id, type, 2026)).ledger.nodes.map((l) => l.reason)).toEqual([
      'Employment start date changed: 2020-01-06 to 2026-07-01, entitlement 25 to 13 days',
      'Employment start date changed: 2026-07-01 to none, entitlement 13 to 25 days',
    ]);
  });

  it('should give an irregular-hours worker 0 and let them accrue 12.07% of hours worked, and give the entitlement back when they return', async () => {
    const days = await createType(admin, { defaultEntitlement: 25 });
    const person = await addUser(org);
    expect((await allowanceOf(person.id, days, 2026)).entitlement).toBe(25);
    await updateUser(person.id, {
      employmentType: 'IRREGULAR_HOURS',
      workingPattern: { monday: 0 },
    });
    const irregular = await allowanceOf(person.id, days, 2026);
    expect(irregular).toMatchObject({ entitlement: 0, remaining: 0 });
    expect(irregular.ledger.nodes).toMatchObject([
      {
        kind: 'RECOMPUTED',
        amount: -25,
        reason: 'Working pattern changed: 5 to 0 days a week; Employment type changed: FULL_TIME to IRREGULAR_HOURS (holiday accrues from hours worked), entitlement 25 to 0 days',
      },
    ]);
    // From now on holiday accrues from hours worked: 40 h × 12.07% / 8 h days = 0.6035 days.
    await recordHours(org.id, person.id, '2026-03-16', '40', days);
    await graph.leave.catchUpDirectory();
    await expect.poll(async () => (await allowanceOf(person.id, days, 2026)).accrued, { timeout: 10_000 }).toBe(0.6035);
    expect(await allowanceOf(person.id, days, 2026)).toMatchObject({ entitlement: 0, remaining: 0.6035 });

    // Back to a fixed pattern: the entitlement is the pro-rated default again, accruals stay.
    await updateUser(person.id, { employmentType: 'FULL_TIME', workingPattern: FIVE_DAYS });
    const back = await allowanceOf(person.id, days, 2026);
    expect(back).toMatchObject({ entitlement: 25, accrued: 0.6035, remaining: 25.6035 });
    expect(back.ledger.nodes.filter((l) => l.kind === 'RECOMPUTED').map((l) => l.reason)).toEqual([
      'Working pattern changed: 5 to 0 days a week; Employment type changed: FULL_TIME to IRREGULAR_HOURS (holiday accrues from hours worked), entitlement 25 to 0 days',
      'Working pattern changed: 0 to 5 days a week; Employment type changed: IRREGULAR_HOURS to FULL_TIME, entitlement 0 to 25 days',
    ]);
  });

  it('should keep an admin-set base and pro-rate it for the new pattern', async () => {
    const type = await createType(admin, { defaultEntitlement: 25 });
    const person = await addUser(org);
    dataOf(
      await graph.gql(admin, 'mutation($input: SetAllowanceInput!) { setAllowance(input: $input) { id } }', {
        input: { userId: person.id, leaveTypeId: type, year: 2026, baseEntitlement: 30 },
      }),
    );
    await updateUser(person.id, { workingPattern: THREE_DAYS });
    const allowance = await allowanceOf(person.id, type, 2026);
    expect(allowance).toMatchObject({ baseEntitlement: 30, entitlement: 18 });
    expect(allowance.ledger.nodes.map((l) => l.reason)).toEqual(['Working pattern changed: 5 to 3 days a week, entitlement 30 to 18 days']);
  });

  it('should decide which years are over in the organization time zone', async () => {
    const zoned = await createTestOrg(graph.peopleDb);
    dataOf(await graph.gql(zoned.admin.key, 'mutation { updateOrganization(input: { timeZone: "Pacific/Auckland" }) { id } }'));
    const type = await createType(zoned.admin.key, { defaultEntitlement: 25 });
    const person = await addUser(zoned);
    now = new Date('2026-12-31T12:00:00Z'); // noon on 31 December in London, 1 a.m. on 1 January 2027 in Auckland (UTC+13)
    try {
      await allowanceOf(person.id, type, 2026, zoned.admin.key);
      await allowanceOf(person.id, type, 2027, zoned.admin.key);
      await updateUser(person.id, { workingPattern: THREE_DAYS }, zoned.admin.key);
      expect((await allowanceOf(person.id, type, 2026, zoned.admin.key)).entitlement).toBe(25);
      expect(await allowanceOf(person.id, type, 2027, zoned.admin.key)).toMatchObject({ entitlement: 15, ledger: { nodes: [{ effectiveDate: '2027-01-01' }] } });
    } finally {
      now = NOW;
    }
  });

  it('should deliver the recomputation to allowance subscribers', async () => {
    const type = await createType(admin, { defaultEntitlement: 25 });
    const person = await addUser(org);
    await allowanceOf(person.id, type, 2026);
    const client = createClient({ url: `${graph.gateway.url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { 'X-Api-Key': admin }, retryAttempts: 0 });
    clients.push(client);
    const received: unknown[] = [];
    const dispose = client.subscribe(
      { query: 'subscription($u: ID) { allowanceEvents(filter: { userId: $u, causes: [RECOMPUTED] }) { cause allowance { year entitlement ledger(first: 5) { nodes { kind reason } } } } }', variables: { u: person.id } },
      { next: (r) => void received.push(r.data), error: () => undefined, complete: () => undefined },
    );
    await new Promise((r) => setTimeout(r, 700));
    await updateUser(person.id, { workingPattern: { monday: 8, tuesday: 8, wednesday: 8, thursday: 8 } });
    await expect.poll(() => received.length, { timeout: 10_000 }).toBe(1);
    expect(received[0]).toEqual({
      allowanceEvents: {
        cause: 'RECOMPUTED',
        allowance: { year: 2026, entitlement: 20, ledger: { nodes: [{ kind: 'RECOMPUTED', reason: 'Working pattern changed: 5 to 4 days a week, entitlement 25 to 20 days' }] } },
      },
    });
    dispose();
  });
});

describe('the full-time week', () => {
  it('should give a 5 × 7.5 h person the whole hours entitlement in a 37.5 h organization and recompute only open years', async () => {
    const hoursOrg = await createTestOrg(graph.peopleDb);
    const key = hoursOrg.admin.key;
    const hours = await createType(key, { unit: 'HOURS', defaultEntitlement: 200 });
    const days = await createType(key, { defaultEntitlement: 25 });
    const person = await addUser(hoursOrg, { workingPattern: SEVEN_AND_A_HALF });
    const fullTimer = await addUser(hoursOrg);
    const last = await allowanceOf(person.id, hours, 2025, key);
    const current = await allowanceOf(person.id, hours, 2026, key);
    const fullTimerCurrent = await allowanceOf(fullTimer.id, hours, 2026, key);
    const daysCurrent = await allowanceOf(person.id, days, 2026, key);
    // 37.5 of the default 40 hours: 187.5 of 200.
    expect([last.entitlement, current.entitlement, fullTimerCurrent.entitlement, daysCurrent.entitlement]).toEqual([187.5, 187.5, 200, 25]);

    await setFullTimeWeek(37.5, key);

    const after = await allowanceOf(person.id, hours, 2026, key);
    expect(after.entitlement).toBe(200);
    expect(after.ledger.nodes).toEqual([
      { kind: 'RECOMPUTED', amount: 12.5, reason: 'Full-time week changed: 40 to 37.5 hours, entitlement 187.5 to 200 hours', effectiveDate: '2026-03-15', createdBy: { id: hoursOrg.admin.id } },
    ]);
    expect(await allowanceOf(person.id, hours, 2025, key)).toMatchObject({ entitlement: 187.5, ledger: { totalCount: 0 } });
    // Already capped at full time, and days allowances do not depend on the week: untouched.
    expect(await allowanceOf(fullTimer.id, hours, 2026, key)).toMatchObject({ entitlement: 200, ledger: { totalCount: 0 } });
    expect(await allowanceOf(person.id, days, 2026, key)).toMatchObject({ entitlement: 25, ledger: { totalCount: 0 } });
    // A year first read after the change is computed against the new week.
    expect((await allowanceOf(person.id, hours, 2027, key)).entitlement).toBe(200);
    expect(await recomputedEvents(current.id)).toEqual([
      { actor_id: hoursOrg.admin.id, payload: { userId: person.id, leaveTypeId: hours, year: 2026, cause: 'RECOMPUTED' } },
    ]);

    // The same week again changes nothing.
    const writes = await writesOf(person.id);
    await setFullTimeWeek(37.5, key);
    expect(await writesOf(person.id)).toEqual(writes);

    // A longer week lowers everyone below it, the full-timer included.
    await setFullTimeWeek(48, key);
    expect((await allowanceOf(person.id, hours, 2026, key)).entitlement).toBe(156.25);
    expect((await allowanceOf(fullTimer.id, hours, 2026, key)).ledger.nodes.map((l) => l.reason)).toEqual([
      'Full-time week changed: 37.5 to 48 hours, entitlement 200 to 166.67 hours',
    ]);
  });

  it("should never touch another organization's allowances", async () => {
    const mine = await createTestOrg(graph.peopleDb);
    const hours = await createType(mine.admin.key, { unit: 'HOURS', defaultEntitlement: 200 });
    const theirs = await createType(other.admin.key, { unit: 'HOURS', defaultEntitlement: 200 });
    const person = await addUser(mine, { workingPattern: SEVEN_AND_A_HALF });
    const stranger = await addUser(other, { workingPattern: SEVEN_AND_A_HALF });
    await allowanceOf(person.id, hours, 2026, mine.admin.key);
    await allowanceOf(stranger.id, theirs, 2026, other.admin.key);
    const strangerWrites = await writesOf(stranger.id);
    await setFullTimeWeek(37.5, mine.admin.key);
    expect((await allowanceOf(person.id, hours, 2026, mine.admin.key)).entitlement).toBe(200);
    expect(await allowanceOf(stranger.id, theirs, 2026, other.admin.key)).toMatchObject({ entitlement: 187.5, ledger: { totalCount: 0 } });
    expect(await writesOf(stranger.id)).toEqual(strangerWrites);
  });
});

describe('the cost of a recomputation', () => {
  /** Statements the directory consumer runs to apply a new full-time week to an organization with `people` hours allowances. */
  async function statementsForFullTimeWeekChange(people: number): Promise<number> {
    const target = await createTestOrg(graph.peopleDb);
    const hours = await createType(target.admin.key, { unit: 'HOURS', defaultEntitlement: 200 });
    const users: TestUser[] = [];
    for (let i = 0; i < people; i++) users.push(await target.addUser({ workingPattern: SEVEN_AND_A_HALF }));
    await graph.leave.catchUpDirectory();
    for (const user of users) await allowanceOf(user.id, hours, 2026, target.admin.key);
    const [row] = await findOrganizations(graph.peopleDb, [target.id]);
    // Applied here, not by the running consumer, to count its statements: an id above any real one.
    const event = { ...organizationEvent({ ...row!, full_time_weekly_hours: '37.50' }, 'updated', null), id: 2 ** 40 + people, occurredAt: new Date() };
    let statements = 0;
    const counting = graph.database.handle.root.withPlugin({
      transformQuery: (args) => args.node,
      transformResult: async (args) => {
        statements++;
        return args.result;
      },
    });
    await counting.transaction().execute((trx) => applyPeopleEvent(event, trx, now));
    for (const user of users) expect((await allowanceOf(user.id, hours, 2026, target.admin.key)).entitlement).toBe(200);
    return statements;
  }

  it('should run as many statements for 25 hours allowances as for 2', async () => {
    const two = await statementsForFullTimeWeekChange(2);
    const many = await statementsForFullTimeWeekChange(25);
    console.log(`full-time week change: 2 allowances -> ${two} statements, 25 allowances -> ${many} statements`);
    expect(many).toBe(two);
    expect(two).toBeLessThanOrEqual(10);
  });
});

describe('personChangeReason', () => {
  const person = (values: Partial<Parameters<typeof personChangeReason>[0]> = {}) => ({
    employment_type: 'FULL_TIME' as const,
    working_pattern: ['8.00', '8.00', '8.00', '8.00', '8.00', '0.00', '0.00'],
    employment_start_date: '2020-01-06',
    ...values,
  });

  it('should say what changed in the terms of the unit', () => {
    const threeDays = person({ working_pattern: ['7.50', '7.50', '7.50', '0', '0', '0', '0'] });
    expect(personChangeReason(person(), threeDays, 'DAYS')).toBe('Working pattern changed: 5 to 3 days a week');
    expect(personChangeReason(person(), threeDays, 'HOURS')).toBe('Working pattern changed: 40 to 22.5 hours a week');
    expect(personChangeReason(person(), person({ employment_type: 'PART_TIME' }), 'DAYS')).toBe('Employment type changed: FULL_TIME to PART_TIME');
  });

  it('should tell a change that matters from one that does not', () => {
    expect(entitlementFieldsChanged(person(), person({ working_pattern: ['8', '8', '8', '8', '8', '0', '0'] }))).toBe(false);
    expect(entitlementFieldsChanged(person(), person({ working_pattern: ['8', '8', '8', '8', '7.99', '0', '0'] }))).toBe(true);
    expect(entitlementFieldsChanged(person(), person({ employment_start_date: null }))).toBe(true);
    expect(entitlementFieldsChanged(person(), person({ employment_type: 'IRREGULAR_HOURS' }))).toBe(true);
  });
});
