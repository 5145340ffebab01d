import type DataLoader from 'dataloader';
import { notFound } from '../../shared/errors.ts';
import { pageSize, toConnection, type PageArgs } from '../../shared/pagination.ts';
import { requireIds } from '../../shared/validation.ts';
import type { LeaveContext } from '../context.ts';
import { findManagedUserIds } from '../db/repositories/directory.ts';
import {
  countLeaveRequests,
  findLeaveRequestDays,
  findLeaveRequestHistory,
  findLeaveRequests,
  leaveRequestSortKey,
  listLeaveRequests,
  type LeaveRequestFilter,
} from '../db/repositories/leave-requests.ts';
import type { LeaveRequestDayRow, LeaveRequestHistoryRow, LeaveRequestRow } from '../db/tables/leave-requests.ts';
import {
  approveLeaveRequest,
  cancelLeaveRequest,
  createLeaveRequest,
  maySeeRequest,
  rejectLeaveRequest,
  updateLeaveRequest,
  type CreateLeaveRequestInput,
  type UpdateLeaveRequestInput,
} from '../domain/leave-request-service.ts';
import { byId, groupedBy, leaveTypeLoader } from '../loaders.ts';
import { toLeaveType } from './leave-types.ts';
import type { Resolvers } from '../generated/graphql.ts';

/** A federation reference to a person of the people subgraph (null for none). */
function userRef(id: string | null): { __typename: 'User'; id: string } | null {
  return id === null ? null : { __typename: 'User', id };
}

const numberOrNull = (value: string | null) => (value === null ? null : Number(value));

/**
 * The GraphQL `LeaveRequest` of a row: people as `User` references, numerics as numbers.
 * `leaveType`, `days`, `history` and `documents` are resolved from `id` and `leaveTypeId`.
 */
