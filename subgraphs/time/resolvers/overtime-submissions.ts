import DataLoader from 'dataloader';
import { badInput } from '../../shared/errors.ts';
import { pageSize, toConnection, type PageArgs } from '../../shared/pagination.ts';
import { requireIds } from '../../shared/validation.ts';
import { requireDateRange } from '../../shared/dates.ts';
import type { TimeContext } from '../context.ts';
import {
  countOvertimeSubmissions,
  findOvertimeHistory,
  listOvertimeSubmissions,
  overtimeSubmissionSortKey,
  type OvertimeSubmissionFilter,
} from '../db/repositories/overtime-submissions.ts';
import { findManagedUserIds } from '../db/repositories/directory.ts';
import type { OvertimeStatus, OvertimeSubmissionHistoryRow, OvertimeSubmissionRow } from '../db/tables/overtime-submissions.ts';
import {
  cancelSubmission,
  createSubmission,
  decideSubmission,
  deleteSubmission,
  requireVisibleSubmission,
  updateSubmission,
  type CreateSubmissionInput,
  type UpdateSubmissionInput,
} from '../domain/overtime-service.ts';
import { managesUser } from '../domain/access.ts';
import { overtimeSubmissionLoader, overtimeTypeLoader } from '../loaders.ts';
import { toOvertimeType } from './overtime-types.ts';
import type { Resolvers } from '../generated/graphql.ts';

const userRef = (id: string | null) => (id ? { __typename: 'User' as const, id } : null);

