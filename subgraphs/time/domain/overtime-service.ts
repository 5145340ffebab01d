import { badInput, conflict, forbidden, notFound } from '../../shared/errors.ts';
import { formatUnits, toUnits } from '../../shared/decimal.ts';
import { appendEvents } from '../../shared/outbox.ts';
import { isId, optionalText } from '../../shared/validation.ts';
import type { TimeContext } from '../context.ts';
import type { TimeDb } from '../db/database.ts';
import { hoursWorkedOn } from '../db/repositories/hours-worked.ts';
import {
  countOvertimeUpdates,
  deleteOvertimeSubmissionIfPending,
  findOvertimeSubmissions,
  insertOvertimeHistory,
  insertOvertimeSubmission,
  overtimeHoursOn,
  updateOvertimeSubmissionIf,
} from '../db/repositories/overtime-submissions.ts';
import { findOvertimeTypes, lockOvertimeType } from '../db/repositories/overtime-types.ts';
import { lockPeople } from '../db/repositories/time-settings.ts';
import { findToilLotOfSubmission } from '../db/repositories/toil.ts';
import type { DirectoryUserRow } from '../db/tables/directory.ts';
import type { OvertimeStatus, OvertimeSubmissionRow } from '../db/tables/overtime-submissions.ts';
import type { OvertimeTypeRow } from '../db/tables/overtime-types.ts';
import { overtimeEvent } from '../events.ts';
import { managesUser, requireAdmin, requireDirectoryUser, requireOrganization } from './access.ts';
import { MAX_NOTE_LENGTH, requireClockTime, requireHours, requireWithinDay, requireWorkDate } from './rules.ts';
import { toilExpiryMonths } from './settings.ts';
import { accrueToil, revokeLot } from './toil.ts';
import { todayIn } from '../../shared/dates.ts';

export interface CreateSubmissionInput {
  readonly userId?: string | null;
  readonly overtimeTypeId: string;
  readonly date: string;
  readonly hoursWorked: number;
  readonly startTime?: string | null;
  readonly endTime?: string | null;
  readonly description?: string | null;
}

export interface UpdateSubmissionInput {
  readonly overtimeTypeId?: string | null;
  readonly date?: string | null;
  readonly hoursWorked?: number | null;
  readonly startTime?: string | null;
  readonly endTime?: string | null;
  readonly description?: string | null;
}

/** The active type `id`; BAD_USER_INPUT on `field` when unknown, another organization's, or retired. */
async function requireActiveType(db: TimeDb, orgId: string, id: string, field: string): Promise<OvertimeTypeRow> {
  const type = isId(id) ? await lockOvertimeType(db, orgId, id, 'share') : undefined;
  if (!type) throw badInput(field, 'UNKNOWN_REFERENCE', `${id} is not an overtime type of this organization`);
  if (type.retired_at !== null) throw badInput(field, 'INACTIVE_REFERENCE', 'is a retired overtime type');
  return type;
}

/** Checks the 24-hour cap for a person's day inside a transaction that holds the person's lock. */
async function requireDayCapacity(db: TimeDb, orgId: string, userId: string, date: string, hours: string, field: string, exceptId?: string): Promise<void> {
  const overtime = toUnits(await overtimeHoursOn(db, orgId, userId, date, exceptId));
  const worked = toUnits(await hoursWorkedOn(db, orgId, userId, date));
  requireWithinDay(field, date, overtime + worked, toUnits(hours));
}

/** The caller may write the person's overtime: themself, their manager, an admin. */
async function requireMayWriteFor(ctx: TimeContext, user: DirectoryUserRow, field: string): Promise<void> {
  if (ctx.identity.userId === user.id) return;
  if (await managesUser(ctx, user)) return;
  throw forbidden(`${field}: only the person, their manager or an admin may submit or change their overtime`);
}

