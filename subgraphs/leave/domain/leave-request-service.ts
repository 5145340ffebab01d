import { badInput, conflict, forbidden, notFound } from '../../shared/errors.ts';
import { appendEvents, type NewEvent } from '../../shared/outbox.ts';
import { isId, notNull, uniqueIds } from '../../shared/validation.ts';
import type { LeaveContext } from '../context.ts';
import type { LeaveDb } from '../db/database.ts';
import { findAllowances } from '../db/repositories/allowances.ts';
import { findClosureDaysBetween, findRestrictedDaysFor } from '../db/repositories/calendar-days.ts';
import { findLeaveTypes } from '../db/repositories/leave-types.ts';
import {
  countLeaveRequestTransitions,
  cancelLeaveRequest as cancelLeaveRequestRow,
  decideLeaveRequest,
  findActiveRequestsBetween,
  findLeaveRequests,
  insertLeaveRequest,
  insertLeaveRequestHistory,
  lockLeaveRequest,
  lockRequestsOfUser,
  replaceLeaveRequestDays,
  updateLeaveRequest as updateLeaveRequestRow,
} from '../db/repositories/leave-requests.ts';
import type { AllowanceRow } from '../db/tables/allowances.ts';
import type { DirectoryOrganizationRow, DirectoryUserRow } from '../db/tables/directory.ts';
import type { DayPortion, LeaveRequestRow, LeaveRequestStatus } from '../db/tables/leave-requests.ts';
import type { LeaveTypeRow } from '../db/tables/leave-types.ts';
import { allowanceChangedEvent, leaveRequestEvent, type AllowanceChangeCause, type LeaveRequestAction } from '../events.ts';
import { leaveTypeLoader } from '../loaders.ts';
import { countryOf, managesUser, requireDirectoryUser, requireOrganization } from './access.ts';
import { allowanceBalances, ensureAllowance } from './allowance-balance.ts';
import { checkCoverage } from './coverage.ts';
import { todayIn } from './dates.ts';
import {
  checkActiveType,
  checkAllowance,
  checkComment,
  checkDateRange,
  checkDayShare,
  checkFirstYearOfEmployment,
  checkHalfDays,
  checkLeaveYear,
  checkNote,
  checkNotInPast,
  checkOverlap,
  checkRestrictedDays,
  negativeBalanceAllowed,
  resolveReason,
  type DayShare,
} from './leave-rules.ts';
import { dayBreakdown, type DayBreakdown } from './working-days.ts';
import { toUnits } from './decimal.ts';
import { checkToil, toilUseEvents } from './toil-consumer.ts';

/** Most updates of one request, so its history (`LeaveRequest.history`) stays a short list: at most this plus three entries. */
export const MAX_UPDATES_PER_REQUEST = 20;

/** The `createLeaveRequest` input as GraphQL delivers it. */
export interface CreateLeaveRequestInput {
  readonly userId?: string | null;
  readonly leaveTypeId: string;
  readonly startDate: string;
  readonly endDate: string;
  readonly firstDayPortion?: DayPortion | null;
  readonly lastDayPortion?: DayPortion | null;
  readonly firstDayHours?: number | null;
  readonly lastDayHours?: number | null;
  readonly reason?: string | null;
  readonly comment?: string | null;
}

/** The `updateLeaveRequest` input: omitted (undefined) fields keep their value. */
export interface UpdateLeaveRequestInput {
  readonly leaveTypeId?: string | null;
  readonly startDate?: string | null;
  readonly endDate?: string | null;
  readonly firstDayPortion?: DayPortion | null;
  readonly lastDayPortion?: DayPortion | null;
  readonly firstDayHours?: number | null;
  readonly lastDayHours?: number | null;
  readonly reason?: string | null;
  readonly comment?: string | null;
}

/** A proposed request that passed every rule that needs no lock. */
interface Proposal {
  readonly org: DirectoryOrganizationRow;
  readonly user: DirectoryUserRow;
  readonly type: LeaveTypeRow;
  readonly country: string;
  readonly share: DayShare;
  readonly reason: string;
  readonly comment: string | null;
  readonly breakdown: DayBreakdown;
  /** The leave year (by the calendar year it starts in). */
  readonly year: number;
}

