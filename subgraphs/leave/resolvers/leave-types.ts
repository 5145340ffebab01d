import type { Updateable } from 'kysely';
import { activityStatus, type ActivityStatus } from '../../shared/activity-status.ts';
import { badInput, conflict, isUniqueViolation, notFound } from '../../shared/errors.ts';
import { appendEvents } from '../../shared/outbox.ts';
import { pageSize, toConnection, type PageArgs } from '../../shared/pagination.ts';
import { notNull, requireColour, requireText } from '../../shared/validation.ts';
import type { LeaveContext } from '../context.ts';
import { typeHasCustomizedAllowances } from '../db/repositories/allowances.ts';
import {
  countLeaveTypes,
  lockLeaveTypesOf,
  findActiveLeaveTypeIdBy,
  insertLeaveType,
  LEAVE_TYPE_CODE_INDEX,
  LEAVE_TYPE_NAME_INDEX,
  leaveTypeHasRequests,
  leaveTypeSortKey,
  listLeaveTypes,
  lockLeaveType,
  updateLeaveType,
} from '../db/repositories/leave-types.ts';
import type { LeaveCategory, LeaveTypeRow, LeaveTypesTable, LeaveUnit } from '../db/tables/leave-types.ts';
import { requireAdmin, requireOrganization } from '../domain/access.ts';
import { recomputeDefaultAllowances } from '../domain/allowance-balance.ts';
import { hasAtMostDecimals, toUnits } from '../domain/decimal.ts';
import { todayIn } from '../domain/dates.ts';
import { commentRequired, reasonsFor } from '../domain/oyster-categories.ts';
import { allowanceChangedEvent } from '../events.ts';
import { leaveTypeLoader } from '../loaders.ts';
import type { Resolvers } from '../generated/graphql.ts';

/** The GraphQL `LeaveType` of a row: reasons and comment-required reasons come from its category. */
export function toLeaveType(row: LeaveTypeRow) {
  const reasons = reasonsFor(row.category);
  return {
    id: row.id,
    name: row.name,
    code: row.code,
    colour: row.colour,
    unit: row.unit,
    category: row.category,
    reasons,
    commentRequiredReasons: reasons.filter((reason) => commentRequired(row, reason)),
    paid: row.paid,
    requiresApproval: row.requires_approval,
    requiresDocument: row.requires_document,
    requiresComment: row.requires_comment,
    halfDaysAllowed: row.half_days_allowed,
    deductsFromAllowance: row.deducts_from_allowance,
    allowNegativeBalance: row.allow_negative_balance,
    drawsOnToil: row.draws_on_toil,
    private: row.private,
    defaultEntitlement: row.default_entitlement === null ? null : Number(row.default_entitlement),
    active: row.deactivated_at === null,
    createdAt: row.created_at,
  };
}
export type LeaveTypeModel = ReturnType<typeof toLeaveType>;

/** Largest entitlement or amount per leave year by unit (a year has at most 366 days). */
export const MAX_ENTITLEMENT: Readonly<Record<LeaveUnit, number>> = { DAYS: 366, HOURS: 3000 };

/** Most leave types of one organization, deactivated ones included: bounds `User.allowances` (one per type). */
export const MAX_LEAVE_TYPES = 500;

/**
 * An entitlement-like amount (0 to 366 days or 0 to 3000 hours, at most 2 decimals) as a
 * numeric string, or BAD_USER_INPUT naming `field`.
 */
export function requireEntitlement(field: string, value: number, unit: LeaveUnit): string {
  const max = MAX_ENTITLEMENT[unit];
  if (!Number.isFinite(value) || value < 0 || value > max) throw badInput(field, 'OUT_OF_RANGE', `must be between 0 and ${max} ${unit === 'DAYS' ? 'days' : 'hours'}`);
  if (!hasAtMostDecimals(value, 2)) throw badInput(field, 'TOO_MANY_DECIMALS', 'must have at most 2 decimal places');
  return value.toFixed(2);
}

interface LeaveTypeFields {
  name?: string | null;
  code?: string | null;
  colour?: string | null;
  unit?: LeaveUnit | null;
  category?: LeaveCategory | null;
  paid?: boolean | null;
  requiresApproval?: boolean | null;
  requiresDocument?: boolean | null;
  requiresComment?: boolean | null;
  halfDaysAllowed?: boolean | null;
  deductsFromAllowance?: boolean | null;
  allowNegativeBalance?: boolean | null;
  private?: boolean | null;
  defaultEntitlement?: number | null;
  /** Create only: requests draw on TOIL instead of an allowance. */
  drawsOnToil?: boolean | null;
}

const FLAGS = {
  paid: 'paid',
  requiresApproval: 'requires_approval',
  requiresDocument: 'requires_document',
  requiresComment: 'requires_comment',
  halfDaysAllowed: 'half_days_allowed',
  deductsFromAllowance: 'deducts_from_allowance',
  allowNegativeBalance: 'allow_negative_balance',
  private: 'private',
} as const satisfies Record<string, keyof LeaveTypesTable>;

