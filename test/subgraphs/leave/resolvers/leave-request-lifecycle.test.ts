import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestOrg, startTestGraph, type TestGraph, type TestOrg, type TestUser } from '../../../helpers/graph.ts';
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
  updateRequest,
  type RequestData,
} from '../leave-request-fixtures.ts';

let graph: TestGraph;
let org: TestOrg;
let other: TestOrg;
let annual: string;
let automatic: string;
let single: string;

beforeAll(async () => {
  graph = await startTestGraph({ now: () => NOW });
  org = await createTestOrg(graph.peopleDb);
  other = await createTestOrg(graph.peopleDb);
  await graph.leave.catchUpDirectory();
  annual = await addLeaveType(graph, org.id, { name: 'Annual leave', code: 'AL', deducts_from_allowance: true, default_entitlement: '100' });
  automatic = await addLeaveType(graph, org.id, { name: 'Training', code: 'TRN', category: 'OTHER', requires_approval: false, deducts_from_allowance: true, default_entitlement: '10' });
  single = await addLeaveType(graph, org.id, { name: 'Single day', code: 'ONE', deducts_from_allowance: true, default_entitlement: '1' });
});
afterAll(() => graph.stop());

/** A person with a line manager, in a department managed by someone else. */
interface Team {
  manager: TestUser;
  deptManager: TestUser;
  employee: TestUser;
  colleague: TestUser;
}

async function team(): Promise<Team> {
  const manager = await addPerson(graph, org, { role: 'MANAGER' });
  const deptManager = await addPerson(graph, org, { role: 'MANAGER' });
  const department = await org.addDepartment(`Dept ${manager.id.slice(0, 6)}`, deptManager.id);
  const employee = await addPerson(graph, org, { managerId: manager.id, departmentId: department });
  const colleague = await addPerson(graph, org);
  return { manager, deptManager, employee, colleague };
}

const request = (key: string, startDate: string, endDate = startDate, extra: Record<string, unknown> = {}) =>
  created(graph, key, { leaveTypeId: annual, startDate, endDate, ...extra });

const of = (res: { body: { data?: Record<string, RequestData> | null } }, field: string): RequestData => {
  const value = dataOf(res)[field];
  if (!value) throw new Error(`no ${field}`);
  return value;
};

describe('creation', () => {
  it('should approve at once a request whose type needs no approval, with one CREATED transition', async () => {
    const { employee } = await team();
    const before = await lastEventId(graph);
    const r = await created(graph, employee.key, { leaveTypeId: automatic, startDate: '2026-07-01', endDate: '2026-07-01', reason: 'EDUCATIONAL_LEAVE' });
    expect(r).toMatchObject({ status: 'APPROVED', decidedBy: null, decisionNote: null });
    expect(r.decidedAt).not.toBeNull();
    expect(r.history).toEqual([expect.objectContaining({ action: 'CREATED', fromStatus: null, toStatus: 'APPROVED', actor: { id: employee.id } })]);
    const events = await leaveEventsAfter(graph, before);
    expect(events.map((e) => e.type)).toEqual(['leave_request.created', 'allowance.changed']);
    expect(events[0]).toMatchObject({ entityType: 'LeaveRequest', entityId: r.id, actorId: employee.id, payload: expect.objectContaining({ status: 'APPROVED' }) });
  });
});