/** The GraphQL `OvertimeSubmission` of a row. */
export function toOvertimeSubmission(row: OvertimeSubmissionRow) {
  return {
    id: row.id,
    userId: row.user_id,
    overtimeTypeId: row.overtime_type_id,
    user: { __typename: 'User' as const, id: row.user_id },
    date: row.date,
    hoursWorked: Number(row.hours),
    startTime: row.start_time,
    endTime: row.end_time,
    description: row.description,
    status: row.status,
    toilHoursAccrued: row.toil_hours_accrued === null ? 0 : Number(row.toil_hours_accrued),
    decidedBy: userRef(row.decided_by),
    decidedAt: row.decided_at,
    decisionNote: row.decision_note,
    createdBy: userRef(row.created_by),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
export type SubmissionModel = ReturnType<typeof toOvertimeSubmission>;

/** The filter argument as the API takes it. */
export interface FilterArg {
  userId?: string | null;
  departmentId?: string | null;
  statuses?: OvertimeStatus[] | null;
  overtimeTypeId?: string | null;
  from?: string | null;
  to?: string | null;
}

/** Validates a filter argument (ids, range) into a repository filter. */
export function toFilter(filter: FilterArg | null | undefined): OvertimeSubmissionFilter {
  const f = filter ?? {};
  requireIds(f, ['userId', 'departmentId', 'overtimeTypeId'], 'filter');
  if (f.from && f.to) requireDateRange('filter.from', f.from, 'filter.to', f.to);
  return {
    userIds: f.userId ? [f.userId] : undefined,
    departmentId: f.departmentId ?? undefined,
    statuses: f.statuses ?? undefined,
    overtimeTypeId: f.overtimeTypeId ?? undefined,
    from: f.from ?? undefined,
    to: f.to ?? undefined,
  };
}

/** Who the caller may see the overtime of: undefined for admins (everyone), else themself and the people they manage. */
async function visibleUserIds(ctx: TimeContext): Promise<string[] | undefined> {
  if (ctx.identity.role === 'ADMIN') return undefined;
  const me = ctx.identity.userId;
  if (!me) return [];
  return [me, ...(await findManagedUserIds(ctx.db, ctx.identity.orgId, me))];
}

function historyLoader(ctx: TimeContext) {
  return ctx.loaders.get('overtimeHistory', () =>
    new DataLoader<string, OvertimeSubmissionHistoryRow[]>(async (ids) => {
      const rows = await findOvertimeHistory(ctx.db, ctx.identity.orgId, ids);
      return ids.map((id) => rows.filter((r) => r.submission_id === id));
    }),
  );
}

/** A submission by id if the caller may see it (their own, or a report's), else null. */
export async function visibleSubmission(ctx: TimeContext, id: string): Promise<SubmissionModel | null> {
  const row = await overtimeSubmissionLoader(ctx).load(id);
  if (!row) return null;
  const user = await ctx.directory.users.load(row.user_id);
  const visible = ctx.identity.userId === row.user_id || (user !== null && (await managesUser(ctx, user)));
  return visible ? toOvertimeSubmission(row) : null;
}

export const overtimeSubmissionResolvers = {
  Query: {
    async overtimeSubmission(_: unknown, { id }: { id: string }, ctx: TimeContext) {
      return toOvertimeSubmission(await requireVisibleSubmission(ctx, id));
    },
    async overtimeSubmissions(_: unknown, args: PageArgs & { filter?: FilterArg | null }, ctx: TimeContext) {
      const limit = pageSize(args);
      const filter: OvertimeSubmissionFilter = { ...toFilter(args.filter), visibleUserIds: await visibleUserIds(ctx) };
      const rows = await listOvertimeSubmissions(ctx.db, ctx.identity.orgId, filter, limit + 1, args);
      return toConnection(rows, limit, args, overtimeSubmissionSortKey, toOvertimeSubmission, () => countOvertimeSubmissions(ctx.db, ctx.identity.orgId, filter));
    },
  },
  OvertimeSubmission: {
    __resolveReference: (ref: { id: string }, ctx: TimeContext) => visibleSubmission(ctx, ref.id),
    async overtimeType(s: SubmissionModel, _: unknown, ctx: TimeContext) {
      const type = await overtimeTypeLoader(ctx).load(s.overtimeTypeId);
      // Types with submissions are never deleted, and the foreign key keeps them in the organization.
      if (!type) throw new Error(`overtime type ${s.overtimeTypeId} of submission ${s.id} not found`);
      return toOvertimeType(type);
    },
    async history(s: SubmissionModel, _: unknown, ctx: TimeContext) {
      const rows = await historyLoader(ctx).load(s.id);
      return rows.map((r) => ({ action: r.action, status: r.status, actor: userRef(r.actor_id), note: r.note, at: r.created_at }));
    },
  },
  Mutation: {
    async createOvertimeSubmission(_: unknown, { input }: { input: CreateSubmissionInput }, ctx: TimeContext) {
      return toOvertimeSubmission(await createSubmission(ctx, input));
    },
    async updateOvertimeSubmission(_: unknown, { id, input }: { id: string; input: UpdateSubmissionInput }, ctx: TimeContext) {
      if (Object.keys(input).length === 0) throw badInput('input', 'AT_LEAST_ONE_OF', 'must change at least one field');
      return toOvertimeSubmission(await updateSubmission(ctx, id, input));
    },
    async deleteOvertimeSubmission(_: unknown, { id }: { id: string }, ctx: TimeContext) {
      return toOvertimeSubmission(await deleteSubmission(ctx, id));
    },
    async approveOvertimeSubmission(_: unknown, { id, input }: { id: string; input?: { note?: string | null } | null }, ctx: TimeContext) {
      return toOvertimeSubmission(await decideSubmission(ctx, id, 'APPROVED', input?.note));
    },
    async rejectOvertimeSubmission(_: unknown, { id, input }: { id: string; input?: { note?: string | null } | null }, ctx: TimeContext) {
      return toOvertimeSubmission(await decideSubmission(ctx, id, 'REJECTED', input?.note));
    },
    async cancelOvertimeSubmission(_: unknown, { id, input }: { id: string; input?: { note?: string | null } | null }, ctx: TimeContext) {
      return toOvertimeSubmission(await cancelSubmission(ctx, id, input?.note));
    },
  },
} satisfies Resolvers;