const isAdmin = (ctx: LeaveContext) => ctx.identity.role === 'ADMIN';

/** Today in the organization's time zone, by the services' clock. */
function todayOf(ctx: LeaveContext, org: DirectoryOrganizationRow): string {
  return todayIn(org.time_zone, ctx.services.now());
}

/** An active leave type of the organization, through the per-request loader (`checkActiveType`). */
async function loadActiveType(ctx: LeaveContext, id: string): Promise<LeaveTypeRow> {
  return checkActiveType((await leaveTypeLoader(ctx).load(id)) ?? undefined, id);
}

/**
 * Checks every rule that needs no lock, in this order: dates (end before start, range),
 * past start, type, unit/portions/hours, half days, reason, comment, leave year, working
 * days (the breakdown), Brazil's first year. Throws the first broken rule.
 */
async function validateProposal(
  ctx: LeaveContext,
  org: DirectoryOrganizationRow,
  user: DirectoryUserRow,
  leaveTypeId: string,
  rawShare: DayShare,
  reason: string | null,
  comment: string | null,
): Promise<Proposal> {
  checkDateRange(rawShare.startDate, rawShare.endDate);
  checkNotInPast(rawShare.startDate, todayOf(ctx, org), isAdmin(ctx));
  const type = await loadActiveType(ctx, leaveTypeId);
  const share = checkDayShare(type.unit, rawShare);
  const { country } = countryOf(user, org);
  checkHalfDays(type, country, share);
  const resolvedReason = resolveReason(type, reason);
  const resolvedComment = checkComment(type, resolvedReason, comment);
  const year = checkLeaveYear(share.startDate, share.endDate, org.leave_year_start_month);
  const closureDays = await findClosureDaysBetween(ctx.db, ctx.identity.orgId, share.startDate, share.endDate);
  const breakdown = dayBreakdown({ user, org, unit: type.unit, ...share, closureDays });
  if (breakdown.workingDays === 0) {
    throw badInput('input.endDate', 'NO_WORKING_DAY', `the range ${share.startDate} to ${share.endDate} contains no working day (non-working days, public holidays and closure days are not counted)`);
  }
  checkFirstYearOfEmployment(user, country, type.category, share.startDate);
  // The TOIL projection must hold every TOIL change time committed before this request.
  if (type.draws_on_toil) await ctx.services.catchUpToil(org.org_id);
  return { org, user, type, country, share, reason: resolvedReason, comment: resolvedComment, breakdown, year };
}

/**
 * The rules checked inside the write's transaction, after the person's requests are locked:
 * overlap, restricted days, coverage, then the allowance (created if missing, its row locked
 * so two requests for the last day serialize). `current` is the request being updated: it is
 * left out of the overlap and coverage checks and its amount is given back to the balance.
 * Returns the allowance the request is booked against, if its type deducts from one.
 */
async function checkLockedRules(trx: LeaveDb, proposal: Proposal, current: LeaveRequestRow | null): Promise<AllowanceRow | null> {
  const { org, user, type, share, breakdown } = proposal;
  const orgId = org.org_id;
  checkOverlap(
    { start_date: share.startDate, end_date: share.endDate, first_day_portion: share.firstDayPortion, last_day_portion: share.lastDayPortion },
    await findActiveRequestsBetween(trx, orgId, user.id, share.startDate, share.endDate, current?.id),
  );
  const deducted = breakdown.days.filter((d) => toUnits(d.amount) > 0).map((d) => d.date);
  checkRestrictedDays(deducted, await findRestrictedDaysFor(trx, orgId, user.department_id, share.startDate, share.endDate));
  const coverage = await checkCoverage(trx, { orgId, user, startDate: share.startDate, endDate: share.endDate, excludeRequestId: current?.id ?? null });
  if (coverage.blocking) {
    throw conflict(coverage.message ?? 'Team coverage would drop below a blocking coverage rule', {
      rule: 'COVERAGE',
      violatedRuleIds: coverage.violatedRules.map((r) => r.id),
    });
  }
  if (type.draws_on_toil) await checkToil(trx, orgId, user.id, share.startDate, toUnits(breakdown.amount), current?.id ?? null);
  if (!type.deducts_from_allowance) return null;
  const capped = !negativeBalanceAllowed(type, proposal.country);
  const allowance = await ensureAllowance(trx, org, user, type, proposal.year, { forUpdate: capped });
  if (capped) {
    const balance = (await allowanceBalances(trx, orgId, [allowance.id])).get(allowance.id);
    let remaining = toUnits(balance?.remaining ?? 0);
    // The request being changed already counts against this allowance.
    if (current && current.allowance_id === allowance.id) remaining += toUnits(current.amount);
    checkAllowance(toUnits(breakdown.amount), remaining, type.unit);
  }
  return allowance;
}

