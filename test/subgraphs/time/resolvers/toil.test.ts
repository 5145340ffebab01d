import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestOrg, startTestGraph, type TestGraph, type TestOrg } from '../../../helpers/graph.ts';
import { adjust, addOvertimeType, addPerson, balanceOf, dataOf, decided, expectError, NOW, submitted } from '../time-fixtures.ts';

let graph: TestGraph;
let org: TestOrg;
let other: TestOrg;

beforeAll(async () => {
  graph = await startTestGraph({ now: () => NOW });
  org = await createTestOrg(graph.peopleDb);
  other = await createTestOrg(graph.peopleDb);
  await graph.time.catchUpDirectory();
});
afterAll(() => graph.stop());

const ledgerOf = async (key: string, userId: string) => {
  const res = await graph.gql<{ user: { toilBalance: { ledger: { totalCount: number; nodes: { kind: string; hours: number; reason: string; lot: { earnedOn: string } }[] }; lots: { nodes: { earnedOn: string; hours: number; used: number; expiresOn: string | null; active: boolean }[] } } } }>(
    key,
    'query($id: ID!) { user(id: $id) { toilBalance { ledger(first: 50) { totalCount nodes { kind hours reason lot { earnedOn } } } lots { nodes { earnedOn hours used expiresOn active } } } } }',
    { id: userId },
  );
  return dataOf(res).user.toilBalance;
};