/** The submission `id` if the caller may see it (NOT_FOUND otherwise, for other organizations too). */
export async function requireVisibleSubmission(ctx: TimeContext, id: string): Promise<OvertimeSubmissionRow> {
  const [row] = isId(id) ? await findOvertimeSubmissions(ctx.db, ctx.identity.orgId, [id]) : [];
  if (!row) throw notFound('OvertimeSubmission', id);
  const user = await ctx.directory.users.load(row.user_id);
  const visible = ctx.identity.userId === row.user_id || (user !== null && (await managesUser(ctx, user)));
  if (!visible) throw notFound('OvertimeSubmission', id);
  return row;
}

function validTimes(start: string | null | undefined, end: string | null | undefined): { start: string | null | undefined; end: string | null | undefined } {
  return {
    start: start === null || start === undefined ? start : requireClockTime('input.startTime', start),
    end: end === null || end === undefined ? end : requireClockTime('input.endTime', end),
  };
}

/** Creates a PENDING submission, checking type, date, hours, times and the 24-hour cap; publishes `overtime.created`. */
export async function createSubmission(ctx: TimeContext, input: CreateSubmissionInput): Promise<OvertimeSubmissionRow> {
  const orgId = ctx.identity.orgId;
  const org = await requireOrganization(ctx);
  const userId = input.userId ?? ctx.identity.userId;
  if (!userId) throw badInput('input.userId', 'REQUIRED', 'is required for a service key (it acts for no person)');
  const user = await requireDirectoryUser(ctx, userId, 'input.userId');
  if (!user.active) throw badInput('input.userId', 'INACTIVE_REFERENCE', 'is a deactivated user');
  await requireMayWriteFor(ctx, user, 'input.userId');
  const date = requireWorkDate('input.date', input.date, org.time_zone, ctx.services.now());
  const hours = requireHours('input.hoursWorked', input.hoursWorked);
  const times = validTimes(input.startTime, input.endTime);
  const description = optionalText('input.description', input.description, MAX_NOTE_LENGTH) ?? null;
  return ctx.db.transaction().execute(async (trx) => {
    await requireActiveType(trx, orgId, input.overtimeTypeId, 'input.overtimeTypeId');
    await lockPeople(trx, orgId, [user.id]);
    await requireDayCapacity(trx, orgId, user.id, date, hours, 'input.hoursWorked');
    const row = await insertOvertimeSubmission(trx, {
      org_id: orgId,
      user_id: user.id,
      department_id: user.department_id,
      overtime_type_id: input.overtimeTypeId,
      date,
      hours,
      start_time: times.start ?? null,
      end_time: times.end ?? null,
      description,
      status: 'PENDING',
      created_by: ctx.identity.userId,
    });
    await insertOvertimeHistory(trx, { org_id: orgId, submission_id: row.id, action: 'CREATED', status: 'PENDING', actor_id: ctx.identity.userId, note: null });
    await appendEvents(trx, [overtimeEvent(row, 'created', ctx.identity.userId)]);
    return row;
  });
}

function notPending(row: OvertimeSubmissionRow, what: string) {
  return conflict(`the submission is ${row.status}: only a pending submission can be ${what}`, { rule: 'NOT_PENDING', status: row.status });
}

/** Most changes of one submission, so its history (`OvertimeSubmission.history`) stays a short list: at most this plus three entries. */
export const MAX_UPDATES_PER_SUBMISSION = 20;

