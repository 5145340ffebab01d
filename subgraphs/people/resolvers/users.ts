import type { Updateable } from 'kysely';
import { badInput, conflict, forbidden, isUniqueViolation } from '../../shared/errors.ts';
import { pageSize, toConnection, type PageArgs } from '../../shared/pagination.ts';
import {
  notNull,
  optionalText,
  requireAtMostDistinct,
  requireCountry,
  requireEmail,
  requireIds,
  requireRegion,
  requireText,
} from '../../shared/validation.ts';
import type { Role } from '../../shared/identity.ts';
import { requireAdmin, type PeopleContext } from '../context.ts';
import type { PeopleDb } from '../db/database.ts';
import { lockOrganization } from '../db/repositories/organizations.ts';
import { countUserNotes, listUserNotes, noteSortKey } from '../db/repositories/user-notes.ts';
import {
  countUsers,
  findUserIdByEmail,
  findUserIdByExternalId,
  insertUser,
  isInManagementChain,
  setUserTags,
  setUserTeams,
  updateUser,
  type UserListFilter,
} from '../db/repositories/users.ts';
import type { EmploymentType, UsersTable } from '../db/tables/users.ts';
import { toSite, toTag, toTeam, toUser, toUserNote, WEEKDAYS, type UserModel } from './mappers.ts';
import { departmentOf, loadUser, userConnection, userOf } from './lookups.ts';
import { requireReference, requireReferences } from './references.ts';
import { mayAccessNotes } from './user-notes.ts';
import { appendEvents } from '../../shared/outbox.ts';
import { userEvent } from '../events.ts';
import type { Resolvers } from '../generated/graphql.ts';

type WorkingPatternInput = Partial<Record<(typeof WEEKDAYS)[number], number | null>>;

interface UserFields {
  email?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  role?: Role | null;
  departmentId?: string | null;
  managerId?: string | null;
  siteId?: string | null;
  country?: string | null;
  region?: string | null;
  employmentStartDate?: string | null;
  employmentType?: EmploymentType | null;
  workingPattern?: WorkingPatternInput | null;
  externalId?: string | null;
  tagIds?: string[] | null;
  teamIds?: string[] | null;
}

const DEFAULT_PATTERN = ['8', '8', '8', '8', '8', '0', '0'];
/** Most tags one person carries (`User.tags`). */
export const MAX_TAGS_PER_USER = 50;
/** Most teams one person belongs to (`User.teams`). */
export const MAX_TEAMS_PER_USER = 50;

/** Ids of a `users` filter reach SQL as uuids: anything else is a bad input, not a database error. */
const FILTER_IDS = ['departmentId', 'teamId', 'siteId', 'managerId', 'tagId'] as const;

/** Validates a working pattern: each day 0..24 hours in steps of 0.01, and some hours unless irregular. */
function workingPattern(input: WorkingPatternInput, employmentType: EmploymentType): string[] {
  const hours = WEEKDAYS.map((day) => {
    const h = input[day] ?? 0;
    if (!Number.isFinite(h) || h < 0 || h > 24) throw badInput(`input.workingPattern.${day}`, 'OUT_OF_RANGE', 'must be between 0 and 24 hours');
    if (Math.abs(Math.round(h * 100) - h * 100) > 1e-6) throw badInput(`input.workingPattern.${day}`, 'TOO_MANY_DECIMALS', 'must have at most 2 decimal places');
    return h.toFixed(2);
  });
  if (employmentType !== 'IRREGULAR_HOURS' && hours.every((h) => Number(h) === 0)) {
    throw badInput('input.workingPattern', 'INCOMPATIBLE', 'must have hours on at least one day unless employment type is IRREGULAR_HOURS');
  }
  return hours;
}

