import type { Updateable } from 'kysely';
import { notFound } from '../../shared/errors.ts';
import { notNull, requireCountry, requireIntInRange, requireText, requireTimeZone } from '../../shared/validation.ts';
import { requireAdmin, type PeopleContext } from '../context.ts';
import { updateOrganization } from '../db/repositories/organizations.ts';
import type { OrganizationsTable } from '../db/tables/organizations.ts';
import { toOrganization, type OrganizationModel } from './mappers.ts';
import { appendEvents } from '../../shared/outbox.ts';
import { organizationEvent } from '../events.ts';

interface UpdateOrganizationInput {
  name?: string | null;
  timeZone?: string | null;
  country?: string | null;
  leaveYearStartMonth?: number | null;
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
      const row = await ctx.db.transaction().execute(async (trx) => {
        const updated = await updateOrganization(trx, ctx.identity.orgId, patch);
        await appendEvents(trx, [organizationEvent(updated, 'updated', ctx.identity.userId)]);
        return updated;
      });
      return toOrganization(row);
    },
  },
};
