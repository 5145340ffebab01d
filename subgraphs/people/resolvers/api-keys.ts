import type { Updateable } from 'kysely';
import { activityStatus, type ActivityStatus } from '../../shared/activity-status.ts';
import { organizationRequestLimit } from '../../shared/request-limits.ts';
import { badInput, conflict, notFound } from '../../shared/errors.ts';
import { apiKeyPrefix, generateApiKeySecret, hashApiKeySecret, isScope, SCOPES } from '../../shared/api-key-format.ts';
import { MAX_IP_ALLOWLIST_ENTRIES, parseCidr } from '../../shared/ip-allowlist.ts';
import { appendEvents } from '../../shared/outbox.ts';
import { pageSize, toConnection, type PageArgs } from '../../shared/pagination.ts';
import { isId, notNull, requireIntInRange, requireText, uniqueIds } from '../../shared/validation.ts';
import { requireAdmin, type PeopleContext } from '../context.ts';
import {
  apiKeySortKey,
  countApiKeys,
  findApiKey,
  insertApiKey,
  listApiKeys,
  revokeApiKey,
  updateUnrevokedApiKey,
} from '../db/repositories/api-keys.ts';
import { findOrCreateSandbox } from '../db/repositories/organizations.ts';
import type { ApiKeyMode, ApiKeysTable } from '../db/tables/api-keys.ts';
import type { OrganizationRow } from '../db/tables/organizations.ts';
import { organizationEvent } from '../events.ts';
import { toApiKey, type ApiKeyModel } from './mappers.ts';
import { userOf } from './lookups.ts';
import { requireReference } from './references.ts';
import type { Resolvers } from '../generated/graphql.ts';

/** Largest `requestsPerHour` a key may be given. */
const MAX_REQUESTS_PER_HOUR = 1_000_000;

/** Policy fields shared by the create and update inputs. */
interface KeyPolicyInput {
  ipAllowlist?: string[] | null;
  requestsPerHour?: number | null;
  trustedDocumentsOnly?: boolean | null;
}

interface CreateApiKeyInput extends KeyPolicyInput {
  name: string;
  scopes: string[];
  expiresAt?: Date | null;
  userId?: string | null;
  mode?: 'LIVE' | 'TEST' | null;
}

interface UpdateApiKeyInput extends KeyPolicyInput {
  name?: string | null;
}

function validScopes(scopes: readonly string[]): string[] {
  if (scopes.length === 0) throw badInput('input.scopes', 'TOO_SHORT', 'must name at least one scope');
  const unknown = scopes.find((s) => !isScope(s));
  if (unknown !== undefined) throw badInput('input.scopes', 'INVALID_VALUE', `${JSON.stringify(unknown)} is not a scope; use one of ${SCOPES.join(', ')}`);
  return uniqueIds(scopes);
}

/** Normalised, de-duplicated CIDR ranges; BAD_USER_INPUT on `input.ipAllowlist` or the entry at fault. */
function validIpAllowlist(entries: readonly string[]): string[] {
  if (entries.length > MAX_IP_ALLOWLIST_ENTRIES) {
    throw badInput('input.ipAllowlist', 'TOO_LONG', `must have at most ${MAX_IP_ALLOWLIST_ENTRIES} entries`);
  }
  const ranges = entries.map((entry, i) => {
    try {
      return parseCidr(entry);
    } catch (error) {
      throw badInput(`input.ipAllowlist[${i}]`, 'INVALID_FORMAT', `must be an IP address or CIDR range such as 203.0.113.0/24: ${(error as Error).message}`);
    }
  });
  return [...new Set(ranges)];
}

/**
 * The policy columns `input` sets: omitted fields are left out; on update, null resets
 * `requestsPerHour` only. A key's own hourly limit may only lower its organization's
 * (`orgId`'s, when people knows the organizations' limits).
 */
function policyPatch(ctx: PeopleContext, input: KeyPolicyInput, orgId: string): Updateable<ApiKeysTable> {
  const patch: Updateable<ApiKeysTable> = {};
  const ipAllowlist = notNull('input.ipAllowlist', input.ipAllowlist);
  if (ipAllowlist !== undefined) patch.ip_allowlist = validIpAllowlist(ipAllowlist);
  if (input.requestsPerHour !== undefined) {
    patch.requests_per_hour =
      input.requestsPerHour === null ? null : requireIntInRange('input.requestsPerHour', input.requestsPerHour, 1, MAX_REQUESTS_PER_HOUR);
    const organizationLimit = ctx.requestLimits ? organizationRequestLimit(ctx.requestLimits, orgId) : null;
    if (patch.requests_per_hour !== null && organizationLimit !== null && patch.requests_per_hour > organizationLimit) {
      throw badInput(
        'input.requestsPerHour',
        'OUT_OF_RANGE',
        `must be at most the organization's limit of ${organizationLimit} requests an hour: a key's own limit may only lower it (the operator sets the organization's)`,
      );
    }
  }
  const trustedDocumentsOnly = notNull('input.trustedDocumentsOnly', input.trustedDocumentsOnly);
  if (trustedDocumentsOnly !== undefined) patch.trusted_documents_only = trustedDocumentsOnly;
  return patch;
}