/** The request's columns that follow from a proposal. */
function requestColumns(proposal: Proposal, allowance: AllowanceRow | null) {
  const { share, breakdown, type } = proposal;
  return {
    leave_type_id: type.id,
    allowance_id: allowance?.id ?? null,
    start_date: share.startDate,
    end_date: share.endDate,
    first_day_portion: share.firstDayPortion,
    last_day_portion: share.lastDayPortion,
    first_day_hours: share.firstDayHours === null ? null : share.firstDayHours.toFixed(2),
    last_day_hours: share.lastDayHours === null ? null : share.lastDayHours.toFixed(2),
    unit: type.unit,
    amount: breakdown.amount,
    hours: breakdown.hours,
    reason: proposal.reason,
    comment: proposal.comment,
  };
}

function dayRows(breakdown: DayBreakdown) {
  return breakdown.days.map((d) => ({
    date: d.date,
    amount: d.amount,
    hours: d.hours,
    portion: d.portion,
    excluded_reason: d.excludedReason,
    holiday_name: d.holidayName,
  }));
}

/** Records a transition: its history row, then (last in the transaction) its events. */
async function recordTransition(
  trx: LeaveDb,
  ctx: LeaveContext,
  row: LeaveRequestRow,
  transition: { action: 'CREATED' | 'UPDATED' | 'APPROVED' | 'REJECTED' | 'CANCELLED'; from: LeaveRequestStatus | null; note: string | null },
  allowances: readonly AllowanceRow[],
  cause: AllowanceChangeCause,
): Promise<void> {
  const actor = ctx.identity.userId;
  await insertLeaveRequestHistory(trx, {
    org_id: row.org_id,
    request_id: row.id,
    action: transition.action,
    from_status: transition.from,
    to_status: row.status,
    actor_id: actor,
    note: transition.note,
  });
  const events: NewEvent[] = [
    leaveRequestEvent(row, transition.action.toLowerCase() as LeaveRequestAction, actor, transition.note),
    ...allowances.map((a) => allowanceChangedEvent(a, cause, actor, row.id)),
  ];
  // A TOIL request asks the time subgraph to use its lots once approved, and to give them back if cancelled after.
  // Read through the transaction: on PGlite the one session is the transaction's until it ends.
  const [type] = await findLeaveTypes(trx, row.org_id, [row.leave_type_id]);
  if (type?.draws_on_toil) {
    if (row.status === 'APPROVED' && transition.from !== 'APPROVED') events.push(...toilUseEvents(row, 'APPROVED', actor));
    if (row.status === 'CANCELLED' && transition.from === 'APPROVED') events.push(...toilUseEvents(row, 'CANCELLED', actor));
  }
  await appendEvents(trx, events);
}

/** The allowance rows of the given ids (duplicates and nulls dropped). */
async function allowancesOf(trx: LeaveDb, orgId: string, ids: readonly (string | null)[]): Promise<AllowanceRow[]> {
  const wanted = uniqueIds(ids.filter((id): id is string => id !== null));
  return findAllowances(trx, orgId, wanted);
}

/** A request of the caller's organization; NOT_FOUND otherwise (no visibility check). */
async function requireRequest(ctx: LeaveContext, id: string): Promise<LeaveRequestRow> {
  const [row] = isId(id) ? await findLeaveRequests(ctx.db, ctx.identity.orgId, [id]) : [];
  if (!row) throw notFound('LeaveRequest', id);
  return row;
}