export function toLeaveRequest(row: LeaveRequestRow) {
  return {
    id: row.id,
    userId: row.user_id,
    user: { __typename: 'User' as const, id: row.user_id },
    leaveTypeId: row.leave_type_id,
    status: row.status,
    startDate: row.start_date,
    endDate: row.end_date,
    firstDayPortion: row.first_day_portion,
    lastDayPortion: row.last_day_portion,
    firstDayHours: numberOrNull(row.first_day_hours),
    lastDayHours: numberOrNull(row.last_day_hours),
    unit: row.unit,
    amount: Number(row.amount),
    hours: Number(row.hours),
    reason: row.reason,
    comment: row.comment,
    decidedBy: userRef(row.decided_by),
    decidedAt: row.decided_at,
    decisionNote: row.decision_note,
    createdBy: userRef(row.created_by),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
/** The object every `LeaveRequest` field resolver receives. */
export type LeaveRequestModel = ReturnType<typeof toLeaveRequest>;

function toLeaveRequestDay(row: LeaveRequestDayRow) {
  return {
    date: row.date,
    amount: Number(row.amount),
    hours: Number(row.hours),
    portion: row.portion,
    excludedReason: row.excluded_reason,
    holidayName: row.holiday_name,
  };
}

function toTransition(row: LeaveRequestHistoryRow) {
  return {
    action: row.action,
    fromStatus: row.from_status,
    toStatus: row.to_status,
    actor: userRef(row.actor_id),
    note: row.note,
    occurredAt: row.occurred_at,
  };
}

/**
 * The per-request loader of the caller's organization's leave requests by id. No
 * visibility check (use `maySeeRequest`); unknown ids, ids that are not uuids and other
 * organizations' ids load as null.
 */
export function leaveRequestLoader(ctx: LeaveContext): DataLoader<string, LeaveRequestRow | null> {
  return ctx.loaders.get('leaveRequests', () => byId((ids) => findLeaveRequests(ctx.db, ctx.identity.orgId, ids)));
}

function daysLoader(ctx: LeaveContext): DataLoader<string, LeaveRequestDayRow[]> {
  return ctx.loaders.get('leaveRequestDays', () =>
    groupedBy((ids) => findLeaveRequestDays(ctx.db, ctx.identity.orgId, ids), (row) => row.request_id),
  );
}

function historyLoader(ctx: LeaveContext): DataLoader<string, LeaveRequestHistoryRow[]> {
  return ctx.loaders.get('leaveRequestHistory', () =>
    groupedBy((ids) => findLeaveRequestHistory(ctx.db, ctx.identity.orgId, ids), (row) => row.request_id),
  );
}

/** A request the caller may see, or null. */
async function visibleRequest(ctx: LeaveContext, id: string): Promise<LeaveRequestRow | null> {
  const row = await leaveRequestLoader(ctx).load(id);
  return row && (await maySeeRequest(ctx, row)) ? row : null;
}

/** Whose requests the caller may list: null for everyone (admins), else themself and the people they manage. */
async function visibleUserIds(ctx: LeaveContext): Promise<string[] | null> {
  const { role, userId, orgId } = ctx.identity;
  if (role === 'ADMIN') return null;
  if (!userId) return [];
  return [userId, ...(await findManagedUserIds(ctx.db, orgId, userId))];
}

/** Primes the loader with a written row and maps it. */
function written(ctx: LeaveContext, row: LeaveRequestRow): LeaveRequestModel {
  leaveRequestLoader(ctx).clear(row.id).prime(row.id, row);
  return toLeaveRequest(row);
}

/** Queries `leaveRequest` and `leaveRequests`, the five request mutations, and `LeaveRequest` fields (not `documents`). */
/** The `input` of approve, reject and cancel: an optional note. */
type DecisionInput = { note?: string | null };

export const leaveRequestResolvers = {
  Query: {
    leaveRequest: async (_: unknown, { id }: { id: string }, ctx: LeaveContext) => {
      const row = await visibleRequest(ctx, id);
      if (!row) throw notFound('LeaveRequest', id);
      return toLeaveRequest(row);
    },
    leaveRequests: async (_: unknown, args: PageArgs & { filter?: LeaveRequestFilter | null }, ctx: LeaveContext) => {
      const limit = pageSize(args);
      const filter = args.filter ?? {};
      // Ids of a filter reach SQL as uuids: anything else is a bad input, not a database error.
      requireIds(filter, ['userId', 'leaveTypeId', 'departmentId'], 'filter');
      const orgId = ctx.identity.orgId;
      const visible = await visibleUserIds(ctx);
      const rows = await listLeaveRequests(ctx.db, orgId, visible, filter, limit, args);
      for (const row of rows) leaveRequestLoader(ctx).prime(row.id, row);
      return toConnection(rows, limit, args, leaveRequestSortKey, toLeaveRequest, () => countLeaveRequests(ctx.db, orgId, visible, filter));
    },
  },
  Mutation: {
    createLeaveRequest: async (_: unknown, { input }: { input: CreateLeaveRequestInput }, ctx: LeaveContext) =>
      written(ctx, await createLeaveRequest(ctx, input)),
    updateLeaveRequest: async (_: unknown, { id, input }: { id: string; input: UpdateLeaveRequestInput }, ctx: LeaveContext) =>
      written(ctx, await updateLeaveRequest(ctx, id, input)),
    approveLeaveRequest: async (_: unknown, { id, input }: { id: string; input?: DecisionInput | null }, ctx: LeaveContext) =>
      written(ctx, await approveLeaveRequest(ctx, id, input?.note)),
    rejectLeaveRequest: async (_: unknown, { id, input }: { id: string; input?: DecisionInput | null }, ctx: LeaveContext) =>
      written(ctx, await rejectLeaveRequest(ctx, id, input?.note)),
    cancelLeaveRequest: async (_: unknown, { id, input }: { id: string; input?: DecisionInput | null }, ctx: LeaveContext) =>
      written(ctx, await cancelLeaveRequest(ctx, id, input?.note)),
  },
  LeaveRequest: {
    __resolveReference: async (ref: { id: string }, ctx: LeaveContext) => {
      const row = await visibleRequest(ctx, ref.id);
      return row ? toLeaveRequest(row) : null;
    },
    leaveType: async (request: LeaveRequestModel, _: unknown, ctx: LeaveContext) => {
      const row = await leaveTypeLoader(ctx).load(request.leaveTypeId);
      if (!row) throw new Error(`leave type ${request.leaveTypeId} of request ${request.id} is missing`);
      return toLeaveType(row);
    },
    days: async (request: LeaveRequestModel, _: unknown, ctx: LeaveContext) => (await daysLoader(ctx).load(request.id)).map(toLeaveRequestDay),
    history: async (request: LeaveRequestModel, _: unknown, ctx: LeaveContext) => (await historyLoader(ctx).load(request.id)).map(toTransition),
  },
} satisfies Resolvers;
