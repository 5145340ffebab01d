import { activityStatus, type ActivityStatus } from '../../shared/activity-status.ts';
import { badInput, conflict, isUniqueViolation, notFound } from '../../shared/errors.ts';
import { pageSize, toConnection, type PageArgs } from '../../shared/pagination.ts';
import { hasAtMostDecimals } from '../../shared/decimal.ts';
import { isId, requireColour, requireText } from '../../shared/validation.ts';
import type { TimeContext } from '../context.ts';
import {
  countOvertimeTypes,
  deleteOvertimeType,
  findOvertimeTypes,
  insertOvertimeType,
  lockOvertimeType,
  listOvertimeTypes,
  overtimeTypeHasSubmissions,
  overtimeTypeSortKey,
  updateOvertimeType,
} from '../db/repositories/overtime-types.ts';
import type { Compensation, OvertimeTypeRow } from '../db/tables/overtime-types.ts';
import { requireAdmin } from '../domain/access.ts';
import type { Resolvers } from '../generated/graphql.ts';

/** Largest TOIL multiplier. */
const MAX_MULTIPLIER = 5;

/** The GraphQL `OvertimeType` of a row. */
export function toOvertimeType(row: OvertimeTypeRow) {
  return {
    id: row.id,
    name: row.name,
    code: row.code,
    colour: row.colour,
    compensation: row.compensation,
    toilMultiplier: row.toil_multiplier === null ? null : Number(row.toil_multiplier),
    active: row.retired_at === null,
    createdAt: row.created_at,
  };
}

function requireCode(field: string, value: string): string {
  const code = value.trim();
  if (!/^[A-Za-z0-9_-]{1,20}$/.test(code)) throw badInput(field, 'INVALID_FORMAT', 'must be 1 to 20 letters, digits, dashes or underscores');
  return code.toUpperCase();
}

function requireMultiplier(field: string, value: number): string {
  if (!Number.isFinite(value) || value <= 0 || value > MAX_MULTIPLIER) throw badInput(field, 'MUST_BE_POSITIVE', `must be more than 0 and at most ${MAX_MULTIPLIER}`);
  if (!hasAtMostDecimals(value, 2)) throw badInput(field, 'TOO_MANY_DECIMALS', 'must have at most 2 decimal places');
  return value.toFixed(2);
}

function duplicateName(error: unknown): never {
  if (isUniqueViolation(error, 'overtime_types_org_code_key')) throw badInput('input.code', 'DUPLICATE', 'is already the code of an active overtime type');
  if (isUniqueViolation(error, 'overtime_types_org_name_key')) throw badInput('input.name', 'DUPLICATE', 'is already the name of an active overtime type');
  throw error;
}

async function requireType(ctx: TimeContext, id: string): Promise<OvertimeTypeRow> {
  const [row] = isId(id) ? await findOvertimeTypes(ctx.db, ctx.identity.orgId, [id]) : [];
  if (!row) throw notFound('OvertimeType', id);
  return row;
}

interface CreateInput {
  name: string;
  code: string;
  colour?: string | null;
  compensation: Compensation;
  toilMultiplier?: number | null;
}
interface UpdateInput {
  name?: string | null;
  code?: string | null;
  colour?: string | null;
  toilMultiplier?: number | null;
}