/** Changes a PENDING submission (the person, their manager, an admin); publishes `overtime.updated`. */
export async function updateSubmission(ctx: TimeContext, id: string, input: UpdateSubmissionInput): Promise<OvertimeSubmissionRow> {
  const orgId = ctx.identity.orgId;
  const org = await requireOrganization(ctx);
  const current = await requireVisibleSubmission(ctx, id);
  const user = await requireDirectoryUser(ctx, current.user_id, 'id');
  await requireMayWriteFor(ctx, user, 'id');
  const typeId = input.overtimeTypeId;
  if (typeId === null) throw badInput('input.overtimeTypeId', 'NOT_NULL', 'must not be null');
  if (input.date === null) throw badInput('input.date', 'NOT_NULL', 'must not be null');
  if (input.hoursWorked === null) throw badInput('input.hoursWorked', 'NOT_NULL', 'must not be null');
  const date = input.date === undefined ? current.date : requireWorkDate('input.date', input.date, org.time_zone, ctx.services.now());
  const hours = input.hoursWorked === undefined ? current.hours : requireHours('input.hoursWorked', input.hoursWorked);
  const times = validTimes(input.startTime, input.endTime);
  const description = optionalText('input.description', input.description, MAX_NOTE_LENGTH);
  return ctx.db.transaction().execute(async (trx) => {
    if (typeId !== undefined) await requireActiveType(trx, orgId, typeId, 'input.overtimeTypeId');
    await lockPeople(trx, orgId, [current.user_id]);
    await requireDayCapacity(trx, orgId, current.user_id, date, hours, 'input.hoursWorked', current.id);
    // People are locked above, so two concurrent changes cannot both take the last place.
    if ((await countOvertimeUpdates(trx, orgId, current.id)) >= MAX_UPDATES_PER_SUBMISSION) {
      throw conflict(`a submission can be changed at most ${MAX_UPDATES_PER_SUBMISSION} times: delete it and submit the hours again`, { rule: 'TOO_MANY_UPDATES', max: MAX_UPDATES_PER_SUBMISSION });
    }
    const row = await updateOvertimeSubmissionIf(trx, orgId, id, 'PENDING', {
      ...(typeId !== undefined ? { overtime_type_id: typeId } : {}),
      date,
      hours,
      ...(times.start !== undefined ? { start_time: times.start } : {}),
      ...(times.end !== undefined ? { end_time: times.end } : {}),
      ...(description !== undefined ? { description } : {}),
    });
    if (!row) throw notPending((await findOvertimeSubmissions(trx, orgId, [id]))[0] ?? current, 'changed');
    await insertOvertimeHistory(trx, { org_id: orgId, submission_id: row.id, action: 'UPDATED', status: 'PENDING', actor_id: ctx.identity.userId, note: null });
    await appendEvents(trx, [overtimeEvent(row, 'updated', ctx.identity.userId)]);
    return row;
  });
}

/** Deletes a PENDING submission (the person, their manager, an admin); publishes `overtime.deleted`. */
export async function deleteSubmission(ctx: TimeContext, id: string): Promise<OvertimeSubmissionRow> {
  const orgId = ctx.identity.orgId;
  const current = await requireVisibleSubmission(ctx, id);
  const user = await requireDirectoryUser(ctx, current.user_id, 'id');
  await requireMayWriteFor(ctx, user, 'id');
  return ctx.db.transaction().execute(async (trx) => {
    const row = await deleteOvertimeSubmissionIfPending(trx, orgId, id);
    if (!row) throw notPending((await findOvertimeSubmissions(trx, orgId, [id]))[0] ?? current, 'deleted');
    await appendEvents(trx, [overtimeEvent(row, 'deleted', ctx.identity.userId)]);
    return row;
  });
}

/**
 * Approves or rejects a PENDING submission: the person's manager or an admin, never the
 * person nor whoever submitted it. One conditional update decides, so of two concurrent
 * decisions one wins and the other is CONFLICT `ALREADY_DECIDED`. Approval of a TOIL type
 * accrues hours × multiplier as a lot expiring after the organization's months.
 */
