import type { TimeContext } from '../context.ts';
import { upsertTimeSettings } from '../db/repositories/time-settings.ts';
import { requireAdmin } from '../domain/access.ts';
import { toilExpiryMonths } from '../domain/settings.ts';
import { requireIntInRange } from '../../shared/validation.ts';
import type { Resolvers } from '../generated/graphql.ts';

export const settingsResolvers = {
  Query: {
    async timeSettings(_: unknown, __: unknown, ctx: TimeContext) {
      return { toilExpiryMonths: await toilExpiryMonths(ctx.db, ctx.identity.orgId) };
    },
  },
  Mutation: {
    async updateTimeSettings(_: unknown, { input: args }: { input: { toilExpiryMonths?: number | null } }, ctx: TimeContext) {
      requireAdmin(ctx, 'change time settings');
      const months = args.toilExpiryMonths === null || args.toilExpiryMonths === undefined ? null : requireIntInRange('input.toilExpiryMonths', args.toilExpiryMonths, 1, 120);
      const row = await upsertTimeSettings(ctx.db, ctx.identity.orgId, months);
      return { toilExpiryMonths: row.toil_expiry_months };
    },
  },
} satisfies Resolvers;