/** Validates a create or update; for an update, omitted fields are left out of the row. */
async function validateUser(ctx: PeopleContext, input: UserFields, existing: UserModel | null) {
  const orgId = ctx.identity.orgId;
  const row: Updateable<UsersTable> = {};
  const email = notNull('input.email', input.email);
  if (email !== undefined) {
    row.email = requireEmail('input.email', email);
    if (await findUserIdByEmail(ctx.db, orgId, row.email, existing?.id)) {
      throw badInput('input.email', 'DUPLICATE', 'is already used by another user of this organization');
    }
  }
  const firstName = notNull('input.firstName', input.firstName);
  if (firstName !== undefined) row.first_name = requireText('input.firstName', firstName, 1, 100);
  const lastName = notNull('input.lastName', input.lastName);
  if (lastName !== undefined) row.last_name = requireText('input.lastName', lastName, 1, 100);
  const role = notNull('input.role', input.role);
  if (role !== undefined) row.role = role;
  const employmentType = notNull('input.employmentType', input.employmentType);
  if (employmentType !== undefined) row.employment_type = employmentType;
  if (input.departmentId !== undefined) row.department_id = await requireReference(ctx, 'departments', 'input.departmentId', input.departmentId);
  if (input.siteId !== undefined) row.site_id = await requireReference(ctx, 'sites', 'input.siteId', input.siteId);
  if (input.managerId !== undefined) {
    if (input.managerId !== null && existing && input.managerId === existing.id) {
      throw badInput('input.managerId', 'CYCLE', 'a user cannot be their own manager');
    }
    row.manager_id = await requireReference(ctx, 'users', 'input.managerId', input.managerId);
  }
  if (input.country !== undefined) row.country = input.country === null ? null : requireCountry('input.country', input.country);
  if (input.region !== undefined) row.region = input.region === null ? null : requireRegion('input.region', input.region);
  if (input.employmentStartDate !== undefined) row.employment_start_date = input.employmentStartDate;
  const pattern = notNull('input.workingPattern', input.workingPattern);
  if (pattern !== undefined) {
    row.working_pattern = workingPattern(pattern, employmentType ?? existing?.employmentType ?? 'FULL_TIME');
  } else if (employmentType !== undefined && employmentType !== 'IRREGULAR_HOURS' && existing?.workingPattern.totalHours === 0) {
    throw badInput('input.workingPattern', 'REQUIRED', `is required when changing an irregular-hours worker to ${employmentType}`);
  }
  if (input.externalId !== undefined) {
    row.external_id = optionalText('input.externalId', input.externalId, 100) ?? null;
    if (row.external_id && (await findUserIdByExternalId(ctx.db, orgId, row.external_id, existing?.id))) {
      throw badInput('input.externalId', 'DUPLICATE', 'is already used by another user of this organization');
    }
  }
  const tagIds = notNull('input.tagIds', input.tagIds);
  const teamIds = notNull('input.teamIds', input.teamIds);
  // `User.tags` and `User.teams` are plain lists: these bounds keep them short (said in the SDL).
  if (tagIds !== undefined) requireAtMostDistinct('input.tagIds', tagIds, MAX_TAGS_PER_USER);
  if (teamIds !== undefined) requireAtMostDistinct('input.teamIds', teamIds, MAX_TEAMS_PER_USER);
  return {
    row,
    tagIds: tagIds === undefined ? undefined : await requireReferences(ctx, 'tags', 'input.tagIds', tagIds),
    teamIds: teamIds === undefined ? undefined : await requireReferences(ctx, 'teams', 'input.teamIds', teamIds),
  };
}

/** Unique indexes can still fire when two writes race past the checks above. */
function uniqueToBadInput(error: unknown): never {
  if (isUniqueViolation(error, 'users_org_email_key')) throw badInput('input.email', 'DUPLICATE', 'is already used by another user of this organization');
  if (isUniqueViolation(error, 'users_org_external_id_key')) {
    throw badInput('input.externalId', 'DUPLICATE', 'is already used by another user of this organization');
  }
  throw error;
}

/** Refuses to leave the organization without an active admin. */
async function keepAnAdmin(db: PeopleDb, orgId: string, user: UserModel, field: string): Promise<void> {
  if (user.role !== 'ADMIN' || !user.active) return;
  const admins = await countUsers(db, orgId, { roles: ['ADMIN'], status: 'ACTIVE' });
  if (admins <= 1) throw conflict(`${field}: the organization must keep at least one active admin`, { field, rule: 'LAST_ADMIN' });
}

/** Deactivates or reactivates a user and publishes it, in one transaction. */
function setActive(ctx: PeopleContext, id: string, active: boolean) {
  return ctx.db.transaction().execute(async (trx) => {
    const user = await updateUser(trx, ctx.identity.orgId, id, { deactivated_at: active ? null : new Date() });
    await appendEvents(trx, [userEvent(user, active ? 'reactivated' : 'deactivated', ctx.identity.userId)]);
    return user;
  });
}