describe('approve and reject', () => {
  it('should let the manager approve with a note, recorded in the history and an event', async () => {
    const { manager, employee } = await team();
    const r = await request(employee.key, '2026-07-06', '2026-07-07');
    const before = await lastEventId(graph);
    const approved = of(await transition(graph, manager.key, 'approveLeaveRequest', r.id, '  Enjoy  '), 'approveLeaveRequest');
    expect(approved).toMatchObject({ status: 'APPROVED', decidedBy: { id: manager.id }, decisionNote: 'Enjoy' });
    expect(approved.decidedAt).not.toBeNull();
    expect(approved.history.map((h) => [h.action, h.fromStatus, h.toStatus, h.actor?.id, h.note])).toEqual([
      ['CREATED', null, 'PENDING', employee.id, null],
      ['APPROVED', 'PENDING', 'APPROVED', manager.id, 'Enjoy'],
    ]);
    const events = await leaveEventsAfter(graph, before);
    expect(events.map((e) => [e.type, e.entityId, e.actorId])).toEqual([
      ['leave_request.approved', r.id, manager.id],
      ['allowance.changed', expect.any(String), manager.id],
    ]);
    expect(events[0]!.payload).toMatchObject({ userId: employee.id, status: 'APPROVED', note: 'Enjoy' });
    expect(events[1]!.payload).toMatchObject({ userId: employee.id, leaveTypeId: annual, year: 2026, cause: 'REQUEST_DECIDED', leaveRequestId: r.id });
  });

  it('should let the department manager and admins decide, never the requester, nor an unrelated person', async () => {
    const { deptManager, employee, colleague } = await team();
    const one = await request(employee.key, '2026-07-13');
    const two = await request(employee.key, '2026-07-14');
    const before = await lastEventId(graph);
    expectError(await transition(graph, employee.key, 'approveLeaveRequest', one.id), 'FORBIDDEN');
    expectError(await transition(graph, employee.key, 'rejectLeaveRequest', one.id), 'FORBIDDEN');
    expectError(await transition(graph, colleague.key, 'approveLeaveRequest', one.id), 'FORBIDDEN');
    expectError(await transition(graph, other.admin.key, 'approveLeaveRequest', one.id), 'NOT_FOUND');
    expect(await leaveEventsAfter(graph, before)).toEqual([]);
    expect(of(await transition(graph, deptManager.key, 'approveLeaveRequest', one.id), 'approveLeaveRequest').decidedBy).toEqual({ id: deptManager.id });
    expect(of(await transition(graph, org.admin.key, 'rejectLeaveRequest', two.id, 'Busy week'), 'rejectLeaveRequest')).toMatchObject({
      status: 'REJECTED',
      decidedBy: { id: org.admin.id },
      decisionNote: 'Busy week',
    });
  });

  it('should not let an admin decide their own request', async () => {
    const own = await request(org.admin.key, '2026-07-15');
    expectError(await transition(graph, org.admin.key, 'approveLeaveRequest', own.id), 'FORBIDDEN');
    const otherAdmin = await addPerson(graph, org, { role: 'ADMIN' });
    expect(of(await transition(graph, otherAdmin.key, 'approveLeaveRequest', own.id), 'approveLeaveRequest').status).toBe('APPROVED');
  });

  it('should refuse deciding a request twice, and a note over 2000 characters', async () => {
    const { manager, employee } = await team();
    const r = await request(employee.key, '2026-07-16');
    expectError(await transition(graph, manager.key, 'approveLeaveRequest', r.id, 'x'.repeat(2001)), 'BAD_USER_INPUT', { field: 'input.note' });
    dataOf(await transition(graph, manager.key, 'rejectLeaveRequest', r.id));
    const error = expectError(await transition(graph, org.admin.key, 'approveLeaveRequest', r.id), 'CONFLICT', { rule: 'ALREADY_DECIDED' });
    expect(error.extensions?.['status']).toBe('REJECTED');
    expectError(await transition(graph, manager.key, 'rejectLeaveRequest', r.id), 'CONFLICT', { rule: 'ALREADY_DECIDED' });
  });

  it('should let exactly one of two simultaneous approvals win', async () => {
    const { manager, employee } = await team();
    for (const date of ['2026-07-20', '2026-07-21', '2026-07-22']) {
      const r = await request(employee.key, date);
      const before = await lastEventId(graph);
      const results = await Promise.all([
        transition(graph, manager.key, 'approveLeaveRequest', r.id, 'by manager'),
        transition(graph, org.admin.key, 'approveLeaveRequest', r.id, 'by admin'),
      ]);
      const winners = results.filter((res) => !res.body.errors);
      const losers = results.filter((res) => res.body.errors);
      expect(winners).toHaveLength(1);
      expect(losers).toHaveLength(1);
      expectError(losers[0]!, 'CONFLICT', { rule: 'ALREADY_DECIDED' });
      const history = of(winners[0]!, 'approveLeaveRequest').history;
      expect(history.filter((h) => h.action === 'APPROVED')).toHaveLength(1);
      const events = await leaveEventsAfter(graph, before);
      expect(events.filter((e) => e.type === 'leave_request.approved')).toHaveLength(1);
    }
  });
});

