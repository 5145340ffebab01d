import { badInput, notFound } from '../../shared/errors.ts';
import { apiKeyPrefix, generateApiKeySecret, hashApiKeySecret, SCOPES } from '../../shared/api-key-format.ts';
import { pageSize, toConnection, type PageArgs } from '../../shared/pagination.ts';
import { isId, requireText, uniqueIds } from '../../shared/validation.ts';
import { requireAdmin, type PeopleContext } from '../context.ts';
import { apiKeySortKey, countApiKeys, findApiKey, insertApiKey, listApiKeys, revokeApiKey } from '../db/repositories/api-keys.ts';
import { toApiKey, type ApiKeyModel } from './mappers.ts';
import { userOf } from './lookups.ts';
import { requireReference } from './references.ts';

interface CreateApiKeyInput {
  name: string;
  scopes: string[];
  expiresAt?: Date | null;
  userId?: string | null;
}

const KNOWN_SCOPES: ReadonlySet<string> = new Set(SCOPES);

function validScopes(scopes: readonly string[]): string[] {
  if (scopes.length === 0) throw badInput('input.scopes', 'must name at least one scope');
  const unknown = scopes.find((s) => !KNOWN_SCOPES.has(s));
  if (unknown !== undefined) throw badInput('input.scopes', `${JSON.stringify(unknown)} is not a scope; use one of ${SCOPES.join(', ')}`);
  return uniqueIds(scopes);
}

export const apiKeyResolvers = {
  Query: {
    apiKeys: async (_: unknown, args: PageArgs & { includeInactive?: boolean | null }, ctx: PeopleContext) => {
      requireAdmin(ctx, 'list API keys', 'admin');
      const limit = pageSize(args.first);
      const includeInactive = args.includeInactive ?? false;
      const orgId = ctx.identity.orgId;
      const rows = await listApiKeys(ctx.db, orgId, includeInactive, limit, args);
      return toConnection(rows, limit, args, apiKeySortKey, toApiKey, () => countApiKeys(ctx.db, orgId, includeInactive));
    },
  },
  ApiKey: {
    user: (key: ApiKeyModel, _: unknown, ctx: PeopleContext) => userOf(ctx, key.userId),
    createdBy: (key: ApiKeyModel, _: unknown, ctx: PeopleContext) => userOf(ctx, key.createdById),
  },
  Mutation: {
    createApiKey: async (_: unknown, { input }: { input: CreateApiKeyInput }, ctx: PeopleContext) => {
      requireAdmin(ctx, 'create API keys', 'admin');
      const name = requireText('input.name', input.name, 1, 100);
      const scopes = validScopes(input.scopes);
      if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) throw badInput('input.expiresAt', 'must be in the future');
      const userId = (await requireReference(ctx, 'users', 'input.userId', input.userId)) ?? null;
      const secret = generateApiKeySecret('live');
      const row = await insertApiKey(ctx.db, {
        org_id: ctx.identity.orgId,
        user_id: userId,
        name,
        prefix: apiKeyPrefix(secret),
        secret_hash: hashApiKeySecret(secret),
        scopes,
        expires_at: input.expiresAt ?? null,
        created_by: ctx.identity.userId,
      });
      return { apiKey: toApiKey(row), secret };
    },
    revokeApiKey: async (_: unknown, { id }: { id: string }, ctx: PeopleContext) => {
      requireAdmin(ctx, 'revoke API keys', 'admin');
      if (!isId(id) || !(await findApiKey(ctx.db, ctx.identity.orgId, id))) throw notFound('ApiKey', id);
      return toApiKey(await revokeApiKey(ctx.db, ctx.identity.orgId, id));
    },
  },
};
