import { activityStatus, type ActivityStatus } from '../../shared/activity-status.ts';
import { badInput, conflict, isUniqueViolation, notFound } from '../../shared/errors.ts';
import { appendEvents, type NewEvent } from '../../shared/outbox.ts';
import type { PageArgs } from '../../shared/pagination.ts';
import { requireText } from '../../shared/validation.ts';
import type { BoardingContext } from '../context.ts';
import {
  countLeaveHistory,
  countStudentLeaves,
  countStudentLeavesOfStudents,
  countStudentLeaveTypes,
  deleteStudentLeave,
  findActiveLeaves,
  historySortKey,
  insertLeaveHistory,
  insertStudentLeaves,
  insertStudentLeaveType,
  LEAVE_TYPE_CODE_INDEX,
  LEAVE_TYPE_NAME_INDEX,
  leaveSortKey,
  leaveTypeSortKey,
  listLeaveHistory,
  listStudentLeaves,
  listStudentLeavesOfStudents,
  listStudentLeaveTypes,
  lockStudentLeave,
  updateStudentLeave,
  updateStudentLeaveType,
  type LeaveConditions,
  type StudentLeaveStatus,
} from '../db/repositories/student-leave.ts';
import type { StudentLeaveHistoryRow, StudentLeaveRow, StudentLeaveTypeRow } from '../db/tables/student-leave.ts';
import { statusAt } from '../domain/leave-status.ts';
import { requireGraphId, resolveStudent, resolveStudents, type Ref, type StudentsRef } from '../domain/refs.ts';
import { studentLeaveEvent } from '../events.ts';
import { countLoader, loaders, oneBy, pageLoader } from '../loaders.ts';
import { connection, defined, optional, page, requiredOnUpdate, userRef } from './common.ts';
import { requireLocation, toLocation } from './locations.ts';
import { toStudent } from './students.ts';
import type { Resolvers } from '../generated/graphql.ts';

/** Longest leave, ms. */
const MAX_LEAVE_MS = 366 * 86_400_000;

export function toStudentLeaveType(row: StudentLeaveTypeRow) {
  return { id: row.id, name: row.name, shortCode: row.short_code, description: row.description, active: row.deactivated_at === null, createdAt: row.created_at };
}

export function toStudentLeave(row: StudentLeaveRow, now: Date) {
  return {
    id: row.id,
    studentId: row.student_id,
    leaveTypeId: row.leave_type_id,
    status: statusAt(row, now),
    startsAt: row.starts_at,
    endsAt: row.ends_at,
    locationId: row.location_id,
    note: row.note,
    createdBy: userRef(row.created_by),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
export type LeaveModel = ReturnType<typeof toStudentLeave>;

function toLeaveChange(row: StudentLeaveHistoryRow) {
  return { action: row.action, comment: row.comment, actor: userRef(row.actor_id), at: row.at };
}

async function typeNamed<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error, LEAVE_TYPE_NAME_INDEX)) throw conflict('An active student leave type has this name', { field: 'input.name', rule: 'NAME_TAKEN' });
    if (isUniqueViolation(error, LEAVE_TYPE_CODE_INDEX)) throw conflict('An active student leave type has this short code', { field: 'input.shortCode', rule: 'CODE_TAKEN' });
    throw error;
  }
}

async function loadLeave(ctx: BoardingContext, id: string): Promise<StudentLeaveRow> {
  const row = await loaders(ctx).leaves.load(id);
  if (!row) throw notFound('StudentLeave', id);
  return row;
}

function checkTimes(startsAt: Date, endsAt: Date, field: string) {
  if (endsAt <= startsAt) throw badInput(field, 'BEFORE_START', 'must be after startsAt');
  if (endsAt.getTime() - startsAt.getTime() > MAX_LEAVE_MS) throw badInput(field, 'RANGE_TOO_LONG', 'must be at most 366 days after startsAt');
}

interface LeaveFilterArgs {
  student?: Ref | null;
  status?: StudentLeaveStatus[] | null;
  leaveTypeId?: string | null;
  from?: Date | null;
  to?: Date | null;
}