describe('cancel', () => {
  it('should let the requester cancel pending and approved leave before it starts', async () => {
    const { manager, employee } = await team();
    const pending = await request(employee.key, '2026-08-03');
    const approved = await request(employee.key, '2026-08-04');
    dataOf(await transition(graph, manager.key, 'approveLeaveRequest', approved.id));
    const before = await lastEventId(graph);
    const a = of(await transition(graph, employee.key, 'cancelLeaveRequest', pending.id, 'Plans changed'), 'cancelLeaveRequest');
    expect(a.status).toBe('CANCELLED');
    expect(a.history.at(-1)).toMatchObject({ action: 'CANCELLED', fromStatus: 'PENDING', toStatus: 'CANCELLED', actor: { id: employee.id }, note: 'Plans changed' });
    const b = of(await transition(graph, employee.key, 'cancelLeaveRequest', approved.id), 'cancelLeaveRequest');
    expect(b.history.at(-1)).toMatchObject({ action: 'CANCELLED', fromStatus: 'APPROVED', toStatus: 'CANCELLED' });
    const events = await leaveEventsAfter(graph, before);
    expect(events.map((e) => [e.type, e.payload['cause'] ?? e.payload['status']])).toEqual([
      ['leave_request.cancelled', 'CANCELLED'],
      ['allowance.changed', 'REQUEST_CANCELLED'],
      ['leave_request.cancelled', 'CANCELLED'],
      ['allowance.changed', 'REQUEST_CANCELLED'],
    ]);
  });

  it('should let only an admin cancel leave that has started, and nobody else cancel at all', async () => {
    const { manager, employee, colleague } = await team();
    // Today (15 June) counts as started; an admin may record it.
    const started = await request(org.admin.key, '2026-06-15', '2026-06-16', { userId: employee.id });
    dataOf(await transition(graph, manager.key, 'approveLeaveRequest', started.id));
    expectError(await transition(graph, employee.key, 'cancelLeaveRequest', started.id), 'FORBIDDEN');
    const future = await request(employee.key, '2026-08-10');
    expectError(await transition(graph, manager.key, 'cancelLeaveRequest', future.id), 'FORBIDDEN');
    expectError(await transition(graph, colleague.key, 'cancelLeaveRequest', future.id), 'FORBIDDEN');
    expectError(await transition(graph, other.admin.key, 'cancelLeaveRequest', future.id), 'NOT_FOUND');
    const cancelled = of(await transition(graph, org.admin.key, 'cancelLeaveRequest', started.id, 'Came back'), 'cancelLeaveRequest');
    expect(cancelled.history.at(-1)).toMatchObject({ action: 'CANCELLED', fromStatus: 'APPROVED', actor: { id: org.admin.id }, note: 'Came back' });
  });

  it('should refuse cancelling a cancelled or rejected request', async () => {
    const { manager, employee } = await team();
    const cancelled = await request(employee.key, '2026-08-11');
    dataOf(await transition(graph, employee.key, 'cancelLeaveRequest', cancelled.id));
    const error = expectError(await transition(graph, employee.key, 'cancelLeaveRequest', cancelled.id), 'CONFLICT', { rule: 'NOT_CANCELLABLE' });
    expect(error.extensions?.['status']).toBe('CANCELLED');
    const rejected = await request(employee.key, '2026-08-12');
    dataOf(await transition(graph, manager.key, 'rejectLeaveRequest', rejected.id));
    expectError(await transition(graph, org.admin.key, 'cancelLeaveRequest', rejected.id), 'CONFLICT', { rule: 'NOT_CANCELLABLE' });
    expectError(await transition(graph, employee.key, 'approveLeaveRequest', cancelled.id), 'FORBIDDEN');
    expectError(await transition(graph, manager.key, 'approveLeaveRequest', cancelled.id), 'CONFLICT', { rule: 'ALREADY_DECIDED' });
  });
});