export const overtimeTypeResolvers = {
  Query: {
    async overtimeTypes(_: unknown, args: PageArgs & { status?: ActivityStatus | null }, ctx: TimeContext) {
      const limit = pageSize(args);
      const status = activityStatus(args.status);
      const rows = await listOvertimeTypes(ctx.db, ctx.identity.orgId, status, limit + 1, args);
      return toConnection(rows, limit, args, overtimeTypeSortKey, toOvertimeType, () => countOvertimeTypes(ctx.db, ctx.identity.orgId, status));
    },
  },
  Mutation: {
    async createOvertimeType(_: unknown, { input }: { input: CreateInput }, ctx: TimeContext) {
      requireAdmin(ctx, 'create overtime types');
      const name = requireText('input.name', input.name, 1, 100);
      const code = requireCode('input.code', input.code);
      const colour = input.colour === null || input.colour === undefined ? null : requireColour('input.colour', input.colour);
      let multiplier: string | null = null;
      if (input.compensation === 'TOIL') {
        if (input.toilMultiplier === null || input.toilMultiplier === undefined) throw badInput('input.toilMultiplier', 'REQUIRED', 'is required for a TOIL type');
        multiplier = requireMultiplier('input.toilMultiplier', input.toilMultiplier);
      } else if (input.toilMultiplier !== null && input.toilMultiplier !== undefined) {
        throw badInput('input.toilMultiplier', 'NOT_APPLICABLE', 'is only for TOIL types: paid overtime accrues no TOIL');
      }
      try {
        const row = await insertOvertimeType(ctx.db, { org_id: ctx.identity.orgId, name, code, colour, compensation: input.compensation, toil_multiplier: multiplier });
        return toOvertimeType(row);
      } catch (error) {
        duplicateName(error);
      }
    },
    async updateOvertimeType(_: unknown, { id, input }: { id: string; input: UpdateInput }, ctx: TimeContext) {
      requireAdmin(ctx, 'change overtime types');
      const current = await requireType(ctx, id);
      if (input.name === null) throw badInput('input.name', 'NOT_NULL', 'must not be null');
      if (input.code === null) throw badInput('input.code', 'NOT_NULL', 'must not be null');
      const values: Parameters<typeof updateOvertimeType>[3] = {};
      if (input.name !== undefined) values.name = requireText('input.name', input.name, 1, 100);
      if (input.code !== undefined) values.code = requireCode('input.code', input.code);
      if (input.colour !== undefined) values.colour = input.colour === null ? null : requireColour('input.colour', input.colour);
      if (input.toilMultiplier !== undefined) {
        if (current.compensation !== 'TOIL') throw badInput('input.toilMultiplier', 'NOT_APPLICABLE', 'is only for TOIL types: paid overtime accrues no TOIL');
        if (input.toilMultiplier === null) throw badInput('input.toilMultiplier', 'NOT_NULL', 'must not be null for a TOIL type');
        values.toil_multiplier = requireMultiplier('input.toilMultiplier', input.toilMultiplier);
      }
      try {
        const row = await updateOvertimeType(ctx.db, ctx.identity.orgId, id, values);
        if (!row) throw notFound('OvertimeType', id);
        return toOvertimeType(row);
      } catch (error) {
        duplicateName(error);
      }
    },
    async retireOvertimeType(_: unknown, { id }: { id: string }, ctx: TimeContext) {
      requireAdmin(ctx, 'retire overtime types');
      const current = await requireType(ctx, id);
      if (current.retired_at !== null) return toOvertimeType(current);
      const row = await updateOvertimeType(ctx.db, ctx.identity.orgId, id, { retired_at: ctx.services.now() });
      if (!row) throw notFound('OvertimeType', id);
      return toOvertimeType(row);
    },
    async deleteOvertimeType(_: unknown, { id }: { id: string }, ctx: TimeContext) {
      requireAdmin(ctx, 'delete overtime types');
      const current = await requireType(ctx, id);
      return ctx.db.transaction().execute(async (trx) => {
        // Lock the type so no submission can take it between the check and the delete.
        await lockOvertimeType(trx, ctx.identity.orgId, id, 'update');
        if (await overtimeTypeHasSubmissions(trx, ctx.identity.orgId, id)) {
          throw conflict('the overtime type has submissions: retire it instead', { rule: 'OVERTIME_TYPE_HAS_SUBMISSIONS' });
        }
        await deleteOvertimeType(trx, ctx.identity.orgId, id);
        return toOvertimeType(current);
      });
    },
  },
} satisfies Resolvers;
