import { badInput, forbidden, notFound } from '../../shared/errors.ts';
import { pageSize, toConnection, type PageArgs } from '../../shared/pagination.ts';
import { isId, requireText } from '../../shared/validation.ts';
import type { LeaveContext } from '../context.ts';
import {
  countCoverageRules,
  coverageRuleSortKey,
  findCoverageRule,
  insertCoverageRule,
  listCoverageRules,
  softDeleteCoverageRule,
  updateCoverageRule,
} from '../db/repositories/coverage-rules.ts';
import type { CoverageEnforcement, CoverageRuleRow } from '../db/tables/coverage-rules.ts';
import { maySeeLeaveOf, requireAdmin, requireDirectoryUser } from '../domain/access.ts';
import { checkCoverage, type CoverageDayResult, type CoverageResult } from '../domain/coverage.ts';
import { requireDateRange } from '../domain/dates.ts';
import { hasAtMostDecimals } from '../domain/decimal.ts';
import { MAX_QUERY_RANGE_DAYS, requireDepartment } from './calendar-days.ts';
import type { Resolvers } from '../generated/graphql.ts';

/** A coverage rule as the API shows it. */
function toCoverageRule(row: CoverageRuleRow) {
  return {
    id: row.id,
    departmentId: row.department_id,
    name: row.name,
    minimumPercent: row.minimum_percent === null ? null : Number(row.minimum_percent),
    minimumCount: row.minimum_count,
    enforcement: row.enforcement,
    createdAt: row.created_at,
  };
}
export type CoverageRuleModel = ReturnType<typeof toCoverageRule>;

function toCoverageDay(day: CoverageDayResult) {
  return { ...day, violatedRules: day.violatedRules.map(toCoverageRule) };
}

/** A coverage check as the API shows it; the daily breakdown only when asked for. */
function toCoverageCheck(result: CoverageResult, includeDailyBreakdown: boolean) {
  return {
    hasViolation: result.hasViolation,
    blocking: result.blocking,
    message: result.message,
    violatedRules: result.violatedRules.map(toCoverageRule),
    dailyBreakdown: includeDailyBreakdown ? result.days.map(toCoverageDay) : null,
  };
}

interface CoverageRuleInput {
  departmentId?: string | null;
  name?: string | null;
  minimumPercent?: number | null;
  minimumCount?: number | null;
  enforcement?: CoverageEnforcement | null;
}

/** Validated columns of a rule. */
interface RulePatch {
  name?: string;
  minimum_percent?: string | null;
  minimum_count?: number | null;
  enforcement?: CoverageEnforcement;
}

/** The validated columns of a rule's input; fields left out of `input` stay out of the patch. */
function validateRuleInput(input: CoverageRuleInput): RulePatch {
  const patch: RulePatch = {};
  if (input.name !== undefined) patch.name = requireText('input.name', input.name ?? '', 1, 100);
  if (input.minimumPercent !== undefined) {
    const percent = input.minimumPercent;
    if (percent !== null) {
      if (!Number.isFinite(percent) || percent < 0 || percent > 100) throw badInput('input.minimumPercent', 'OUT_OF_RANGE', 'must be from 0 to 100');
      if (!hasAtMostDecimals(percent, 2)) throw badInput('input.minimumPercent', 'TOO_MANY_DECIMALS', 'must have at most 2 decimals');
    }
    patch.minimum_percent = percent === null ? null : percent.toFixed(2);
  }
  if (input.minimumCount !== undefined) {
    const count = input.minimumCount;
    if (count !== null && (!Number.isInteger(count) || count < 0)) throw badInput('input.minimumCount', 'MUST_NOT_BE_NEGATIVE', 'must be 0 or more');
    patch.minimum_count = count;
  }
  if (input.enforcement !== undefined) {
    if (input.enforcement === null) throw badInput('input.enforcement', 'INVALID_VALUE', 'must be WARN or BLOCK');
    patch.enforcement = input.enforcement;
  }
  return patch;
}

function requireSomeMinimum(percent: string | null | undefined, count: number | null | undefined): void {
  if ((percent === null || percent === undefined) && (count === null || count === undefined)) {
    throw badInput('input.minimumPercent', 'AT_LEAST_ONE_OF', 'give minimumPercent, minimumCount or both');
  }
}