/** True when the caller may see a request: the requester, their managers (line or department), admins. */
export async function maySeeRequest(ctx: LeaveContext, row: Pick<LeaveRequestRow, 'user_id'>): Promise<boolean> {
  if (isAdmin(ctx) || ctx.identity.userId === row.user_id) return true;
  const user = await ctx.directory.users.load(row.user_id);
  return user !== null && (await managesUser(ctx, user));
}

/**
 * Creates a leave request for the caller, or (admins only, else FORBIDDEN) for
 * `input.userId`, after every rule of `leave-rules.ts`. The request is PENDING, or APPROVED
 * at once when its type needs no approval (one history row CREATED with to_status APPROVED,
 * `decided_at` set, `decided_by` null: approved by the system). In one transaction: the
 * person's requests are locked, the locked rules checked, the request, its days, its history
 * row and its events (`leave_request.created`, plus `allowance.changed` when booked against
 * an allowance) written.
 */
export async function createLeaveRequest(ctx: LeaveContext, input: CreateLeaveRequestInput): Promise<LeaveRequestRow> {
  const callerId = ctx.identity.userId;
  const userId = input.userId ?? callerId;
  if (!userId) throw badInput('input.userId', 'REQUIRED', 'is required when the caller is not a person (a service key)');
  if (userId !== callerId && !isAdmin(ctx)) throw forbidden('only admins may request leave for someone else');
  const org = await requireOrganization(ctx);
  const user = await requireDirectoryUser(ctx, userId, 'input.userId');
  if (!user.active) throw badInput('input.userId', 'INACTIVE_REFERENCE', `${userId} is deactivated: no new requests`);
  const proposal = await validateProposal(
    ctx,
    org,
    user,
    input.leaveTypeId,
    {
      startDate: input.startDate,
      endDate: input.endDate,
      firstDayPortion: input.firstDayPortion ?? 'FULL_DAY',
      lastDayPortion: input.lastDayPortion ?? 'FULL_DAY',
      firstDayHours: input.firstDayHours ?? null,
      lastDayHours: input.lastDayHours ?? null,
    },
    input.reason ?? null,
    input.comment ?? null,
  );
  const orgId = ctx.identity.orgId;
  return ctx.db.transaction().execute(async (trx) => {
    await lockRequestsOfUser(trx, orgId, user.id);
    const allowance = await checkLockedRules(trx, proposal, null);
    const autoApproved = !proposal.type.requires_approval;
    const row = await insertLeaveRequest(trx, {
      org_id: orgId,
      user_id: user.id,
      department_id: user.department_id,
      status: autoApproved ? 'APPROVED' : 'PENDING',
      ...requestColumns(proposal, allowance),
      decided_by: null,
      decided_at: autoApproved ? new Date() : null,
      decision_note: null,
      created_by: callerId,
    });
    await replaceLeaveRequestDays(trx, orgId, row.id, dayRows(proposal.breakdown));
    await recordTransition(trx, ctx, row, { action: 'CREATED', from: null, note: null }, allowance ? [allowance] : [], 'REQUEST_CREATED');
    return row;
  });
}

/**
 * Changes a PENDING request (the requester or an admin, else FORBIDDEN; not pending:
 * CONFLICT rule NOT_PENDING). Omitted fields keep their values; a change of type to another
 * unit resets the other unit's portions or hours, and a change of category an omitted
 * reason. Every rule is checked again with the request itself left out of overlap, coverage
 * and balance; its days are rewritten; a history row UPDATED and `leave_request.updated`
 * (plus `allowance.changed` for the old and new allowance) are written.
 */
