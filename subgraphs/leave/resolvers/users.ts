import DataLoader from 'dataloader';
import { badInput, forbidden } from '../../shared/errors.ts';
import { pageKey, pageSize, toConnection, type PageArgs } from '../../shared/pagination.ts';
import { requireIds } from '../../shared/validation.ts';
import { accrualsApplied, type LeaveContext } from '../context.ts';
import { balanceOf, currentLeaveYear, newAllowanceRow } from '../domain/allowance-balance.ts';
import { maySeeLeaveOfId, requireOrganization } from '../domain/access.ts';
import { todayIn } from '../domain/dates.ts';
import { findAllowancesWithSumsOfUsers, insertAllowancesIfMissing, type AllowanceWithSums } from '../db/repositories/allowances.ts';
import { countLeaveRequestsOfUsers, leaveRequestSortKey, listLeaveRequestsOfUsers, type LeaveRequestFilter } from '../db/repositories/leave-requests.ts';
import { findApprovedLeaveOn, findDeductingLeaveTypes } from '../db/repositories/user-leave.ts';
import type { LeaveRequestRow } from '../db/tables/leave-requests.ts';
import type { DirectoryUserRow } from '../db/tables/directory.ts';
import { groupRows } from '../loaders.ts';
import { toAllowance } from './allowances.ts';
import { toLeaveRequest } from './leave-requests.ts';
import type { Resolvers } from '../generated/graphql.ts';

interface UserRef {
  readonly id: string;
}

/** Throws FORBIDDEN unless the caller may see the person's leave (themself, their managers, admins). */
async function requireLeaveVisible(ctx: LeaveContext, userId: string, field: string): Promise<void> {
  if (!(await maySeeLeaveOfId(ctx, userId))) {
    throw forbidden(`User.${field} is visible only to the person, their managers and admins`);
  }
}

/**
 * One page of requests per user for the whole batch of `User` representations sharing
 * the same arguments, whatever the number of users: one statement for a first page (its
 * rows count each user's requests too), two after a cursor (page rows, counts).
 */
function leaveRequestPages(ctx: LeaveContext, filter: LeaveRequestFilter, page: PageArgs) {
  const key = JSON.stringify([filter, page]);
  const counts = ctx.loaders.get(`userLeaveRequestCounts:${key}`, () =>
    new DataLoader<string, number>(async (userIds) => {
      const found = await countLeaveRequestsOfUsers(ctx.db, ctx.identity.orgId, userIds, filter);
      return userIds.map((id) => found.get(id) ?? 0);
    }),
  );
  const rows = ctx.loaders.get(`userLeaveRequests:${key}`, () =>
    new DataLoader<string, LeaveRequestRow[]>(async (userIds) => {
      const found = await listLeaveRequestsOfUsers(ctx.db, ctx.identity.orgId, userIds, filter, (page.first ?? page.last ?? 0) + 1, page);
      if (found.totals) for (const id of userIds) counts.prime(id, found.totals.get(id) ?? 0);
      const byUser = groupRows(found.rows, (r) => r.user_id);
      return userIds.map((id) => byUser.get(id) ?? []);
    }),
  );
  return { rows, counts };
}

/**
 * Allowances of a batch of users for one leave year with the sums of their balances (one
 * statement), creating missing defaults in one statement more.
 */
function allowancesOfYear(ctx: LeaveContext, year: number | null) {
  return ctx.loaders.get(`userAllowances:${year ?? 'current'}`, () =>
    new DataLoader<string, AllowanceWithSums[]>(async (userIds) => {
      const orgId = ctx.identity.orgId;
      const [org, types] = await Promise.all([requireOrganization(ctx), findDeductingLeaveTypes(ctx.db, orgId)]);
      const y = year ?? currentLeaveYear(org, ctx.services.now());
      let rows = await findAllowancesWithSumsOfUsers(ctx.db, orgId, userIds, y);
      const have = new Set(rows.map((r) => `${r.user_id}|${r.leave_type_id}`));
      const users = (await ctx.directory.users.loadMany(userIds)).filter((u): u is DirectoryUserRow => u !== null && !(u instanceof Error));
      const missing = users.flatMap((user) =>
        types
          .filter((type) => type.default_entitlement !== null && !have.has(`${user.id}|${type.id}`))
          .map((type) => newAllowanceRow(org, user, type, y)),
      );
      if (missing.length > 0) {
        // Defaults are materialized on first read so every later request locks a real row.
        await insertAllowancesIfMissing(ctx.db, missing);
        rows = await findAllowancesWithSumsOfUsers(ctx.db, orgId, userIds, y);
      }
      const active = new Set(types.map((t) => t.id));
      const byUser = groupRows(rows.filter((r) => active.has(r.leave_type_id)), (r) => r.user_id);
      return userIds.map((id) => byUser.get(id) ?? []);
    }),
  );
}

/** Approved leave covering today for a batch of users: one statement. */
function currentLeaveOf(ctx: LeaveContext) {
  return ctx.loaders.get('userCurrentLeave', () =>
    new DataLoader<string, LeaveRequestRow | null>(async (userIds) => {
      const org = await requireOrganization(ctx);
      const rows = await findApprovedLeaveOn(ctx.db, ctx.identity.orgId, userIds, todayIn(org.time_zone, ctx.services.now()));
      const byUser = groupRows(rows, (r) => r.user_id);
      return userIds.map((id) => byUser.get(id)?.[0] ?? null);
    }),
  );
}

export const userLeaveResolvers = {
  User: {
    // Leave holds no user data of its own: the reference is the user; fields check visibility.
    __resolveReference: (ref: UserRef) => ({ id: ref.id }),
    leaveRequests: async (user: UserRef, args: PageArgs & { filter?: LeaveRequestFilter | null }, ctx: LeaveContext) => {
      await requireLeaveVisible(ctx, user.id, 'leaveRequests');
      const limit = pageSize(args);
      const filter: LeaveRequestFilter = { ...(args.filter ?? {}), userId: null };
      // The filter's ids reach SQL as uuids.
      requireIds(filter, ['leaveTypeId', 'departmentId'], 'filter');
      const { rows, counts } = leaveRequestPages(ctx, filter, pageKey(args, limit));
      const page = await rows.load(user.id);
      return toConnection(page, limit, args, leaveRequestSortKey, toLeaveRequest, () => counts.load(user.id));
    },
    allowances: async (user: UserRef, args: { year?: number | null }, ctx: LeaveContext) => {
      await requireLeaveVisible(ctx, user.id, 'allowances');
      await accrualsApplied(ctx);
      if (args.year !== null && args.year !== undefined && (!Number.isInteger(args.year) || args.year < 2000 || args.year > 2100)) {
        throw badInput('year', 'OUT_OF_RANGE', 'must be a year from 2000 to 2100');
      }
      const rows = await allowancesOfYear(ctx, args.year ?? null).load(user.id);
      return rows.map((row) => toAllowance(row, balanceOf(row)));
    },
    currentLeave: async (user: UserRef, _: unknown, ctx: LeaveContext) => {
      await requireLeaveVisible(ctx, user.id, 'currentLeave');
      const row = await currentLeaveOf(ctx).load(user.id);
      return row ? toLeaveRequest(row) : null;
    },
  },
  Department: {
    __resolveReference: (ref: UserRef) => ({ id: ref.id }),
  },
} satisfies Resolvers;
