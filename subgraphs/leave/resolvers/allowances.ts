import DataLoader from 'dataloader';
import { badInput, forbidden } from '../../shared/errors.ts';
import { appendEvents } from '../../shared/outbox.ts';
import { pageKey, pageSize, toConnection, type PageArgs } from '../../shared/pagination.ts';
import { isId, requireIntInRange, requireText } from '../../shared/validation.ts';
import { accrualsApplied, type LeaveContext } from '../context.ts';
import {
  countLedgerEntriesOfAllowances,
  insertLedgerEntry,
  ledgerSortKey,
  listLedgerEntriesOfAllowances,
  updateAllowance,
} from '../db/repositories/allowances.ts';
import type { AllowanceLedgerRow, AllowanceRow } from '../db/tables/allowances.ts';
import type { DirectoryOrganizationRow, DirectoryUserRow } from '../db/tables/directory.ts';
import type { LeaveTypeRow } from '../db/tables/leave-types.ts';
import { maySeeLeaveOf, requireAdmin, requireDirectoryUser, requireOrganization } from '../domain/access.ts';
import {
  allowanceBalanceLoader,
  currentLeaveYear,
  ensureAllowance,
  proRatedEntitlement,
  type AllowanceBalance,
} from '../domain/allowance-balance.ts';
import { todayIn } from '../domain/dates.ts';
import { hasAtMostDecimals } from '../domain/decimal.ts';
import { allowanceChangedEvent } from '../events.ts';
import { leaveTypeLoader } from '../loaders.ts';
import { MAX_ENTITLEMENT, requireEntitlement, toLeaveType } from './leave-types.ts';
import type { Resolvers } from '../generated/graphql.ts';

/** Earliest and latest leave year an allowance may be read or written for. */
const FIRST_YEAR = 2000;
const LAST_YEAR = 2100;

/**
 * The GraphQL `Allowance` of a row and its balance (from `allowanceBalanceLoader` or
 * `allowanceBalances`). `unit`, `baseEntitlement` and `leaveType` resolve through the
 * leave type loader.
 */
export function toAllowance(row: AllowanceRow, balance: AllowanceBalance) {
  return {
    id: row.id,
    userId: row.user_id,
    leaveTypeId: row.leave_type_id,
    year: row.year,
    startDate: row.start_date,
    endDate: row.end_date,
    /** The person's own base entitlement; null: the type's default. */
    ownBaseEntitlement: row.base_entitlement,
    entitlement: balance.entitlement,
    carriedOver: balance.carriedOver,
    adjustments: balance.adjustments,
    accrued: balance.accrued,
    used: balance.used,
    pending: balance.pending,
    remaining: balance.remaining,
  };
}
export type AllowanceModel = ReturnType<typeof toAllowance>;

/** The GraphQL `AllowanceLedgerEntry` of a ledger row. */
function toLedgerEntry(row: AllowanceLedgerRow) {
  return {
    id: row.id,
    kind: row.kind,
    amount: Number(row.amount),
    reason: row.reason,
    effectiveDate: row.effective_date,
    createdBy: row.created_by ? { __typename: 'User' as const, id: row.created_by } : null,
    createdAt: row.created_at,
  };
}

async function typeOf(ctx: LeaveContext, allowance: AllowanceModel): Promise<LeaveTypeRow> {
  const type = await leaveTypeLoader(ctx).load(allowance.leaveTypeId);
  // Types are never deleted and the foreign key keeps them in the organization.
  if (!type) throw new Error(`leave type ${allowance.leaveTypeId} of allowance ${allowance.id} not found`);
  return type;
}

/** The leave type `id` when it has allowances; BAD_USER_INPUT on `field` otherwise (unknown, another organization's, or not deducting). */
async function requireAllowanceType(ctx: LeaveContext, id: string, field: string): Promise<LeaveTypeRow> {
  const type = await leaveTypeLoader(ctx).load(id);
  if (!type) throw badInput(field, 'UNKNOWN_REFERENCE', `${id} is not a leave type of this organization`);
  if (!type.deducts_from_allowance) throw badInput(field, 'INCOMPATIBLE', 'is a leave type that does not deduct from an allowance');
  return type;
}