async function leaveConditions(ctx: BoardingContext, f: LeaveFilterArgs | null | undefined, studentId?: string): Promise<LeaveConditions> {
  const filter = f ?? {};
  if (filter.from && filter.to && filter.to <= filter.from) throw badInput('filter.to', 'BEFORE_START', 'must be after filter.from');
  let student = studentId;
  if (filter.student) {
    if (studentId) throw badInput('filter.student', 'NOT_APPLICABLE', 'is implied by the student');
    student = (await resolveStudent(ctx, filter.student, 'filter.student', 'target')).id;
  }
  if (filter.leaveTypeId) requireGraphId('filter.leaveTypeId', filter.leaveTypeId);
  return { studentId: student, statuses: filter.status, leaveTypeId: filter.leaveTypeId, from: filter.from, to: filter.to, now: ctx.now };
}

function leaveConnection(ctx: BoardingContext, rows: StudentLeaveRow[], limit: number, args: PageArgs, c: LeaveConditions) {
  return connection(rows, limit, args, leaveSortKey, (r) => toStudentLeave(r, ctx.now), () => countStudentLeaves(ctx.db, ctx.identity.orgId, c));
}

/** The per-request loader of each student's active leave (judged at the request's instant). */
function activeLeaveLoader(ctx: BoardingContext) {
  return ctx.loaders.get('activeLeave', () => oneBy((ids) => findActiveLeaves(ctx.db, ctx.identity.orgId, ids, ctx.now), (r: StudentLeaveRow) => r.student_id));
}


/** The student's house (read before a transaction: never query outside it while it is open). */
async function houseOf(ctx: BoardingContext, studentId: string): Promise<string | null> {
  return (await loaders(ctx).students.load(studentId))?.house_id ?? null;
}

