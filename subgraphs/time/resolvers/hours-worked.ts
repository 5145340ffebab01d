import DataLoader from 'dataloader';
import { forbidden } from '../../shared/errors.ts';
import { requireDateRange } from '../../shared/dates.ts';
import { pageKey, pageSize, toConnection, type PageArgs } from '../../shared/pagination.ts';
import type { TimeContext } from '../context.ts';
import { findHoursWorkedByIds, hoursWorkedSortKey, listHoursWorkedOfUsers, summarizeHoursWorkedOfUsers } from '../db/repositories/hours-worked.ts';
import type { HoursWorkedRow } from '../db/tables/hours-worked.ts';
import { maySeeTimeOfId } from '../domain/access.ts';
import { recordHoursWorked, type HoursWorkedItemInput, type HoursWorkedItemResult } from '../domain/hours-worked-service.ts';
import { byId } from '../loaders.ts';
import type { Resolvers } from '../generated/graphql.ts';

/** The GraphQL `HoursWorked` of a row. */
export function toHoursWorked(row: HoursWorkedRow) {
  return {
    id: row.id,
    userId: row.user_id,
    user: { __typename: 'User' as const, id: row.user_id },
    date: row.date,
    hoursWorked: Number(row.hours),
    revision: row.revision,
    updatedAt: row.updated_at,
  };
}
export type HoursWorkedModel = ReturnType<typeof toHoursWorked>;

function toResult(r: HoursWorkedItemResult) {
  return {
    index: r.index,
    status: r.status,
    hoursWorked: r.row ? toHoursWorked(r.row) : null,
    hoursAccrued: Number(r.hoursAccrued),
    noAccrualReason: r.noAccrualReason,
    error: r.error,
  };
}

/** A page of days per person for a batch of `User` representations sharing the arguments: two statements whatever their number. */
function hoursPages(ctx: TimeContext, from: string, to: string, limit: number, page: PageArgs) {
  const key = JSON.stringify([from, to, page]);
  const rows = ctx.loaders.get(`userHours:${key}`, () =>
    new DataLoader<string, HoursWorkedRow[]>(async (userIds) => {
      const found = await listHoursWorkedOfUsers(ctx.db, ctx.identity.orgId, userIds, from, to, limit + 1, page);
      return userIds.map((id) => found.filter((r) => r.user_id === id));
    }),
  );
  const totals = ctx.loaders.get(`userHoursTotals:${JSON.stringify([from, to])}`, () =>
    new DataLoader<string, { days: number; hours: string }>(async (userIds) => {
      const found = await summarizeHoursWorkedOfUsers(ctx.db, ctx.identity.orgId, userIds, from, to);
      return userIds.map((id) => found.get(id) ?? { days: 0, hours: '0' });
    }),
  );
  return { rows, totals };
}

/** `User.hoursWorked`: visible to the person, their managers and admins. */
export async function userHoursWorked(ctx: TimeContext, userId: string, args: PageArgs & { from: string; to: string }) {
  if (!(await maySeeTimeOfId(ctx, userId))) throw forbidden('User.hoursWorked is visible only to the person, their managers and admins');
  requireDateRange('from', args.from, 'to', args.to, 366);
  const limit = pageSize(args);
  const pages = hoursPages(ctx, args.from, args.to, limit, pageKey(args, limit));
  const rows = await pages.rows.load(userId);
  const connection = toConnection(rows, limit, args, hoursWorkedSortKey, toHoursWorked, async () => (await pages.totals.load(userId)).days);
  return { ...connection, totalHours: async () => Number((await pages.totals.load(userId)).hours) };
}

export const hoursWorkedResolvers = {
  HoursWorked: {
    async __resolveReference(ref: { id: string }, ctx: TimeContext) {
      const row = await ctx.loaders.get('hoursWorked', () => byId((ids) => findHoursWorkedByIds(ctx.db, ctx.identity.orgId, ids))).load(ref.id);
      if (!row || !(await maySeeTimeOfId(ctx, row.user_id))) return null;
      return toHoursWorked(row);
    },
  },
  Mutation: {
    async recordHoursWorked(_: unknown, { input }: { input: HoursWorkedItemInput }, ctx: TimeContext) {
      const [result] = await recordHoursWorked(ctx, [input], () => 'input.');
      if (!result) throw new Error('recordHoursWorked returned no result');
      // One item: its failure is the mutation's error, as for any other mutation.
      if (result.graphQLError) throw result.graphQLError;
      return toResult(result);
    },
    async recordHoursWorkedBulk(_: unknown, { input }: { input: { items: HoursWorkedItemInput[] } }, ctx: TimeContext) {
      const results = await recordHoursWorked(ctx, input.items, (index) => `input.items.${index}.`);
      const failed = results.filter((r) => r.status === 'FAILED').length;
      return { items: results.map(toResult), processedCount: results.length - failed, failedCount: failed, totalCount: results.length };
    },
  },
} satisfies Resolvers;
