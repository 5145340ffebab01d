import type { Updateable } from 'kysely';
import { optionalText, requireCountry, requireRegion, requireTimeZone } from '../../shared/validation.ts';
import { requireAdmin, type PeopleContext } from '../context.ts';
import { insertSite, updateSite } from '../db/repositories/sites.ts';
import type { SitesTable } from '../db/tables/sites.ts';
import { toSite } from './mappers.ts';
import { deactivateInUse, listResolver, loadNamed, nameTaken, uniqueName } from './named-records.ts';
import type { Resolvers } from '../generated/graphql.ts';

interface SiteInput {
  name?: string | null;
  timeZone?: string | null;
  country?: string | null;
  region?: string | null;
  address?: string | null;
}

async function validate(ctx: PeopleContext, input: SiteInput, id?: string) {
  const patch: Updateable<SitesTable> = {};
  if (input.name !== undefined) patch.name = await uniqueName(ctx, 'sites', input.name ?? '', id);
  if (input.timeZone !== undefined) patch.time_zone = input.timeZone === null ? null : requireTimeZone('input.timeZone', input.timeZone);
  if (input.country !== undefined) patch.country = input.country === null ? null : requireCountry('input.country', input.country);
  if (input.region !== undefined) patch.region = input.region === null ? null : requireRegion('input.region', input.region);
  if (input.address !== undefined) patch.address = optionalText('input.address', input.address, 500) ?? null;
  return patch;
}

export const siteResolvers = {
  Query: {
    site: async (_: unknown, { id }: { id: string }, ctx: PeopleContext) => toSite(await loadNamed(ctx, 'sites', id)),
    sites: listResolver('sites', toSite),
  },
  Mutation: {
    createSite: async (_: unknown, { input }: { input: SiteInput & { name: string } }, ctx: PeopleContext) => {
      requireAdmin(ctx, 'create sites');
      const patch = await validate(ctx, input);
      const row = await insertSite(ctx.db, { ...patch, org_id: ctx.identity.orgId, name: patch.name ?? input.name }).catch(
        nameTaken('sites'),
      );
      return toSite(row);
    },
    updateSite: async (_: unknown, { id, input }: { id: string; input: SiteInput }, ctx: PeopleContext) => {
      requireAdmin(ctx, 'change sites');
      await loadNamed(ctx, 'sites', id);
      const patch = await validate(ctx, input, id);
      return toSite(await updateSite(ctx.db, ctx.identity.orgId, id, patch).catch(nameTaken('sites')));
    },
    deactivateSite: async (_: unknown, { id }: { id: string }, ctx: PeopleContext) => {
      requireAdmin(ctx, 'deactivate sites');
      return toSite(await deactivateInUse(ctx, 'sites', id));
    },
  },
} satisfies Resolvers;