interface AllowanceTarget {
  org: DirectoryOrganizationRow;
  user: DirectoryUserRow;
  type: LeaveTypeRow;
  year: number;
}

/** Validates the person, type and year of an admin write on an allowance. */
async function requireTarget(ctx: LeaveContext, input: { userId: string; leaveTypeId: string; year: number }): Promise<AllowanceTarget> {
  const org = await requireOrganization(ctx);
  const user = await requireDirectoryUser(ctx, input.userId, 'input.userId');
  const type = await requireAllowanceType(ctx, input.leaveTypeId, 'input.leaveTypeId');
  const year = requireIntInRange('input.year', input.year, FIRST_YEAR, LAST_YEAR);
  return { org, user, type, year };
}

/** An adjustment amount: not zero, within ± a year's maximum, at most 2 decimals for days and 4 for hours. */
function requireAdjustment(value: number, type: LeaveTypeRow): string {
  const max = MAX_ENTITLEMENT[type.unit];
  const unit = type.unit === 'DAYS' ? 'days' : 'hours';
  const decimals = type.unit === 'DAYS' ? 2 : 4;
  if (!Number.isFinite(value) || value === 0) throw badInput('input.amount', 'MUST_NOT_BE_ZERO', 'must not be zero');
  if (Math.abs(value) > max) throw badInput('input.amount', 'OUT_OF_RANGE', `must be between -${max} and ${max} ${unit}`);
  if (!hasAtMostDecimals(value, decimals)) throw badInput('input.amount', 'TOO_MANY_DECIMALS', `must have at most ${decimals} decimal places`);
  return value.toFixed(decimals);
}

/** Today in the organization's time zone, moved into the leave year when the year is past or future. */
function defaultEffectiveDate(ctx: LeaveContext, org: DirectoryOrganizationRow, allowance: AllowanceRow): string {
  const today = todayIn(org.time_zone, ctx.services.now());
  if (today < allowance.start_date) return allowance.start_date;
  if (today > allowance.end_date) return allowance.end_date;
  return today;
}

/**
 * Per-request loader of ledger pages by allowance id, one per page size and cursor: the
 * ledgers of a list of allowances load in one statement.
 */
function ledgerPageLoader(ctx: LeaveContext, limit: number, page: PageArgs): DataLoader<string, AllowanceLedgerRow[]> {
  return ctx.loaders.get(`allowanceLedger:${JSON.stringify(page)}`, () =>
    new DataLoader<string, AllowanceLedgerRow[]>(async (ids) => {
      const rows = await listLedgerEntriesOfAllowances(ctx.db, ctx.identity.orgId, ids.filter(isId), limit, page);
      return ids.map((id) => rows.filter((r) => r.allowance_id === id));
    }),
  );
}

/** Per-request loader of ledger entry counts by allowance id. */
function ledgerCountLoader(ctx: LeaveContext): DataLoader<string, number> {
  return ctx.loaders.get('allowanceLedgerCounts', () =>
    new DataLoader<string, number>(async (ids) => {
      const counts = await countLedgerEntriesOfAllowances(ctx.db, ctx.identity.orgId, ids.filter(isId));
      return ids.map((id) => counts.get(id) ?? 0);
    }),
  );
}

async function answer(ctx: LeaveContext, row: AllowanceRow) {
  const loader = allowanceBalanceLoader(ctx);
  loader.clear(row.id);
  return toAllowance(row, await loader.load(row.id));
}

interface SetAllowanceInput {
  userId: string;
  leaveTypeId: string;
  year: number;
  baseEntitlement?: number | null;
  carriedOver?: number | null;
}

interface AdjustAllowanceInput {
  userId: string;
  leaveTypeId: string;
  year: number;
  amount: number;
  reason: string;
  effectiveDate?: string | null;
}