export async function updateLeaveRequest(ctx: LeaveContext, id: string, input: UpdateLeaveRequestInput): Promise<LeaveRequestRow> {
  const existing = await requireRequest(ctx, id);
  if (!isAdmin(ctx) && ctx.identity.userId !== existing.user_id) throw forbidden('only the requester or an admin may change a leave request');
  if (existing.status !== 'PENDING') {
    throw conflict(`only a pending request can be changed; this one is ${existing.status}`, { rule: 'NOT_PENDING', status: existing.status });
  }
  const org = await requireOrganization(ctx);
  const user = await requireDirectoryUser(ctx, existing.user_id, 'id');
  if (!user.active) throw conflict('the person is deactivated: their requests cannot change', { rule: 'USER_INACTIVE' });

  const leaveTypeId = notNull('input.leaveTypeId', input.leaveTypeId) ?? existing.leave_type_id;
  // One batch through the per-request loader; validateProposal reads the new type from it again.
  const types = leaveTypeLoader(ctx);
  const [oldType, newType] = await Promise.all([types.load(existing.leave_type_id), types.load(leaveTypeId)]);
  const unitChanged = newType !== null && newType.unit !== existing.unit;
  const categoryChanged = newType !== null && newType.category !== oldType?.category;
  const startDate = notNull('input.startDate', input.startDate) ?? existing.start_date;
  const endDate = notNull('input.endDate', input.endDate) ?? existing.end_date;
  const wasOneDay = existing.start_date === existing.end_date;
  const isOneDay = startDate === endDate;
  const firstDayPortion = notNull('input.firstDayPortion', input.firstDayPortion) ?? (unitChanged ? 'FULL_DAY' : existing.first_day_portion);
  const keepLast = !unitChanged && !wasOneDay && !isOneDay;
  const lastDayPortion = notNull('input.lastDayPortion', input.lastDayPortion) ?? (keepLast ? existing.last_day_portion : isOneDay ? firstDayPortion : 'FULL_DAY');
  const storedHours = (value: string | null) => (value === null ? null : Number(value));
  const firstDayHours = input.firstDayHours !== undefined ? input.firstDayHours : unitChanged ? null : storedHours(existing.first_day_hours);
  const lastDayHours = input.lastDayHours !== undefined ? input.lastDayHours : keepLast ? storedHours(existing.last_day_hours) : isOneDay ? firstDayHours : null;
  const reason = input.reason !== undefined ? input.reason : categoryChanged ? null : existing.reason;
  const comment = input.comment !== undefined ? input.comment : existing.comment;

  const proposal = await validateProposal(
    ctx,
    org,
    user,
    leaveTypeId,
    { startDate, endDate, firstDayPortion, lastDayPortion, firstDayHours, lastDayHours },
    reason,
    comment,
  );
  const orgId = ctx.identity.orgId;
  return ctx.db.transaction().execute(async (trx) => {
    await lockRequestsOfUser(trx, orgId, user.id);
    const current = await lockLeaveRequest(trx, orgId, existing.id);
    if (!current) throw notFound('LeaveRequest', id);
    if (current.status !== 'PENDING') {
      throw conflict(`only a pending request can be changed; this one is ${current.status}`, { rule: 'NOT_PENDING', status: current.status });
    }
    // `LeaveRequest.history` is a plain list: created, at most this many updates, a decision, a cancellation.
    if ((await countLeaveRequestTransitions(trx, orgId, current.id, 'UPDATED')) >= MAX_UPDATES_PER_REQUEST) {
      throw conflict(`a request can be changed at most ${MAX_UPDATES_PER_REQUEST} times: cancel it and request the leave again`, {
        rule: 'TOO_MANY_UPDATES',
        max: MAX_UPDATES_PER_REQUEST,
      });
    }
    const allowance = await checkLockedRules(trx, proposal, current);
    const row = await updateLeaveRequestRow(trx, orgId, current.id, requestColumns(proposal, allowance));
    await replaceLeaveRequestDays(trx, orgId, row.id, dayRows(proposal.breakdown));
    const touched = await allowancesOf(trx, orgId, [current.allowance_id, row.allowance_id]);
    await recordTransition(trx, ctx, row, { action: 'UPDATED', from: current.status, note: null }, touched, 'REQUEST_UPDATED');
    return row;
  });
}

