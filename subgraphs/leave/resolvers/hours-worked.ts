import DataLoader from 'dataloader';
import { accrualsApplied, type LeaveContext } from '../context.ts';
import { findAllowanceIdsOfSourceGroups, findAllowances } from '../db/repositories/allowances.ts';
import { maySeeLeaveOfId } from '../domain/access.ts';
import { allowanceBalanceLoader } from '../domain/allowance-balance.ts';
import { isId } from '../../shared/validation.ts';
import { toAllowance } from './allowances.ts';
import type { Resolvers } from '../generated/graphql.ts';

interface HoursWorkedRef {
  readonly id: string;
}

/** Where each hours-worked day's accrual sits, for a batch of days: one statement. */
function accrualOfDay(ctx: LeaveContext) {
  return ctx.loaders.get('hoursWorkedAccruals', () =>
    new DataLoader<string, { allowanceId: string; accrued: string } | null>(async (ids) => {
      const found = await findAllowanceIdsOfSourceGroups(ctx.db, ctx.identity.orgId, ids.filter(isId));
      return ids.map((id) => found.get(id) ?? null);
    }),
  );
}

function allowanceById(ctx: LeaveContext) {
  return ctx.loaders.get('allowancesById', () =>
    new DataLoader<string, Awaited<ReturnType<typeof findAllowances>>[number] | null>(async (ids) => {
      const rows = await findAllowances(ctx.db, ctx.identity.orgId, ids);
      return ids.map((id) => rows.find((r) => r.id === id) ?? null);
    }),
  );
}

/**
 * Leave's side of the time subgraph's `HoursWorked`: the allowance its accrual went into.
 * Every hours-worked event of the organization committed before the read is applied first,
 * so the answer to `recordHoursWorked` (and any read after it) includes its accrual.
 */
export const hoursWorkedLeaveResolvers = {
  HoursWorked: {
    __resolveReference: (ref: HoursWorkedRef) => ({ id: ref.id }),
    allowance: async (day: HoursWorkedRef, _: unknown, ctx: LeaveContext) => {
      await accrualsApplied(ctx);
      const accrual = await accrualOfDay(ctx).load(day.id);
      if (!accrual) return null;
      const row = await allowanceById(ctx).load(accrual.allowanceId);
      if (!row || !(await maySeeLeaveOfId(ctx, row.user_id))) return null;
      return toAllowance(row, await allowanceBalanceLoader(ctx).load(row.id));
    },
    accrued: async (day: HoursWorkedRef, _: unknown, ctx: LeaveContext) => {
      await accrualsApplied(ctx);
      const accrual = await accrualOfDay(ctx).load(day.id);
      return accrual ? Number(accrual.accrued) : 0;
    },
  },
} satisfies Resolvers;