describe('update', () => {
  it('should let the requester change a pending request, rewriting its days and recording the change', async () => {
    const { employee } = await team();
    const r = await request(employee.key, '2026-09-07', '2026-09-09');
    const before = await lastEventId(graph);
    const res = await updateRequest(graph, employee.key, r.id, { startDate: '2026-09-08', endDate: '2026-09-11', lastDayPortion: 'MORNING', comment: 'Longer' });
    const updated = of(res, 'updateLeaveRequest');
    expect(updated).toMatchObject({ status: 'PENDING', startDate: '2026-09-08', endDate: '2026-09-11', amount: 3.5, lastDayPortion: 'MORNING', comment: 'Longer' });
    expect(updated.days.map((d) => d.date)).toEqual(['2026-09-08', '2026-09-09', '2026-09-10', '2026-09-11']);
    expect(updated.history.map((h) => [h.action, h.fromStatus, h.toStatus, h.actor?.id])).toEqual([
      ['CREATED', null, 'PENDING', employee.id],
      ['UPDATED', 'PENDING', 'PENDING', employee.id],
    ]);
    const stored = await graph.leaveDb.selectFrom('leave_request_days').select('date').where('request_id', '=', r.id).orderBy('date').execute();
    expect(stored.map((d) => d.date)).toEqual(['2026-09-08', '2026-09-09', '2026-09-10', '2026-09-11']);
    expect((await leaveEventsAfter(graph, before)).map((e) => [e.type, e.payload['cause'] ?? null])).toEqual([
      ['leave_request.updated', null],
      ['allowance.changed', 'REQUEST_UPDATED'],
    ]);
    // Back to one day: the last day follows the first.
    const oneDay = of(await updateRequest(graph, employee.key, r.id, { endDate: '2026-09-08' }), 'updateLeaveRequest');
    expect(oneDay).toMatchObject({ amount: 1, firstDayPortion: 'FULL_DAY', lastDayPortion: 'FULL_DAY' });
  });

  it('should allow 20 updates of a request and refuse the 21st with CONFLICT TOO_MANY_UPDATES, keeping the history a short list', async () => {
    const { employee } = await team();
    const r = await request(employee.key, '2026-10-05');
    for (let i = 0; i < 20; i++) of(await updateRequest(graph, employee.key, r.id, { comment: `Change ${i}` }), 'updateLeaveRequest');
    const refused = expectError(await updateRequest(graph, employee.key, r.id, { comment: 'One more' }), 'CONFLICT', { rule: 'TOO_MANY_UPDATES' });
    expect(refused.extensions?.['max']).toBe(20);
    const res = await graph.gql<{ leaveRequest: { comment: string; history: { action: string }[] } }>(employee.key, 'query($id: ID!) { leaveRequest(id: $id) { comment history { action } } }', { id: r.id });
    expect(res.body.data?.leaveRequest.comment).toBe('Change 19');
    expect(res.body.data?.leaveRequest.history).toHaveLength(21);
  });

  it('should check every rule again, leaving the request itself out of the overlap', async () => {
    const { employee } = await team();
    const r = await request(employee.key, '2026-09-14', '2026-09-15');
    const neighbour = await request(employee.key, '2026-09-17');
    expectError(await updateRequest(graph, employee.key, r.id, { endDate: '2026-09-13' }), 'BAD_USER_INPUT', { field: 'input.endDate' });
    expectError(await updateRequest(graph, employee.key, r.id, { startDate: '2026-06-12' }), 'BAD_USER_INPUT', { field: 'input.startDate' });
    expectError(await updateRequest(graph, employee.key, r.id, { startDate: null }), 'BAD_USER_INPUT', { field: 'input.startDate' });
    expectError(await updateRequest(graph, employee.key, r.id, { firstDayHours: 3 }), 'BAD_USER_INPUT', { field: 'input.firstDayHours' });
    const overlap = expectError(await updateRequest(graph, employee.key, r.id, { endDate: '2026-09-17' }), 'CONFLICT', { rule: 'OVERLAPPING_REQUEST' });
    expect(overlap.extensions?.['conflictingRequestId']).toBe(neighbour.id);
    expect(of(await updateRequest(graph, employee.key, r.id, { startDate: '2026-09-15', endDate: '2026-09-16' }), 'updateLeaveRequest').amount).toBe(2);
  });

  it('should give the request its own amount back when checking the allowance', async () => {
    const { employee } = await team();
    const r = await created(graph, employee.key, { leaveTypeId: single, startDate: '2026-09-21', endDate: '2026-09-21' });
    expect(of(await updateRequest(graph, employee.key, r.id, { startDate: '2026-09-22', endDate: '2026-09-22' }), 'updateLeaveRequest').amount).toBe(1);
    const error = expectError(await updateRequest(graph, employee.key, r.id, { endDate: '2026-09-23' }), 'CONFLICT', { rule: 'INSUFFICIENT_ALLOWANCE' });
    expect(error.extensions).toMatchObject({ remaining: 1, requested: 2 });
  });

  it('should let only the requester or an admin change a request, and only while it is pending', async () => {
    const { manager, employee, colleague } = await team();
    const r = await request(employee.key, '2026-09-28');
    expectError(await updateRequest(graph, manager.key, r.id, { comment: 'x' }), 'FORBIDDEN');
    expectError(await updateRequest(graph, colleague.key, r.id, { comment: 'x' }), 'FORBIDDEN');
    expectError(await updateRequest(graph, other.admin.key, r.id, { comment: 'x' }), 'NOT_FOUND');
    const byAdmin = of(await updateRequest(graph, org.admin.key, r.id, { comment: 'Fixed by HR' }), 'updateLeaveRequest');
    expect(byAdmin.history.at(-1)).toMatchObject({ action: 'UPDATED', actor: { id: org.admin.id } });
    dataOf(await transition(graph, manager.key, 'approveLeaveRequest', r.id));
    const error = expectError(await updateRequest(graph, employee.key, r.id, { comment: 'late' }), 'CONFLICT', { rule: 'NOT_PENDING' });
    expect(error.extensions?.['status']).toBe('APPROVED');
  });
});