/**
 * Approves or rejects a PENDING request: the requester's manager (line or department) or an
 * admin, never the requester themself (FORBIDDEN, admins included). The update is atomic on
 * `status = 'PENDING'`: of two concurrent decisions one wins and the other gets CONFLICT rule
 * ALREADY_DECIDED with the current status. Writes a history row with the note and the
 * events `leave_request.approved|rejected` (plus `allowance.changed`).
 */
async function decide(ctx: LeaveContext, id: string, status: 'APPROVED' | 'REJECTED', note: string | null | undefined): Promise<LeaveRequestRow> {
  const existing = await requireRequest(ctx, id);
  const verb = status === 'APPROVED' ? 'approve' : 'reject';
  if (ctx.identity.userId === existing.user_id) throw forbidden(`you may not ${verb} your own leave request`);
  const user = await ctx.directory.users.load(existing.user_id);
  if (!user || !(await managesUser(ctx, user))) throw forbidden(`only the requester's manager or an admin may ${verb} a leave request`);
  const text = checkNote('input.note', note);
  const orgId = ctx.identity.orgId;
  return ctx.db.transaction().execute(async (trx) => {
    const row = await decideLeaveRequest(trx, orgId, existing.id, { status, decidedBy: ctx.identity.userId, note: text });
    if (!row) {
      const [current] = await findLeaveRequests(trx, orgId, [existing.id]);
      if (!current) throw notFound('LeaveRequest', id);
      throw conflict(`the request is already ${current.status}`, { rule: 'ALREADY_DECIDED', status: current.status });
    }
    const touched = await allowancesOf(trx, orgId, [row.allowance_id]);
    await recordTransition(trx, ctx, row, { action: status, from: 'PENDING', note: text }, touched, 'REQUEST_DECIDED');
    return row;
  });
}

/** Approves a pending request; see `decide` for who may and what is written. */
export function approveLeaveRequest(ctx: LeaveContext, id: string, note?: string | null): Promise<LeaveRequestRow> {
  return decide(ctx, id, 'APPROVED', note);
}

/** Rejects a pending request; see `decide` for who may and what is written. */
export function rejectLeaveRequest(ctx: LeaveContext, id: string, note?: string | null): Promise<LeaveRequestRow> {
  return decide(ctx, id, 'REJECTED', note);
}

/**
 * Cancels a PENDING or APPROVED request: the requester while the leave has not started
 * (today in the organization's time zone before the start date), an admin at any time;
 * anyone else, or the requester once it started, gets FORBIDDEN. A rejected or cancelled
 * request gets CONFLICT rule NOT_CANCELLABLE. The request is locked, so the history's
 * from-status is exact; writes the history row with the note and `leave_request.cancelled`
 * (plus `allowance.changed`).
 */
export async function cancelLeaveRequest(ctx: LeaveContext, id: string, note?: string | null): Promise<LeaveRequestRow> {
  const existing = await requireRequest(ctx, id);
  const admin = isAdmin(ctx);
  if (!admin && ctx.identity.userId !== existing.user_id) throw forbidden('only the requester or an admin may cancel a leave request');
  const text = checkNote('input.note', note);
  const org = await requireOrganization(ctx);
  const today = todayOf(ctx, org);
  const orgId = ctx.identity.orgId;
  return ctx.db.transaction().execute(async (trx) => {
    const current = await lockLeaveRequest(trx, orgId, existing.id);
    if (!current) throw notFound('LeaveRequest', id);
    if (current.status !== 'PENDING' && current.status !== 'APPROVED') {
      throw conflict(`a ${current.status} request cannot be cancelled`, { rule: 'NOT_CANCELLABLE', status: current.status });
    }
    if (!admin && current.start_date <= today) {
      throw forbidden(`the leave started on ${current.start_date}: only an admin may cancel it now`);
    }
    const row = await cancelLeaveRequestRow(trx, orgId, current.id, admin ? null : today);
    if (!row) throw new Error(`leave request ${current.id} could not be cancelled under its lock`);
    const touched = await allowancesOf(trx, orgId, [row.allowance_id]);
    await recordTransition(trx, ctx, row, { action: 'CANCELLED', from: current.status, note: text }, touched, 'REQUEST_CANCELLED');
    return row;
  });
}
