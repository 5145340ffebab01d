import type { Updateable } from 'kysely';
import { badInput, notFound } from '../../shared/errors.ts';
import { hasAtMostDecimals } from '../../shared/input-rules.ts';
import { notNull, requireCountry, requireIntInRange, requireText, requireTimeZone } from '../../shared/validation.ts';
import { requireAdmin, type PeopleContext } from '../context.ts';
import { updateOrganization } from '../db/repositories/organizations.ts';
import type { OrganizationsTable } from '../db/tables/organizations.ts';
import { toOrganization, type OrganizationModel } from './mappers.ts';
import { appendEvents } from '../../shared/outbox.ts';
import { organizationEvent } from '../events.ts';
import type { Resolvers } from '../generated/graphql.ts';

interface UpdateOrganizationInput {
  name?: string | null;
  timeZone?: string | null;
  country?: string | null;
  leaveYearStartMonth?: number | null;
  fullTimeWeeklyHours?: number | null;
}

/** Largest full-time week: every hour of the week. */
export const MAX_FULL_TIME_WEEKLY_HOURS = 168;

/**
 * A full-time week in hours as the numeric(5,2) column holds it: more than 0, at most 168,
 * at most 2 decimal places (hundredths of an hour, as working patterns). BAD_USER_INPUT on `field`.
 */
export function requireFullTimeWeeklyHours(field: string, value: number): string {
  if (!Number.isFinite(value) || value <= 0) throw badInput(field, 'MUST_BE_POSITIVE', 'must be more than 0 hours');
  if (value > MAX_FULL_TIME_WEEKLY_HOURS) throw badInput(field, 'OUT_OF_RANGE', `must be at most ${MAX_FULL_TIME_WEEKLY_HOURS} hours (a whole week)`);
  // The shared rule: a value that would round at the stored precision (1e-9 to 0.00) is refused, never stored rounded.
  if (!hasAtMostDecimals(value, 2)) throw badInput(field, 'TOO_MANY_DECIMALS', 'must have at most 2 decimal places');
  return value.toFixed(2);
}

export const organizationResolvers = {
  Query: {
    organization: async (_: unknown, __: unknown, ctx: PeopleContext) => {
      const row = await ctx.loaders.organizations.load(ctx.identity.orgId);
      if (!row) throw notFound('Organization', ctx.identity.orgId);
      return toOrganization(row);
    },
  },
  Organization: {
    __resolveReference: async (ref: { id: string }, ctx: PeopleContext) => {
      const row = await ctx.loaders.organizations.load(ref.id);
      return row ? toOrganization(row) : null;
    },
    // Only the caller's own live organization shows its sandbox; a sandbox has none.
    sandbox: async (org: OrganizationModel, _: unknown, ctx: PeopleContext) => {
      if (org.isSandbox || org.id !== ctx.identity.orgId) return null;
      const row = await ctx.loaders.sandboxes.load(org.id);
      return row ? toOrganization(row) : null;
    },
  },
  Mutation: {
    updateOrganization: async (_: unknown, { input }: { input: UpdateOrganizationInput }, ctx: PeopleContext) => {
      requireAdmin(ctx, 'change the organization');
      const patch: Updateable<OrganizationsTable> = {};
      const name = notNull('input.name', input.name);
      if (name !== undefined) patch.name = requireText('input.name', name, 1, 200);
      const timeZone = notNull('input.timeZone', input.timeZone);
      if (timeZone !== undefined) patch.time_zone = requireTimeZone('input.timeZone', timeZone);
      const country = notNull('input.country', input.country);
      if (country !== undefined) patch.country = requireCountry('input.country', country);
      const leaveYearStartMonth = notNull('input.leaveYearStartMonth', input.leaveYearStartMonth);
      if (leaveYearStartMonth !== undefined) {
        patch.leave_year_start_month = requireIntInRange('input.leaveYearStartMonth', leaveYearStartMonth, 1, 12);
      }
      const fullTimeWeeklyHours = notNull('input.fullTimeWeeklyHours', input.fullTimeWeeklyHours);
      if (fullTimeWeeklyHours !== undefined) {
        patch.full_time_weekly_hours = requireFullTimeWeeklyHours('input.fullTimeWeeklyHours', fullTimeWeeklyHours);
      }
      const row = await ctx.db.transaction().execute(async (trx) => {
        const updated = await updateOrganization(trx, ctx.identity.orgId, patch);
        await appendEvents(trx, [organizationEvent(updated, 'updated', ctx.identity.userId)]);
        return updated;
      });
      return toOrganization(row);
    },
  },
} satisfies Resolvers;
