import DataLoader from 'dataloader';
import { forbidden } from '../../shared/errors.ts';
import { pageKey, pageSize, toConnection, type PageArgs } from '../../shared/pagination.ts';
import type { TimeContext } from '../context.ts';
import { countOvertimeSubmissionsOfUsers, listOvertimeSubmissionsOfUsers, overtimeSubmissionSortKey, type OvertimeSubmissionFilter } from '../db/repositories/overtime-submissions.ts';
import type { OvertimeSubmissionRow } from '../db/tables/overtime-submissions.ts';
import { maySeeTimeOfId } from '../domain/access.ts';
import { userHoursWorked } from './hours-worked.ts';
import { toFilter, toOvertimeSubmission, type FilterArg } from './overtime-submissions.ts';
import { userToilBalance } from './toil.ts';
import type { Resolvers } from '../generated/graphql.ts';

interface UserRef {
  readonly id: string;
}

/** One page of submissions per user for the whole batch of `User` representations sharing the arguments: two statements. */
function submissionPages(ctx: TimeContext, filter: OvertimeSubmissionFilter, limit: number, page: PageArgs) {
  const key = JSON.stringify([filter, page]);
  const rows = ctx.loaders.get(`userOvertime:${key}`, () =>
    new DataLoader<string, OvertimeSubmissionRow[]>(async (userIds) => {
      const found = await listOvertimeSubmissionsOfUsers(ctx.db, ctx.identity.orgId, userIds, filter, limit + 1, page);
      return userIds.map((id) => found.filter((r) => r.user_id === id));
    }),
  );
  const counts = ctx.loaders.get(`userOvertimeCounts:${JSON.stringify(filter)}`, () =>
    new DataLoader<string, number>(async (userIds) => {
      const found = await countOvertimeSubmissionsOfUsers(ctx.db, ctx.identity.orgId, userIds, filter);
      return userIds.map((id) => found.get(id) ?? 0);
    }),
  );
  return { rows, counts };
}

export const userTimeResolvers = {
  User: {
    __resolveReference(ref: UserRef) {
      return { id: ref.id };
    },
    async overtimeSubmissions(user: UserRef, args: PageArgs & { filter?: FilterArg | null }, ctx: TimeContext) {
      if (!(await maySeeTimeOfId(ctx, user.id))) throw forbidden('User.overtimeSubmissions is visible only to the person, their managers and admins');
      const limit = pageSize(args);
      const { userIds: _ignored, ...filter } = toFilter(args.filter);
      const pages = submissionPages(ctx, filter, limit, pageKey(args, limit));
      const rows = await pages.rows.load(user.id);
      return toConnection(rows, limit, args, overtimeSubmissionSortKey, toOvertimeSubmission, () => pages.counts.load(user.id));
    },
    toilBalance(user: UserRef, args: { asOf?: string | null; expiringWithinDays?: number | null }, ctx: TimeContext) {
      return userToilBalance(ctx, user.id, args);
    },
    hoursWorked(user: UserRef, args: PageArgs & { from: string; to: string }, ctx: TimeContext) {
      return userHoursWorked(ctx, user.id, args);
    },
  },
} satisfies Resolvers;
