import type { Updateable } from 'kysely';
import type { PageArgs } from '../../shared/pagination.ts';
import { optionalText } from '../../shared/validation.ts';
import { requireAdmin, type PeopleContext } from '../context.ts';
import { setNamedDeactivated } from '../db/repositories/named-records.ts';
import { insertTeam, setTeamMembers, updateTeam } from '../db/repositories/teams.ts';
import type { TeamsTable } from '../db/tables/teams.ts';
import { toTeam, type TeamModel } from './mappers.ts';
import { departmentOf, userConnection } from './lookups.ts';
import { listResolver, loadNamed, nameTaken, uniqueName } from './named-records.ts';
import { requireReference, requireReferences } from './references.ts';
import type { Resolvers } from '../generated/graphql.ts';

interface TeamInput {
  name?: string | null;
  description?: string | null;
  departmentId?: string | null;
  memberIds?: string[] | null;
}

async function validate(ctx: PeopleContext, input: TeamInput, id?: string) {
  const patch: Updateable<TeamsTable> = {};
  if (input.name !== undefined) patch.name = await uniqueName(ctx, 'teams', input.name ?? '', id);
  if (input.description !== undefined) patch.description = optionalText('input.description', input.description, 1000) ?? null;
  if (input.departmentId !== undefined) {
    patch.department_id = await requireReference(ctx, 'departments', 'input.departmentId', input.departmentId);
  }
  const memberIds = input.memberIds ? await requireReferences(ctx, 'users', 'input.memberIds', input.memberIds) : undefined;
  return { patch, memberIds };
}

export const teamResolvers = {
  Query: {
    team: async (_: unknown, { id }: { id: string }, ctx: PeopleContext) => toTeam(await loadNamed(ctx, 'teams', id)),
    teams: listResolver('teams', toTeam),
  },
  Team: {
    department: (team: TeamModel, _: unknown, ctx: PeopleContext) => departmentOf(ctx, team.departmentId),
    members: (team: TeamModel, args: PageArgs, ctx: PeopleContext) => userConnection(ctx, { teamId: team.id }, args),
  },
  Mutation: {
    createTeam: async (_: unknown, { input }: { input: TeamInput & { name: string } }, ctx: PeopleContext) => {
      requireAdmin(ctx, 'create teams');
      const { patch, memberIds } = await validate(ctx, input);
      const orgId = ctx.identity.orgId;
      const row = await ctx.db
        .transaction()
        .execute(async (trx) => {
          const team = await insertTeam(trx, {
            org_id: orgId,
            name: patch.name ?? input.name,
            description: patch.description ?? null,
            department_id: patch.department_id ?? null,
          });
          if (memberIds) await setTeamMembers(trx, orgId, team.id, memberIds);
          return team;
        })
        .catch(nameTaken('teams'));
      return toTeam(row);
    },
    updateTeam: async (_: unknown, { id, input }: { id: string; input: TeamInput }, ctx: PeopleContext) => {
      requireAdmin(ctx, 'change teams');
      await loadNamed(ctx, 'teams', id);
      const { patch, memberIds } = await validate(ctx, input, id);
      const orgId = ctx.identity.orgId;
      const row = await ctx.db
        .transaction()
        .execute(async (trx) => {
          const team = await updateTeam(trx, orgId, id, patch);
          if (memberIds) await setTeamMembers(trx, orgId, id, memberIds);
          return team;
        })
        .catch(nameTaken('teams'));
      return toTeam(row);
    },
    deactivateTeam: async (_: unknown, { id }: { id: string }, ctx: PeopleContext) => {
      requireAdmin(ctx, 'deactivate teams');
      const existing = await loadNamed(ctx, 'teams', id);
      if (existing.deactivated_at) return toTeam(existing);
      const orgId = ctx.identity.orgId;
      const row = await ctx.db.transaction().execute(async (trx) => {
        await setTeamMembers(trx, orgId, id, []);
        return setNamedDeactivated(trx, 'teams', orgId, id);
      });
      return toTeam(row);
    },
  },
} satisfies Resolvers;