describe('allowance under concurrency', () => {
  it('should let exactly one of two simultaneous requests take the last day of allowance, and publish only its events', async () => {
    for (const [a, b] of [
      ['2026-10-05', '2026-10-06'],
      ['2026-10-07', '2026-10-08'],
    ] as const) {
      const employee = await addPerson(graph, org);
      // The allowance exists already, so its creation cannot be what serializes the two.
      await graph.leaveDb
        .insertInto('allowances')
        .values({ org_id: org.id, user_id: employee.id, leave_type_id: single, year: 2026, start_date: '2026-01-01', end_date: '2026-12-31', base_entitlement: null, entitlement: '1' })
        .execute();
      const before = await lastEventId(graph);
      const results = await Promise.all([
        createRequest(graph, employee.key, { leaveTypeId: single, startDate: a, endDate: a }),
        createRequest(graph, employee.key, { leaveTypeId: single, startDate: b, endDate: b }),
      ]);
      const winners = results.filter((res) => !res.body.errors);
      const losers = results.filter((res) => res.body.errors);
      expect(winners).toHaveLength(1);
      expect(losers).toHaveLength(1);
      const error = expectError(losers[0]!, 'CONFLICT', { rule: 'INSUFFICIENT_ALLOWANCE' });
      expect(error.extensions).toMatchObject({ remaining: 0, requested: 1 });
      const rows = await graph.leaveDb.selectFrom('leave_requests').select('id').where('user_id', '=', employee.id).execute();
      expect(rows.map((r) => r.id)).toEqual([winners[0]!.body.data!.createLeaveRequest.id]);
      expect(await graph.leaveDb.selectFrom('allowances').select('id').where('user_id', '=', employee.id).execute()).toHaveLength(1);
      const events = await leaveEventsAfter(graph, before);
      expect(events.map((e) => [e.type, e.payload['userId']])).toEqual([
        ['leave_request.created', employee.id],
        ['allowance.changed', employee.id],
      ]);
    }
  });
});

describe('history', () => {
  it('should keep every transition with its actor and note, oldest first', async () => {
    const { manager, employee } = await team();
    const r = await request(employee.key, '2026-11-02');
    dataOf(await updateRequest(graph, employee.key, r.id, { endDate: '2026-11-03' }));
    dataOf(await transition(graph, manager.key, 'approveLeaveRequest', r.id, 'OK'));
    const cancelled = of(await transition(graph, org.admin.key, 'cancelLeaveRequest', r.id, 'Reorganised'), 'cancelLeaveRequest');
    expect(cancelled.history.map((h) => [h.action, h.fromStatus, h.toStatus, h.actor?.id, h.note])).toEqual([
      ['CREATED', null, 'PENDING', employee.id, null],
      ['UPDATED', 'PENDING', 'PENDING', employee.id, null],
      ['APPROVED', 'PENDING', 'APPROVED', manager.id, 'OK'],
      ['CANCELLED', 'APPROVED', 'CANCELLED', org.admin.id, 'Reorganised'],
    ]);
    const times = cancelled.history.map((h) => Date.parse(h.occurredAt));
    expect([...times].sort((x, y) => x - y)).toEqual(times);
  });
});