describe('TOIL balance', () => {
  it('should use the oldest unexpired lots first, across an expiry', async () => {
    const person = await addPerson(graph, org);
    dataOf(await adjust(graph, org.admin.key, person.id, 4, 'Spring stocktake', '2026-03-20'));
    dataOf(await adjust(graph, org.admin.key, person.id, 6, 'May release', '2026-05-01'));
    // Today (15 June) both lots are usable: 3 hours come from the March lot.
    const afterFirst = dataOf(await adjust(graph, org.admin.key, person.id, -3, 'Took a morning')).adjustToil;
    expect(afterFirst).toMatchObject({ accrued: 10, used: 3, expired: 0, available: 7 });
    // On 22 June the March lot (expires 20 June) is gone: 2 hours come from the May lot alone.
    dataOf(await adjust(graph, org.admin.key, person.id, -2, 'Dentist', '2026-06-22'));
    const { ledger, lots } = await ledgerOf(org.admin.key, person.id);
    expect(ledger.nodes.filter((m) => m.kind === 'USED').map((m) => [m.lot.earnedOn, m.hours])).toEqual([['2026-03-20', -3], ['2026-05-01', -2]]);
    expect(lots.nodes).toEqual([
      { earnedOn: '2026-03-20', hours: 4, used: 3, expiresOn: '2026-06-20', active: true },
      { earnedOn: '2026-05-01', hours: 6, used: 2, expiresOn: '2026-08-01', active: true },
    ]);
    // More than the May lot has left on 22 June is refused, though today it would fit.
    const refused = expectError(await adjust(graph, org.admin.key, person.id, -4.5, 'Too much', '2026-06-22'), 'CONFLICT', { rule: 'INSUFFICIENT_TOIL' });
    expect(refused.extensions?.['available']).toBe(4);
  });

  it('should report hours expiring soon and the next expiry today, and forecast a later day', async () => {
    const person = await addPerson(graph, org);
    dataOf(await adjust(graph, org.admin.key, person.id, 2.5, 'Early', '2026-03-25'));
    dataOf(await adjust(graph, org.admin.key, person.id, 1.25, 'Later', '2026-04-30'));
    const today = await balanceOf(graph, person.key, person.id);
    expect(today).toEqual({ asOf: '2026-06-15', accrued: 3.75, used: 0, expired: 0, available: 3.75, hoursExpiringSoon: 2.5, nextExpiry: { date: '2026-06-25', hours: 2.5 } });
    const wider = await balanceOf(graph, person.key, person.id, undefined, 60);
    expect(wider.hoursExpiringSoon).toBe(3.75);
    const forecast = await balanceOf(graph, person.key, person.id, '2026-07-01');
    expect(forecast).toEqual({ asOf: '2026-07-01', accrued: 3.75, used: 0, expired: 2.5, available: 1.25, hoursExpiringSoon: 1.25, nextExpiry: { date: '2026-07-30', hours: 1.25 } });
    const later = await balanceOf(graph, person.key, person.id, '2026-08-01');
    expect(later).toMatchObject({ expired: 3.75, available: 0, hoursExpiringSoon: 0, nextExpiry: null });
  });

  it('should sum exactly, without float drift', async () => {
    const person = await addPerson(graph, org);
    for (const hours of [0.1, 0.2, 0.1, 0.2, 0.1]) dataOf(await adjust(graph, org.admin.key, person.id, hours, 'Bits', '2026-06-01'));
    expect((await balanceOf(graph, person.key, person.id)).available).toBe(0.7);
  });

  it('should follow the organization setting for expiry, null meaning never', async () => {
    const org2 = await createTestOrg(graph.peopleDb);
    await graph.time.catchUpDirectory();
    const person = await addPerson(graph, org2);
    const settings = (months: number | null) =>
      graph.gql<{ updateTimeSettings: { toilExpiryMonths: number | null } }>(org2.admin.key, 'mutation($m: Int) { updateTimeSettings(input: { toilExpiryMonths: $m }) { toilExpiryMonths } }', { m: months });
    expect(dataOf(await graph.gql<{ timeSettings: { toilExpiryMonths: number } }>(org2.admin.key, '{ timeSettings { toilExpiryMonths } }')).timeSettings.toilExpiryMonths).toBe(3);
    expect(dataOf(await settings(null)).updateTimeSettings.toilExpiryMonths).toBeNull();
    dataOf(await adjust(graph, org2.admin.key, person.id, 3, 'Forever', '2026-01-31'));
    expect(dataOf(await settings(1)).updateTimeSettings.toilExpiryMonths).toBe(1);
    dataOf(await adjust(graph, org2.admin.key, person.id, 2, 'One month', '2026-05-31'));
    const { lots } = await ledgerOf(org2.admin.key, person.id);
    expect(lots.nodes.map((l) => l.expiresOn)).toEqual([null, '2026-06-30']);
    expect((await balanceOf(graph, person.key, person.id, '2031-01-01')).available).toBe(3);
    expectError(await settings(0), 'BAD_USER_INPUT', 'input.toilExpiryMonths');
    expectError(await graph.gql(person.key, 'mutation { updateTimeSettings(input: { toilExpiryMonths: 2 }) { toilExpiryMonths } }'), 'FORBIDDEN');
    // Another organization keeps the default.
    expect(dataOf(await graph.gql<{ timeSettings: { toilExpiryMonths: number } }>(org.admin.key, '{ timeSettings { toilExpiryMonths } }')).timeSettings.toilExpiryMonths).toBe(3);
  });

  it('should refuse bad balance arguments and bad adjustments naming the field', async () => {
    const person = await addPerson(graph, org);
    const res = (asOf: string, within = 30) => graph.gql(person.key, 'query($id: ID!, $a: Date, $w: Int) { user(id: $id) { toilBalance(asOf: $a, expiringWithinDays: $w) { available } } }', { id: person.id, a: asOf, w: within });
    expectError(await res('2026-06-14'), 'BAD_USER_INPUT', 'asOf');
    expectError(await res('2040-01-01'), 'BAD_USER_INPUT', 'asOf');
    expectError(await res('2026-06-16', 0), 'BAD_USER_INPUT', 'expiringWithinDays');
    expectError(await adjust(graph, org.admin.key, person.id, 0, 'x'), 'BAD_USER_INPUT', 'input.hours');
    expectError(await adjust(graph, org.admin.key, person.id, 1.001, 'x'), 'BAD_USER_INPUT', 'input.hours');
    expectError(await adjust(graph, org.admin.key, person.id, 5000, 'x'), 'BAD_USER_INPUT', 'input.hours');
    expectError(await adjust(graph, org.admin.key, person.id, 1, ' '), 'BAD_USER_INPUT', 'input.reason');
    expectError(await adjust(graph, org.admin.key, person.id, 1, 'x', '1999-01-01'), 'BAD_USER_INPUT', 'input.date');
    expectError(await adjust(graph, org.admin.key, other.admin.id, 1, 'x'), 'BAD_USER_INPUT', 'input.userId');
    expectError(await adjust(graph, person.key, person.id, 1, 'x'), 'FORBIDDEN');
    expectError(await adjust(graph, org.admin.key, person.id, -1, 'Nothing there'), 'CONFLICT', { rule: 'INSUFFICIENT_TOIL' });
  });

  it('should show the balance only to the person, their managers and admins', async () => {
    const manager = await addPerson(graph, org, { role: 'MANAGER' });
    const person = await addPerson(graph, org, { managerId: manager.id });
    const colleague = await addPerson(graph, org);
    const weekend = await addOvertimeType(graph, org.admin.key, { name: `Weekend ${person.id.slice(0, 4)}`, code: `W${person.id.slice(0, 4)}`, compensation: 'TOIL', toilMultiplier: 2 });
    const s = await submitted(graph, person.key, { overtimeTypeId: weekend, date: '2026-06-13', hoursWorked: 1.5 });
    await decided(graph, manager.key, 'approve', s.id);
    expect((await balanceOf(graph, manager.key, person.id)).available).toBe(3);
    expect((await balanceOf(graph, org.admin.key, person.id)).available).toBe(3);
    const hidden = await graph.gql<{ user: { toilBalance: unknown } | null }>(colleague.key, 'query($id: ID!) { user(id: $id) { name toilBalance { available } } }', { id: person.id });
    expectError(hidden, 'FORBIDDEN');
  });

  it("should resolve a lot's submission with its fields, for the person and their manager", async () => {
    const manager = await addPerson(graph, org, { role: 'MANAGER' });
    const person = await addPerson(graph, org, { managerId: manager.id });
    const weekend = await addOvertimeType(graph, org.admin.key, { name: `Lot ${person.id.slice(0, 4)}`, code: `L${person.id.slice(0, 4)}`, compensation: 'TOIL', toilMultiplier: 1 });
    const s = await submitted(graph, person.key, { overtimeTypeId: weekend, date: '2026-06-12', hoursWorked: 2 });
    await decided(graph, manager.key, 'approve', s.id);
    for (const key of [person.key, manager.key]) {
      const res = await graph.gql<{ user: { toilBalance: { lots: { nodes: { hours: number; submission: { id: string; date: string; hoursWorked: number; status: string } | null }[] } } } }>(
        key,
        'query($id: ID!) { user(id: $id) { toilBalance { lots { nodes { hours submission { id date hoursWorked status } } } } } }',
        { id: person.id },
      );
      expect(dataOf(res).user.toilBalance.lots.nodes).toEqual([{ hours: 2, submission: { id: s.id, date: '2026-06-12', hoursWorked: 2, status: 'APPROVED' } }]);
    }
  });
});