export async function decideSubmission(ctx: TimeContext, id: string, decision: 'APPROVED' | 'REJECTED', note: string | null | undefined): Promise<OvertimeSubmissionRow> {
  const orgId = ctx.identity.orgId;
  const current = await requireVisibleSubmission(ctx, id);
  const text = optionalText('input.note', note, MAX_NOTE_LENGTH) ?? null;
  const { userId } = ctx.identity;
  if (userId !== null && (userId === current.user_id || userId === current.created_by)) {
    throw forbidden('nobody may decide on overtime they submitted or that is their own');
  }
  const user = await requireDirectoryUser(ctx, current.user_id, 'id');
  if (!(await managesUser(ctx, user))) throw forbidden("only the person's manager or an admin may decide on their overtime");
  return ctx.db.transaction().execute(async (trx) => {
    const [type] = await findOvertimeTypes(trx, orgId, [current.overtime_type_id]);
    const toil = decision === 'APPROVED' && type?.compensation === 'TOIL' && type.toil_multiplier !== null
      ? formatUnits(Math.round((toUnits(current.hours) * toUnits(type.toil_multiplier)) / 10_000), 4)
      : null;
    const row = await updateOvertimeSubmissionIf(trx, orgId, id, 'PENDING', {
      status: decision,
      decided_by: userId,
      decided_at: ctx.services.now(),
      decision_note: text,
      toil_hours_accrued: toil,
    });
    if (!row) {
      const now = (await findOvertimeSubmissions(trx, orgId, [id]))[0] ?? current;
      throw conflict(`the submission is already ${now.status}`, { rule: 'ALREADY_DECIDED', status: now.status });
    }
    await insertOvertimeHistory(trx, { org_id: orgId, submission_id: id, action: decision, status: decision, actor_id: userId, note: text });
    if (toil !== null && toUnits(toil) > 0) {
      await appendEvents(trx, [overtimeEvent(row, decision === 'APPROVED' ? 'approved' : 'rejected', userId, text)]);
      await accrueToil(trx, {
        orgId,
        userId: row.user_id,
        source: 'OVERTIME',
        submissionId: row.id,
        earnedOn: row.date,
        hours: toil,
        expiryMonths: await toilExpiryMonths(trx, orgId),
        reason: `${formatUnits(toUnits(row.hours))} hours of ${type?.name ?? 'overtime'} on ${row.date} × ${formatUnits(toUnits(type?.toil_multiplier ?? '1'))}`,
        actorId: userId,
      });
    } else {
      await appendEvents(trx, [overtimeEvent(row, decision === 'APPROVED' ? 'approved' : 'rejected', userId, text)]);
    }
    return row;
  });
}

/**
 * Cancels an APPROVED submission (admins) and takes back its TOIL lot; CONFLICT
 * `TOIL_ALREADY_USED` (with `hoursUsed`) when some of the lot was used, `NOT_CANCELLABLE`
 * when the submission is not approved.
 */
export async function cancelSubmission(ctx: TimeContext, id: string, note: string | null | undefined): Promise<OvertimeSubmissionRow> {
  const orgId = ctx.identity.orgId;
  requireAdmin(ctx, 'cancel approved overtime');
  const org = await requireOrganization(ctx);
  const current = await requireVisibleSubmission(ctx, id);
  const text = optionalText('input.note', note, MAX_NOTE_LENGTH) ?? null;
  return ctx.db.transaction().execute(async (trx) => {
    await lockPeople(trx, orgId, [current.user_id]);
    const row = await updateOvertimeSubmissionIf(trx, orgId, id, 'APPROVED', { status: 'CANCELLED' satisfies OvertimeStatus });
    if (!row) {
      const now = (await findOvertimeSubmissions(trx, orgId, [id]))[0] ?? current;
      throw conflict(`the submission is ${now.status}: only an approved submission can be cancelled`, { rule: 'NOT_CANCELLABLE', status: now.status });
    }
    await insertOvertimeHistory(trx, { org_id: orgId, submission_id: id, action: 'CANCELLED', status: 'CANCELLED', actor_id: ctx.identity.userId, note: text });
    const lot = await findToilLotOfSubmission(trx, orgId, id);
    await appendEvents(trx, [overtimeEvent(row, 'cancelled', ctx.identity.userId, text)]);
    if (lot && lot.revoked_at === null) {
      await revokeLot(trx, lot, todayIn(org.time_zone, ctx.services.now()), `overtime of ${row.date} cancelled${text ? `: ${text}` : ''}`, ctx.identity.userId);
    }
    return row;
  });
}