export const studentLeaveResolvers = {
  Query: {
    studentLeaveTypes: async (_: unknown, a: PageArgs & { status?: ActivityStatus | null }, ctx: BoardingContext) => {
      const { limit, args } = page(a);
      const status = activityStatus(a.status);
      const rows = await listStudentLeaveTypes(ctx.db, ctx.identity.orgId, status, limit, args);
      return connection(rows, limit, args, leaveTypeSortKey, toStudentLeaveType, () => countStudentLeaveTypes(ctx.db, ctx.identity.orgId, status));
    },
    studentLeaves: async (_: unknown, a: PageArgs & { filter?: LeaveFilterArgs | null }, ctx: BoardingContext) => {
      const { limit, args } = page(a);
      const c = await leaveConditions(ctx, a.filter);
      return leaveConnection(ctx, await listStudentLeaves(ctx.db, ctx.identity.orgId, c, limit, args), limit, args, c);
    },
    studentLeave: async (_: unknown, a: { id: string }, ctx: BoardingContext) => toStudentLeave(await loadLeave(ctx, a.id), ctx.now),
  },
  Mutation: {
    createStudentLeaveType: async (_: unknown, { input }: { input: { name: string; shortCode: string; description?: string | null } }, ctx: BoardingContext) => {
      const row = {
        org_id: ctx.identity.orgId,
        name: requireText('input.name', input.name, 1, 100),
        short_code: requireText('input.shortCode', input.shortCode, 1, 10),
        description: optional('input.description', input.description, 500) ?? null,
        deactivated_at: null,
      };
      return toStudentLeaveType(await typeNamed(() => insertStudentLeaveType(ctx.db, row)));
    },
    updateStudentLeaveType: async (_: unknown, { id, input }: { id: string; input: { name?: string | null; shortCode?: string | null; description?: string | null } }, ctx: BoardingContext) => {
      if (!(await loaders(ctx).leaveTypes.load(id))) throw notFound('StudentLeaveType', id);
      const changes = defined({
        name: requiredOnUpdate('input.name', input.name, 100),
        short_code: requiredOnUpdate('input.shortCode', input.shortCode, 10),
        description: optional('input.description', input.description, 500),
      });
      return toStudentLeaveType(await typeNamed(() => updateStudentLeaveType(ctx.db, ctx.identity.orgId, id, changes)));
    },
    deactivateStudentLeaveType: async (_: unknown, { id }: { id: string }, ctx: BoardingContext) => {
      const current = await loaders(ctx).leaveTypes.load(id);
      if (!current) throw notFound('StudentLeaveType', id);
      if (current.deactivated_at) return toStudentLeaveType(current);
      return toStudentLeaveType(await updateStudentLeaveType(ctx.db, ctx.identity.orgId, id, { deactivated_at: ctx.services.now() }));
    },
    createStudentLeave: async (
      _: unknown,
      { input }: { input: { students: StudentsRef; leaveTypeId: string; startsAt: Date; endsAt: Date; locationId?: string | null; note?: string | null } },
      ctx: BoardingContext,
    ) => {
      const students = await resolveStudents(ctx, input.students, 'input.students');
      const type = await loaders(ctx).leaveTypes.load(requireGraphId('input.leaveTypeId', input.leaveTypeId));
      if (!type) throw badInput('input.leaveTypeId', 'UNKNOWN_REFERENCE', `StudentLeaveType ${input.leaveTypeId} is not one of this organization's`);
      if (type.deactivated_at) throw badInput('input.leaveTypeId', 'INACTIVE_REFERENCE', 'is deactivated');
      checkTimes(input.startsAt, input.endsAt, 'input.endsAt');
      const location = input.locationId ? await requireLocation(ctx, input.locationId, 'input.locationId') : null;
      const note = optional('input.note', input.note, 2000) ?? null;
      const now = ctx.services.now();
      const started = input.startsAt <= now;
      // One transaction: every student's leave or none.
      const rows = await ctx.db.transaction().execute(async (trx) => {
        const inserted = await insertStudentLeaves(
          trx,
          students.map((s) => ({
            org_id: ctx.identity.orgId,
            student_id: s.id,
            leave_type_id: type.id,
            starts_at: input.startsAt,
            ends_at: input.endsAt,
            location_id: location?.id ?? null,
            note,
            cancelled_at: null,
            // Already started: its activation is published now, with its creation.
            activation_published_at: started ? now : null,
            created_by: ctx.identity.userId,
          })),
        );
        await insertLeaveHistory(trx, inserted.map((r) => ({ org_id: r.org_id, leave_id: r.id, action: 'CREATED' as const, comment: null, actor_id: ctx.identity.userId, changes: '{}', at: now })));
        const houses = new Map(students.map((s) => [s.id, s.house_id]));
        const events: NewEvent[] = inserted.flatMap((r) => {
          const house = houses.get(r.student_id) ?? null;
          const created = studentLeaveEvent(r, 'created', ctx.identity.userId, house, now);
          return started ? [created, studentLeaveEvent(r, 'activated', ctx.identity.userId, house, now)] : [created];
        });
        await appendEvents(trx, events);
        return inserted;
      });
      return rows.map((r) => toStudentLeave(r, now));
    },
    updateStudentLeave: async (
      _: unknown,
      { id, input }: { id: string; input: { startsAt?: Date | null; endsAt?: Date | null; locationId?: string | null; note?: string | null; comment?: string | null } },
      ctx: BoardingContext,
    ) => {
      const house = await houseOf(ctx, (await loadLeave(ctx, id)).student_id);
      if (input.startsAt === null) throw badInput('input.startsAt', 'NOT_NULL', 'must not be null');
      if (input.endsAt === null) throw badInput('input.endsAt', 'NOT_NULL', 'must not be null');
      const location = input.locationId ? await requireLocation(ctx, input.locationId, 'input.locationId') : (input.locationId as null | undefined);
      const note = optional('input.note', input.note, 2000);
      const comment = optional('input.comment', input.comment, 2000) ?? null;
      const now = ctx.services.now();
      const row = await ctx.db.transaction().execute(async (trx) => {
        const current = await lockStudentLeave(trx, ctx.identity.orgId, id);
        if (!current) throw notFound('StudentLeave', id);
        if (current.cancelled_at) throw conflict(`StudentLeave ${id} is cancelled`, { rule: 'LEAVE_CANCELLED' });
        const startsAt = input.startsAt ?? current.starts_at;
        const endsAt = input.endsAt ?? current.ends_at;
        checkTimes(startsAt, endsAt, input.endsAt ? 'input.endsAt' : 'input.startsAt');
        const locationId = location === undefined ? undefined : location === null ? null : location.id;
        // Moved back into the future: it will become active (and be published) again at its new start.
        const rescheduled = current.activation_published_at !== null && startsAt > now;
        const changes = defined({
          starts_at: input.startsAt ?? undefined,
          ends_at: input.endsAt ?? undefined,
          location_id: locationId,
          note,
          ...(rescheduled ? { activation_published_at: null } : {}),
        });
        const updated = await updateStudentLeave(trx, ctx.identity.orgId, id, changes);
        const recorded = JSON.stringify(
          defined({ startsAt: input.startsAt?.toISOString(), endsAt: input.endsAt?.toISOString(), locationId, note }),
        );
        await insertLeaveHistory(trx, [{ org_id: updated.org_id, leave_id: id, action: 'UPDATED', comment, actor_id: ctx.identity.userId, changes: recorded, at: now }]);
        await appendEvents(trx, [studentLeaveEvent(updated, 'updated', ctx.identity.userId, house, now)]);
        return updated;
      });
      return toStudentLeave(row, now);
    },
    cancelStudentLeave: async (_: unknown, { id, input }: { id: string; input?: { comment?: string | null } | null }, ctx: BoardingContext) => {
      const house = await houseOf(ctx, (await loadLeave(ctx, id)).student_id);
      const text = optional('input.comment', input?.comment, 2000) ?? null;
      const now = ctx.services.now();
      const row = await ctx.db.transaction().execute(async (trx) => {
        const current = await lockStudentLeave(trx, ctx.identity.orgId, id);
        if (!current) throw notFound('StudentLeave', id);
        if (current.cancelled_at) throw conflict(`StudentLeave ${id} is already cancelled`, { rule: 'LEAVE_CANCELLED' });
        const updated = await updateStudentLeave(trx, ctx.identity.orgId, id, { cancelled_at: now });
        await insertLeaveHistory(trx, [{ org_id: updated.org_id, leave_id: id, action: 'CANCELLED', comment: text, actor_id: ctx.identity.userId, changes: '{}', at: now }]);
        await appendEvents(trx, [studentLeaveEvent(updated, 'cancelled', ctx.identity.userId, house, now)]);
        return updated;
      });
      return toStudentLeave(row, now);
    },
    deleteStudentLeave: async (_: unknown, { id }: { id: string }, ctx: BoardingContext) => {
      const current = await loadLeave(ctx, id);
      const house = await houseOf(ctx, current.student_id);
      await ctx.db.transaction().execute(async (trx) => {
        await deleteStudentLeave(trx, ctx.identity.orgId, id);
        await appendEvents(trx, [studentLeaveEvent(current, 'deleted', ctx.identity.userId, house, ctx.now)]);
      });
      return toStudentLeave(current, ctx.now);
    },
  },
  StudentLeave: {
    student: async (l: LeaveModel, _: unknown, ctx: BoardingContext) => {
      const row = await loaders(ctx).students.load(l.studentId);
      if (!row) throw notFound('Student', l.studentId);
      return toStudent(row);
    },
    leaveType: async (l: LeaveModel, _: unknown, ctx: BoardingContext) => {
      const row = await loaders(ctx).leaveTypes.load(l.leaveTypeId);
      if (!row) throw notFound('StudentLeaveType', l.leaveTypeId);
      return toStudentLeaveType(row);
    },
    location: async (l: LeaveModel, _: unknown, ctx: BoardingContext) => {
      if (!l.locationId) return null;
      const row = await loaders(ctx).locations.load(l.locationId);
      return row ? toLocation(row) : null;
    },
    history: async (l: LeaveModel, a: PageArgs, ctx: BoardingContext) => {
      const { limit, args } = page(a);
      const org = ctx.identity.orgId;
      const rows = await pageLoader(ctx, 'leaveHistory', { limit, args }, (ids) => listLeaveHistory(ctx.db, org, ids, limit, args), (r) => r.leave_id).load(l.id);
      return connection(rows, limit, args, historySortKey, toLeaveChange, () => countLoader(ctx, 'leaveHistoryCounts', null, (ids) => countLeaveHistory(ctx.db, org, ids)).load(l.id));
    },
  },
  Student: {
    activeLeave: async (s: { id: string }, _: unknown, ctx: BoardingContext) => {
      const row = await activeLeaveLoader(ctx).load(s.id);
      return row ? toStudentLeave(row, ctx.now) : null;
    },
    leave: async (s: { id: string }, a: PageArgs & { filter?: LeaveFilterArgs | null }, ctx: BoardingContext) => {
      const { limit, args } = page(a);
      const { studentId: _student, ...c } = await leaveConditions(ctx, a.filter, s.id);
      const org = ctx.identity.orgId;
      const rows = await pageLoader(ctx, 'studentLeave', { c, limit, args }, (ids) => listStudentLeavesOfStudents(ctx.db, org, ids, c, limit, args), (r) => r.student_id).load(s.id);
      return connection(rows, limit, args, leaveSortKey, (r) => toStudentLeave(r, ctx.now), () => countLoader(ctx, 'studentLeaveCounts', c, (ids) => countStudentLeavesOfStudents(ctx.db, org, ids, c)).load(s.id));
    },
  },
} satisfies Resolvers;