/**
 * `drawsOnToil` (create only): such a type counts in hours and deducts from no allowance;
 * BAD_USER_INPUT on `input.drawsOnToil` otherwise.
 */
function requireToilShape(input: LeaveTypeFields, patch: { unit?: LeaveUnit | undefined; deducts_from_allowance?: boolean | undefined }): boolean {
  if (!input.drawsOnToil) return false;
  if ((patch.unit ?? 'DAYS') !== 'HOURS') throw badInput('input.drawsOnToil', 'INCOMPATIBLE', 'a type that draws on TOIL must have unit HOURS');
  if (patch.deducts_from_allowance ?? true) throw badInput('input.drawsOnToil', 'INCOMPATIBLE', 'a type that draws on TOIL must not deduct from an allowance (set deductsFromAllowance: false)');
  return true;
}

const NAME_TAKEN = 'is already the name of another active leave type';
const CODE_TAKEN = 'is already the code of another active leave type';

/** Validates a create (all fields present, defaults applied by GraphQL) or an update (omitted fields left out). */
async function validate(ctx: LeaveContext, input: LeaveTypeFields, existing: LeaveTypeRow | null): Promise<Updateable<LeaveTypesTable>> {
  const orgId = ctx.identity.orgId;
  const patch: Updateable<LeaveTypesTable> = {};
  // Uniqueness binds active types only; a deactivated type's name and code are free.
  const active = existing === null || existing.deactivated_at === null;
  const name = notNull('input.name', input.name);
  if (name !== undefined) {
    patch.name = requireText('input.name', name, 1, 100);
    if (active && (await findActiveLeaveTypeIdBy(ctx.db, orgId, 'name', patch.name, existing?.id))) throw badInput('input.name', 'DUPLICATE', NAME_TAKEN);
  }
  const code = notNull('input.code', input.code);
  if (code !== undefined) {
    patch.code = code.trim();
    if (!/^[A-Za-z0-9]{1,10}$/.test(patch.code)) throw badInput('input.code', 'INVALID_FORMAT', 'must be 1 to 10 letters or digits');
    if (active && (await findActiveLeaveTypeIdBy(ctx.db, orgId, 'code', patch.code, existing?.id))) throw badInput('input.code', 'DUPLICATE', CODE_TAKEN);
  }
  if (input.colour !== undefined) patch.colour = input.colour === null ? null : requireColour('input.colour', input.colour);
  const unit = notNull('input.unit', input.unit);
  if (unit !== undefined) patch.unit = unit;
  const category = notNull('input.category', input.category);
  if (category !== undefined) patch.category = category;
  for (const [field, column] of Object.entries(FLAGS)) {
    const value = notNull(`input.${field}`, input[field as keyof typeof FLAGS]);
    if (value !== undefined) patch[column] = value;
  }
  const resultingUnit = patch.unit ?? existing?.unit ?? 'DAYS';
  if (input.defaultEntitlement !== undefined) {
    patch.default_entitlement = input.defaultEntitlement === null ? null : requireEntitlement('input.defaultEntitlement', input.defaultEntitlement, resultingUnit);
  } else if (existing !== null && existing.default_entitlement !== null && patch.unit !== undefined) {
    // The kept default must still make sense in the new unit.
    requireEntitlement('input.defaultEntitlement', Number(existing.default_entitlement), resultingUnit);
  }
  return patch;
}

/** Unique indexes can still fire when two writes race past the checks: the same errors as the checks. */
function uniqueToBadInput(error: unknown): never {
  if (isUniqueViolation(error, LEAVE_TYPE_NAME_INDEX)) throw badInput('input.name', 'DUPLICATE', NAME_TAKEN);
  if (isUniqueViolation(error, LEAVE_TYPE_CODE_INDEX)) throw badInput('input.code', 'DUPLICATE', CODE_TAKEN);
  throw error;
}

/** The organization's leave type `id`; NOT_FOUND for unknown ids and other organizations' ids. */
async function requireLeaveType(ctx: LeaveContext, id: string): Promise<LeaveTypeRow> {
  const row = await leaveTypeLoader(ctx).load(id);
  if (!row) throw notFound('LeaveType', id);
  return row;
}

function sameDecimal(a: string | null | undefined, b: string | null): boolean {
  if (a === null || a === undefined || b === null) return a === b;
  return toUnits(a) === toUnits(b);
}

