import type { Updateable } from 'kysely';
import { badInput, notFound } from '../../shared/errors.ts';
import { requireCountry, requireIntInRange, requireText, requireTimeZone } from '../../shared/validation.ts';
import { requireAdmin, type PeopleContext } from '../context.ts';
import { updateOrganization } from '../db/repositories/organizations.ts';
import type { OrganizationsTable } from '../db/tables/organizations.ts';
import { toOrganization } from './mappers.ts';
import { appendEvents } from '../../shared/outbox.ts';
import { organizationEvent } from '../events.ts';

interface UpdateOrganizationInput {
  name?: string | null;
  timeZone?: string | null;
  country?: string | null;
  leaveYearStartMonth?: number | null;
}

function present<T>(field: string, value: T | null | undefined): value is T {
  if (value === null) throw badInput(field, 'must not be null');
  return value !== undefined;
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
  },
  Mutation: {
    updateOrganization: async (_: unknown, { input }: { input: UpdateOrganizationInput }, ctx: PeopleContext) => {
      requireAdmin(ctx, 'change the organization');
      const patch: Updateable<OrganizationsTable> = {};
      if (present('input.name', input.name)) patch.name = requireText('input.name', input.name, 1, 200);
      if (present('input.timeZone', input.timeZone)) patch.time_zone = requireTimeZone('input.timeZone', input.timeZone);
      if (present('input.country', input.country)) patch.country = requireCountry('input.country', input.country);
      if (present('input.leaveYearStartMonth', input.leaveYearStartMonth)) {
        patch.leave_year_start_month = requireIntInRange('input.leaveYearStartMonth', input.leaveYearStartMonth, 1, 12);
      }
      const row = await ctx.db.transaction().execute(async (trx) => {
        const updated = await updateOrganization(trx, ctx.identity.orgId, patch);
        await appendEvents(trx, [organizationEvent(updated, 'updated', ctx.identity.userId)]);
        return updated;
      });
      return toOrganization(row);
    },
  },
};
