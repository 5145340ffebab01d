import type { Updateable } from 'kysely';
import { badInput, isUniqueViolation, notFound } from '../../shared/errors.ts';
import { pageSize, toConnection, type PageArgs } from '../../shared/pagination.ts';
import { isId, requireColour, requireText } from '../../shared/validation.ts';
import { requireAdmin, type PeopleContext } from '../context.ts';
import { countTags, deleteTag, findTagIdByName, findTags, insertTag, listTags, updateTag } from '../db/repositories/tags.ts';
import type { TagsTable } from '../db/tables/tags.ts';
import { nameSortKey } from '../db/repositories/named-records.ts';
import { toTag } from './mappers.ts';
import type { Resolvers } from '../generated/graphql.ts';

interface TagInput {
  name?: string | null;
  colour?: string | null;
}

async function validate(ctx: PeopleContext, input: TagInput, id?: string) {
  const patch: Updateable<TagsTable> = {};
  if (input.name !== undefined) {
    patch.name = requireText('input.name', input.name ?? '', 1, 50);
    if (await findTagIdByName(ctx.db, ctx.identity.orgId, patch.name, id)) throw badInput('input.name', 'DUPLICATE', 'is already the name of another tag');
  }
  if (input.colour !== undefined) patch.colour = input.colour === null ? null : requireColour('input.colour', input.colour);
  return patch;
}

function nameTaken(error: unknown): never {
  if (isUniqueViolation(error, 'tags_org_name_key')) throw badInput('input.name', 'DUPLICATE', 'is already the name of another tag');
  throw error;
}

async function loadTag(ctx: PeopleContext, id: string) {
  const [row] = isId(id) ? await findTags(ctx.db, ctx.identity.orgId, [id]) : [];
  if (!row) throw notFound('Tag', id);
  return row;
}

export const tagResolvers = {
  Query: {
    tags: async (_: unknown, args: PageArgs, ctx: PeopleContext) => {
      const limit = pageSize(args);
      const orgId = ctx.identity.orgId;
      const rows = await listTags(ctx.db, orgId, limit, args);
      return toConnection(rows, limit, args, nameSortKey, toTag, () => countTags(ctx.db, orgId));
    },
  },
  Mutation: {
    createTag: async (_: unknown, { input }: { input: TagInput & { name: string } }, ctx: PeopleContext) => {
      requireAdmin(ctx, 'create tags');
      const patch = await validate(ctx, input);
      const row = await insertTag(ctx.db, { org_id: ctx.identity.orgId, name: patch.name ?? input.name, colour: patch.colour ?? null }).catch(
        nameTaken,
      );
      return toTag(row);
    },
    updateTag: async (_: unknown, { id, input }: { id: string; input: TagInput }, ctx: PeopleContext) => {
      requireAdmin(ctx, 'change tags');
      await loadTag(ctx, id);
      const patch = await validate(ctx, input, id);
      return toTag(await updateTag(ctx.db, ctx.identity.orgId, id, patch).catch(nameTaken));
    },
    deleteTag: async (_: unknown, { id }: { id: string }, ctx: PeopleContext) => {
      requireAdmin(ctx, 'delete tags');
      await loadTag(ctx, id);
      return toTag(await deleteTag(ctx.db, ctx.identity.orgId, id));
    },
  },
} satisfies Resolvers;