export const userResolvers = {
  Query: {
    me: async (_: unknown, __: unknown, ctx: PeopleContext) => (ctx.identity.userId ? loadUser(ctx, ctx.identity.userId) : null),
    user: (_: unknown, args: { id: string }, ctx: PeopleContext) => loadUser(ctx, args.id),
    users: async (_: unknown, args: PageArgs & { filter?: UserListFilter | null }, ctx: PeopleContext) => {
      const filter = args.filter ?? {};
      requireIds(filter, FILTER_IDS, 'filter');
      return userConnection(ctx, filter, args);
    },
  },
  User: {
    __resolveReference: (ref: { id: string }, ctx: PeopleContext) => userOf(ctx, ref.id),
    department: (user: UserModel, _: unknown, ctx: PeopleContext) => departmentOf(ctx, user.departmentId),
    manager: (user: UserModel, _: unknown, ctx: PeopleContext) => userOf(ctx, user.managerId),
    directReports: (user: UserModel, args: PageArgs, ctx: PeopleContext) => userConnection(ctx, { managerId: user.id }, args),
    site: async (user: UserModel, _: unknown, ctx: PeopleContext) => {
      const row = user.siteId ? await ctx.loaders.sites.load(user.siteId) : null;
      return row ? toSite(row) : null;
    },
    teams: async (user: UserModel, _: unknown, ctx: PeopleContext) => (await ctx.loaders.teamsOfUser.load(user.id)).map(toTeam),
    tags: async (user: UserModel, _: unknown, ctx: PeopleContext) => (await ctx.loaders.tagsOfUser.load(user.id)).map(toTag),
    country: async (user: UserModel, _: unknown, ctx: PeopleContext) => {
      if (user.ownCountry) return user.ownCountry;
      const org = await ctx.loaders.organizations.load(ctx.identity.orgId);
      return org?.country ?? null;
    },
    notes: async (user: UserModel, args: PageArgs, ctx: PeopleContext) => {
      if (!(await mayAccessNotes(ctx, user))) throw forbidden('only admins and the user\'s managers may read notes about a user');
      const limit = pageSize(args);
      const orgId = ctx.identity.orgId;
      const rows = await listUserNotes(ctx.db, orgId, user.id, limit, args);
      return toConnection(rows, limit, args, noteSortKey, toUserNote, () => countUserNotes(ctx.db, orgId, user.id));
    },
  },
  Mutation: {
    createUser: async (_: unknown, { input }: { input: UserFields & { email: string; firstName: string; lastName: string } }, ctx: PeopleContext) => {
      requireAdmin(ctx, 'create users');
      const { row, tagIds, teamIds } = await validateUser(ctx, input, null);
      const orgId = ctx.identity.orgId;
      const created = await ctx.db
        .transaction()
        .execute(async (trx) => {
          const user = await insertUser(trx, {
            ...row,
            org_id: orgId,
            email: row.email ?? input.email,
            first_name: row.first_name ?? input.firstName,
            last_name: row.last_name ?? input.lastName,
            role: row.role ?? 'EMPLOYEE',
            working_pattern: row.working_pattern ?? DEFAULT_PATTERN,
          } as Parameters<typeof insertUser>[1]);
          if (tagIds) await setUserTags(trx, orgId, user.id, tagIds);
          if (teamIds) await setUserTeams(trx, orgId, user.id, teamIds);
          await appendEvents(trx, [userEvent(user, 'created', ctx.identity.userId)]);
          return user;
        })
        .catch(uniqueToBadInput);
      return toUser(created);
    },
    updateUser: async (_: unknown, { id, input }: { id: string; input: UserFields }, ctx: PeopleContext) => {
      requireAdmin(ctx, 'change users');
      const existing = await loadUser(ctx, id);
      const { row, tagIds, teamIds } = await validateUser(ctx, input, existing);
      const orgId = ctx.identity.orgId;
      if (row.role !== undefined && row.role !== 'ADMIN') await keepAnAdmin(ctx.db, orgId, existing, 'input.role');
      const updated = await ctx.db
        .transaction()
        .execute(async (trx) => {
          if (row.manager_id) {
            // Serialize manager changes of the organization so two concurrent changes cannot close a cycle.
            await lockOrganization(trx, orgId);
            if (await isInManagementChain(trx, orgId, row.manager_id, id)) {
              throw badInput('input.managerId', 'CYCLE', 'would create a management cycle: this user is already above the new manager');
            }
          }
          const user = await updateUser(trx, orgId, id, row);
          if (tagIds) await setUserTags(trx, orgId, id, tagIds);
          if (teamIds) await setUserTeams(trx, orgId, id, teamIds);
          await appendEvents(trx, [userEvent(user, 'updated', ctx.identity.userId)]);
          return user;
        })
        .catch(uniqueToBadInput);
      return toUser(updated);
    },
    deactivateUser: async (_: unknown, { id }: { id: string }, ctx: PeopleContext) => {
      requireAdmin(ctx, 'deactivate users');
      const user = await loadUser(ctx, id);
      if (id === ctx.identity.userId) throw conflict('id: you cannot deactivate yourself', { field: 'id', rule: 'SELF_DEACTIVATION' });
      if (!user.active) return user;
      const orgId = ctx.identity.orgId;
      await keepAnAdmin(ctx.db, orgId, user, 'id');
      const reports = await countUsers(ctx.db, orgId, { managerId: id });
      if (reports > 0) throw conflict(`id: the user manages ${reports} active people; give them another manager first`, { field: 'id', rule: 'MANAGES_ACTIVE_PEOPLE' });
      return toUser(await setActive(ctx, id, false));
    },
    reactivateUser: async (_: unknown, { id }: { id: string }, ctx: PeopleContext) => {
      requireAdmin(ctx, 'reactivate users');
      const user = await loadUser(ctx, id);
      if (user.active) return user;
      return toUser(await setActive(ctx, id, true));
    },
  },
} satisfies Resolvers;