/** Resolvers of leave types: the `leaveTypes` and `leaveType` queries and the admin mutations. */
export const leaveTypeResolvers = {
  Query: {
    leaveTypes: async (_: unknown, args: PageArgs & { status?: ActivityStatus | null }, ctx: LeaveContext) => {
      const limit = pageSize(args);
      const status = activityStatus(args.status);
      const orgId = ctx.identity.orgId;
      const rows = await listLeaveTypes(ctx.db, orgId, status, limit, args);
      const loader = leaveTypeLoader(ctx);
      for (const row of rows) loader.prime(row.id, row);
      return toConnection(rows, limit, args, leaveTypeSortKey, toLeaveType, () => countLeaveTypes(ctx.db, orgId, status));
    },
    leaveType: async (_: unknown, { id }: { id: string }, ctx: LeaveContext) => toLeaveType(await requireLeaveType(ctx, id)),
  },
  Mutation: {
    createLeaveType: async (_: unknown, { input }: { input: LeaveTypeFields }, ctx: LeaveContext) => {
      requireAdmin(ctx, 'create leave types');
      const patch = await validate(ctx, input, null);
      const row = await ctx.db.transaction().execute(async (trx) => {
        // Bounds `User.allowances` (one per type): an organization holds at most MAX_LEAVE_TYPES types, deactivated ones included.
        await lockLeaveTypesOf(trx, ctx.identity.orgId);
        if ((await countLeaveTypes(trx, ctx.identity.orgId, 'ALL')) >= MAX_LEAVE_TYPES) {
          throw conflict(`an organization holds at most ${MAX_LEAVE_TYPES} leave types (deactivated ones included): reuse or reactivate one`, { rule: 'TOO_MANY_LEAVE_TYPES', max: MAX_LEAVE_TYPES });
        }
        return insertLeaveType(trx, {
          org_id: ctx.identity.orgId,
          name: patch.name as string,
          code: patch.code as string,
          colour: patch.colour ?? null,
          unit: patch.unit ?? 'DAYS',
          category: patch.category ?? 'VACATION',
          paid: patch.paid ?? true,
          requires_approval: patch.requires_approval ?? true,
          requires_document: patch.requires_document ?? false,
          requires_comment: patch.requires_comment ?? false,
          half_days_allowed: patch.half_days_allowed ?? true,
          deducts_from_allowance: patch.deducts_from_allowance ?? true,
          allow_negative_balance: patch.allow_negative_balance ?? false,
          private: patch.private ?? false,
          default_entitlement: patch.default_entitlement ?? null,
          draws_on_toil: requireToilShape(input, patch),
        });
      }).catch(uniqueToBadInput);
      leaveTypeLoader(ctx).prime(row.id, row);
      return toLeaveType(row);
    },
    updateLeaveType: async (_: unknown, { id, input }: { id: string; input: LeaveTypeFields }, ctx: LeaveContext) => {
      requireAdmin(ctx, 'change leave types');
      const existing = await requireLeaveType(ctx, id);
      const patch = await validate(ctx, input, existing);
      if (existing.draws_on_toil && ((patch.unit !== undefined && patch.unit !== 'HOURS') || patch.deducts_from_allowance === true)) {
        throw badInput(patch.unit !== undefined && patch.unit !== 'HOURS' ? 'input.unit' : 'input.deductsFromAllowance', 'INCOMPATIBLE', 'a type that draws on TOIL counts in hours and deducts from no allowance');
      }
      const orgId = ctx.identity.orgId;
      const unitChanges = patch.unit !== undefined && patch.unit !== existing.unit;
      const categoryChanges = patch.category !== undefined && patch.category !== existing.category;
      const defaultChanges = patch.default_entitlement !== undefined && !sameDecimal(patch.default_entitlement, existing.default_entitlement);
      // Allowances that follow the default are recomputed from today on, in the organization's time zone.
      const org = unitChanges || defaultChanges ? await requireOrganization(ctx) : null;
      const today = org === null ? null : todayIn(org.time_zone, ctx.services.now());
      const row = await ctx.db
        .transaction()
        .execute(async (trx) => {
          // The lock orders this check against request inserts (see lockLeaveType).
          await lockLeaveType(trx, orgId, id);
          if ((unitChanges || categoryChanges) && (await leaveTypeHasRequests(trx, orgId, id))) {
            const field = unitChanges ? 'input.unit' : 'input.category';
            throw conflict(`${field}: cannot change once the type has leave requests`, { field, rule: 'LEAVE_TYPE_HAS_REQUESTS' });
          }
          if (unitChanges && (await typeHasCustomizedAllowances(trx, orgId, id))) {
            throw conflict('input.unit: cannot change once allowances of the type hold set entitlements, carry-over or ledger entries', {
              field: 'input.unit',
              rule: 'LEAVE_TYPE_HAS_ALLOWANCES',
            });
          }
          const updated = await updateLeaveType(trx, orgId, id, patch);
          if (!updated) throw notFound('LeaveType', id);
          const recomputed = org === null || today === null ? [] : await recomputeDefaultAllowances(trx, org, updated, today);
          await appendEvents(trx, recomputed.map((a) => allowanceChangedEvent(a, 'SET', ctx.identity.userId)));
          return updated;
        })
        .catch(uniqueToBadInput);
      leaveTypeLoader(ctx).clear(id).prime(id, row);
      return toLeaveType(row);
    },
    deactivateLeaveType: async (_: unknown, { id }: { id: string }, ctx: LeaveContext) => {
      requireAdmin(ctx, 'deactivate leave types');
      const existing = await requireLeaveType(ctx, id);
      if (existing.deactivated_at !== null) return toLeaveType(existing);
      const row = await updateLeaveType(ctx.db, ctx.identity.orgId, id, { deactivated_at: new Date() });
      if (!row) throw notFound('LeaveType', id);
      leaveTypeLoader(ctx).clear(id).prime(id, row);
      return toLeaveType(row);
    },
  },
} satisfies Resolvers;