/** Resolvers of allowances: the `allowance` query, `Allowance` fields and the admin mutations. */
export const allowanceResolvers = {
  Query: {
    allowance: async (_: unknown, args: { userId: string; leaveTypeId: string; year?: number | null }, ctx: LeaveContext) => {
      await accrualsApplied(ctx);
      const org = await requireOrganization(ctx);
      const user = await requireDirectoryUser(ctx, args.userId, 'userId');
      if (!(await maySeeLeaveOf(ctx, user))) throw forbidden('only the person, their managers and admins may see their allowances');
      const type = await requireAllowanceType(ctx, args.leaveTypeId, 'leaveTypeId');
      const year =
        args.year === null || args.year === undefined
          ? currentLeaveYear(org, ctx.services.now())
          : requireIntInRange('year', args.year, FIRST_YEAR, LAST_YEAR);
      return answer(ctx, await ensureAllowance(ctx.db, org, user, type, year));
    },
  },
  Allowance: {
    user: (allowance: AllowanceModel) => ({ __typename: 'User' as const, id: allowance.userId }),
    leaveType: async (allowance: AllowanceModel, _: unknown, ctx: LeaveContext) => toLeaveType(await typeOf(ctx, allowance)),
    unit: async (allowance: AllowanceModel, _: unknown, ctx: LeaveContext) => (await typeOf(ctx, allowance)).unit,
    baseEntitlement: async (allowance: AllowanceModel, _: unknown, ctx: LeaveContext) =>
      Number(allowance.ownBaseEntitlement ?? (await typeOf(ctx, allowance)).default_entitlement ?? 0),
    ledger: async (allowance: AllowanceModel, args: PageArgs, ctx: LeaveContext) => {
      const limit = pageSize(args);
      const rows = await ledgerPageLoader(ctx, limit, pageKey(args, limit)).load(allowance.id);
      return toConnection(rows, limit, args, ledgerSortKey, toLedgerEntry, () => ledgerCountLoader(ctx).load(allowance.id));
    },
  },
  Mutation: {
    setAllowance: async (_: unknown, { input }: { input: SetAllowanceInput }, ctx: LeaveContext) => {
      requireAdmin(ctx, 'set allowances');
      const { org, user, type, year } = await requireTarget(ctx, input);
      const base =
        input.baseEntitlement === null || input.baseEntitlement === undefined
          ? null
          : requireEntitlement('input.baseEntitlement', input.baseEntitlement, type.unit);
      const carriedOver =
        input.carriedOver === null || input.carriedOver === undefined ? '0.00' : requireEntitlement('input.carriedOver', input.carriedOver, type.unit);
      const row = await ctx.db.transaction().execute(async (trx) => {
        const current = await ensureAllowance(trx, org, user, type, year, { forUpdate: true });
        const period = { startDate: current.start_date, endDate: current.end_date };
        const updated = await updateAllowance(trx, org.org_id, current.id, {
          base_entitlement: base,
          carried_over: carriedOver,
          entitlement: proRatedEntitlement(base ?? type.default_entitlement, type.unit, user, period, org.full_time_weekly_hours),
        });
        await appendEvents(trx, [allowanceChangedEvent(updated, 'SET', ctx.identity.userId)]);
        return updated;
      });
      return answer(ctx, row);
    },
    adjustAllowance: async (_: unknown, { input }: { input: AdjustAllowanceInput }, ctx: LeaveContext) => {
      requireAdmin(ctx, 'adjust allowances');
      const { org, user, type, year } = await requireTarget(ctx, input);
      const amount = requireAdjustment(input.amount, type);
      const reason = requireText('input.reason', input.reason, 1, 500);
      const row = await ctx.db.transaction().execute(async (trx) => {
        const current = await ensureAllowance(trx, org, user, type, year, { forUpdate: true });
        const effectiveDate = input.effectiveDate ?? defaultEffectiveDate(ctx, org, current);
        if (effectiveDate < current.start_date || effectiveDate > current.end_date) {
          throw badInput('input.effectiveDate', 'OUT_OF_RANGE', `must be inside the leave year, ${current.start_date} to ${current.end_date}`);
        }
        await insertLedgerEntry(trx, {
          org_id: org.org_id,
          allowance_id: current.id,
          kind: 'ADJUSTMENT',
          amount,
          reason,
          effective_date: effectiveDate,
          source_id: null,
          created_by: ctx.identity.userId,
        });
        const updated = await updateAllowance(trx, org.org_id, current.id, {});
        await appendEvents(trx, [allowanceChangedEvent(updated, 'ADJUSTED', ctx.identity.userId)]);
        return updated;
      });
      return answer(ctx, row);
    },
  },
} satisfies Resolvers;