/** The caller's organization; it always exists for a verified identity. */
async function ownOrganization(ctx: PeopleContext): Promise<OrganizationRow> {
  const row = await ctx.loaders.organizations.load(ctx.identity.orgId);
  if (!row) throw notFound('Organization', ctx.identity.orgId);
  return row;
}

/**
 * Organizations whose keys the caller manages: its own and, for a live organization, its
 * sandbox. A sandbox's callers manage the sandbox only, never its live organization.
 */
async function keyOrgIds(ctx: PeopleContext): Promise<string[]> {
  const own = await ownOrganization(ctx);
  if (own.sandbox_of !== null) return [own.id];
  const sandbox = await ctx.loaders.sandboxes.load(own.id);
  return sandbox ? [own.id, sandbox.id] : [own.id];
}

/** A key the caller manages; NOT_FOUND for unknown ids and keys of other organizations alike. */
async function loadManagedKey(ctx: PeopleContext, id: string) {
  const row = isId(id) ? await findApiKey(ctx.db, await keyOrgIds(ctx), id) : undefined;
  if (!row) throw notFound('ApiKey', id);
  return row;
}

export const apiKeyResolvers = {
  Query: {
    apiKeys: async (_: unknown, args: PageArgs & { status?: ActivityStatus | null }, ctx: PeopleContext) => {
      requireAdmin(ctx, 'list API keys', 'admin');
      const limit = pageSize(args);
      const status = activityStatus(args.status);
      const orgIds = await keyOrgIds(ctx);
      const rows = await listApiKeys(ctx.db, orgIds, status, limit, args);
      return toConnection(rows, limit, args, apiKeySortKey, toApiKey, () => countApiKeys(ctx.db, orgIds, status));
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
      if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) throw badInput('input.expiresAt', 'TOO_EARLY', 'must be in the future');
      const mode: ApiKeyMode = notNull('input.mode', input.mode) === 'TEST' ? 'test' : 'live';
      if (mode === 'test' && input.userId !== null && input.userId !== undefined) {
        throw badInput('input.userId', 'NOT_APPLICABLE', 'must be omitted for a TEST key: test keys are service keys of the sandbox organization');
      }
      // A TEST key lives in the sandbox, but is checked against the caller's organization's limit.
      const policy = policyPatch(ctx, input, ctx.identity.orgId);
      const own = await ownOrganization(ctx);
      if (own.sandbox_of !== null && mode === 'live') {
        throw badInput('input.mode', 'INCOMPATIBLE', 'must be TEST in a sandbox organization: its keys cannot reach live data');
      }
      const userId = (await requireReference(ctx, 'users', 'input.userId', input.userId)) ?? null;
      const secret = generateApiKeySecret(mode);
      const row = await ctx.db.transaction().execute(async (trx) => {
        let orgId = own.id;
        if (mode === 'test' && own.sandbox_of === null) {
          const { sandbox, created } = await findOrCreateSandbox(trx, own);
          // Published like any organization write, so other subgraphs learn of the sandbox.
          // No actor: the sandbox's own events never carry ids of the live organization.
          if (created) await appendEvents(trx, [organizationEvent(sandbox, 'created', null)]);
          orgId = sandbox.id;
        }
        return insertApiKey(trx, {
          org_id: orgId,
          user_id: userId,
          name,
          prefix: apiKeyPrefix(secret),
          secret_hash: hashApiKeySecret(secret),
          scopes,
          expires_at: input.expiresAt ?? null,
          // A key's creator must be a user of the key's organization: a live admin's key in
          // the sandbox has none.
          created_by: orgId === ctx.identity.orgId ? ctx.identity.userId : null,
          mode,
          ...policy,
        });
      });
      return { apiKey: toApiKey(row), secret };
    },
    updateApiKey: async (_: unknown, { id, input }: { id: string; input: UpdateApiKeyInput }, ctx: PeopleContext) => {
      requireAdmin(ctx, 'update API keys', 'admin');
      const existing = await loadManagedKey(ctx, id);
      const revoked = () => conflict(`API key ${id} is revoked and cannot be changed; create a new key instead`, { id, rule: 'KEY_REVOKED' });
      if (existing.revoked_at) throw revoked();
      const patch = policyPatch(ctx, input, existing.org_id);
      const name = notNull('input.name', input.name);
      if (name !== undefined) patch.name = requireText('input.name', name, 1, 100);
      if (Object.keys(patch).length === 0) return toApiKey(existing);
      const row = await updateUnrevokedApiKey(ctx.db, existing.org_id, id, patch);
      if (!row) throw revoked();
      return toApiKey(row);
    },
    revokeApiKey: async (_: unknown, { id }: { id: string }, ctx: PeopleContext) => {
      requireAdmin(ctx, 'revoke API keys', 'admin');
      const existing = await loadManagedKey(ctx, id);
      return toApiKey(await revokeApiKey(ctx.db, existing.org_id, id));
    },
  },
} satisfies Resolvers;