async function requireRule(ctx: LeaveContext, id: string): Promise<CoverageRuleRow> {
  const row = isId(id) ? await findCoverageRule(ctx.db, ctx.identity.orgId, id) : undefined;
  if (!row) throw notFound('CoverageRule', id);
  return row;
}

/** Coverage rules (admins write; admins and managers read), coverage checks and `CoverageRule.department`. */
export const coverageResolvers = {
  Query: {
    coverageRules: async (_: unknown, args: PageArgs & { departmentId?: string | null }, ctx: LeaveContext) => {
      if (ctx.identity.role === 'EMPLOYEE') throw forbidden('only admins and managers may list coverage rules');
      const limit = pageSize(args);
      if (args.departmentId) await requireDepartment(ctx, 'departmentId', args.departmentId, { active: false });
      const filter = { departmentId: args.departmentId };
      const orgId = ctx.identity.orgId;
      const rows = await listCoverageRules(ctx.db, orgId, filter, limit, args);
      return toConnection(rows, limit, args, coverageRuleSortKey, toCoverageRule, () => countCoverageRules(ctx.db, orgId, filter));
    },
    coverageCheck: async (
      _: unknown,
      args: { userId: string; startDate: string; endDate: string; includeDailyBreakdown?: boolean | null },
      ctx: LeaveContext,
    ) => {
      requireDateRange('startDate', args.startDate, 'endDate', args.endDate, MAX_QUERY_RANGE_DAYS);
      const user = await requireDirectoryUser(ctx, args.userId, 'userId');
      if (!(await maySeeLeaveOf(ctx, user))) throw forbidden("only the person, their managers and admins may check this person's coverage");
      const result = await checkCoverage(ctx.db, { orgId: ctx.identity.orgId, user, startDate: args.startDate, endDate: args.endDate });
      return toCoverageCheck(result, args.includeDailyBreakdown === true);
    },
  },
  CoverageRule: {
    department: (rule: CoverageRuleModel) => ({ __typename: 'Department' as const, id: rule.departmentId }),
  },
  Mutation: {
    createCoverageRule: async (_: unknown, { input }: { input: CoverageRuleInput & { departmentId: string; name: string } }, ctx: LeaveContext) => {
      requireAdmin(ctx, 'add coverage rules');
      const patch = validateRuleInput(input);
      requireSomeMinimum(patch.minimum_percent, patch.minimum_count);
      const department = await requireDepartment(ctx, 'input.departmentId', input.departmentId, { active: true });
      const row = await insertCoverageRule(ctx.db, {
        org_id: ctx.identity.orgId,
        department_id: department.id,
        name: patch.name ?? requireText('input.name', input.name, 1, 100),
        minimum_percent: patch.minimum_percent ?? null,
        minimum_count: patch.minimum_count ?? null,
        enforcement: patch.enforcement ?? 'WARN',
      });
      return toCoverageRule(row);
    },
    updateCoverageRule: async (_: unknown, { id, input }: { id: string; input: CoverageRuleInput }, ctx: LeaveContext) => {
      requireAdmin(ctx, 'change coverage rules');
      const current = await requireRule(ctx, id);
      const patch = validateRuleInput(input);
      requireSomeMinimum(
        patch.minimum_percent !== undefined ? patch.minimum_percent : current.minimum_percent,
        patch.minimum_count !== undefined ? patch.minimum_count : current.minimum_count,
      );
      const row = await updateCoverageRule(ctx.db, ctx.identity.orgId, current.id, patch);
      if (!row) throw notFound('CoverageRule', id);
      return toCoverageRule(row);
    },
    deleteCoverageRule: async (_: unknown, { id }: { id: string }, ctx: LeaveContext) => {
      requireAdmin(ctx, 'delete coverage rules');
      const row = isId(id) ? await softDeleteCoverageRule(ctx.db, ctx.identity.orgId, id) : undefined;
      if (!row) throw notFound('CoverageRule', id);
      return toCoverageRule(row);
    },
  },
} satisfies Resolvers;
