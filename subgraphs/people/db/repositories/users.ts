import { sql, type Insertable, type Updateable } from 'kysely';
import { cursorConditions, readOrder, type PageArgs } from '../../../shared/pagination.ts';
import { PEOPLE_SCHEMA, type PeopleDb } from '../database.ts';
import type { EmploymentType, UserRow, UsersTable } from '../tables/users.ts';
import type { Role } from '../../../shared/identity.ts';

/** Conditions of the `users` query, already validated. */
export interface UserListFilter {
  readonly search?: string | null | undefined;
  readonly roles?: readonly Role[] | null | undefined;
  readonly departmentId?: string | null | undefined;
  readonly teamId?: string | null | undefined;
  readonly siteId?: string | null | undefined;
  readonly managerId?: string | null | undefined;
  readonly tagId?: string | null | undefined;
  readonly employmentType?: EmploymentType | null | undefined;
  readonly externalId?: string | null | undefined;
  readonly email?: string | null | undefined;
  readonly status?: 'ACTIVE' | 'DEACTIVATED' | 'ALL' | null | undefined;
}

/** Sort key of user lists: last name, first name, id. */
export const userSortKey = (row: UserRow): unknown[] => [row.last_name, row.first_name, row.id];
const sortColumns = [sql.ref('users.last_name'), sql.ref('users.first_name'), sql.ref('users.id')];

function filtered(db: PeopleDb, orgId: string, filter: UserListFilter) {
  let q = db.selectFrom('users').where('users.org_id', '=', orgId);
  const status = filter.status ?? 'ACTIVE';
  if (status === 'ACTIVE') q = q.where('users.deactivated_at', 'is', null);
  if (status === 'DEACTIVATED') q = q.where('users.deactivated_at', 'is not', null);
  if (filter.search) {
    const pattern = `%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = q.where((eb) =>
      eb.or([
        eb('users.email', 'ilike', pattern),
        eb(sql<string>`users.first_name || ' ' || users.last_name`, 'ilike', pattern),
      ]),
    );
  }
  if (filter.roles && filter.roles.length > 0) q = q.where('users.role', 'in', filter.roles);
  if (filter.departmentId) q = q.where('users.department_id', '=', filter.departmentId);
  if (filter.siteId) q = q.where('users.site_id', '=', filter.siteId);
  if (filter.managerId) q = q.where('users.manager_id', '=', filter.managerId);
  if (filter.employmentType) q = q.where('users.employment_type', '=', filter.employmentType);
  if (filter.externalId) q = q.where('users.external_id', '=', filter.externalId);
  if (filter.email) q = q.where(sql`lower(users.email)`, '=', filter.email.normalize('NFC').toLowerCase());
  if (filter.teamId) {
    const teamId = filter.teamId;
    q = q.where('users.id', 'in', (eb) => eb.selectFrom('team_members').select('user_id').where('team_id', '=', teamId));
  }
  if (filter.tagId) {
    const tagId = filter.tagId;
    q = q.where('users.id', 'in', (eb) => eb.selectFrom('user_tags').select('user_id').where('tag_id', '=', tagId));
  }
  return q;
}

/** One page (`limit + 1` rows) of the organization's users matching `filter`, by last name. */
export async function listUsers(
  db: PeopleDb,
  orgId: string,
  filter: UserListFilter,
  limit: number,
  args: PageArgs,
): Promise<UserRow[]> {
  const q = filtered(db, orgId, filter).selectAll('users');
  const dir = readOrder(args);
  return q.where(cursorConditions(sortColumns, args)).orderBy('users.last_name', dir).orderBy('users.first_name', dir).orderBy('users.id', dir).limit(limit + 1).execute();
}

export async function countUsers(db: PeopleDb, orgId: string, filter: UserListFilter): Promise<number> {
  const row = await filtered(db, orgId, filter).select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow();
  return row.n;
}

export async function findUsers(db: PeopleDb, orgId: string, ids: readonly string[]): Promise<UserRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('users').selectAll().where('org_id', '=', orgId).where('id', 'in', ids).execute();
}

/** Active users among `ids` in the organization (to validate references). */
export async function findActiveUserIds(db: PeopleDb, orgId: string, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .selectFrom('users')
    .select('id')
    .where('org_id', '=', orgId)
    .where('id', 'in', ids)
    .where('deactivated_at', 'is', null)
    .execute();
  return new Set(rows.map((r) => r.id));
}

/** The id of another user of the organization with this email (case-insensitive), if any. */
export async function findUserIdByEmail(db: PeopleDb, orgId: string, email: string, exceptId?: string): Promise<string | undefined> {
  let q = db.selectFrom('users').select('id').where('org_id', '=', orgId).where(sql`lower(email)`, '=', email.normalize('NFC').toLowerCase());
  if (exceptId) q = q.where('id', '<>', exceptId);
  return (await q.executeTakeFirst())?.id;
}

/** The id of another user of the organization with this external id, if any. */
export async function findUserIdByExternalId(
  db: PeopleDb,
  orgId: string,
  externalId: string,
  exceptId?: string,
): Promise<string | undefined> {
  let q = db.selectFrom('users').select('id').where('org_id', '=', orgId).where('external_id', '=', externalId);
  if (exceptId) q = q.where('id', '<>', exceptId);
  return (await q.executeTakeFirst())?.id;
}

/** True when `userId` appears in the management chain above `managerId` (or is it): the change would make a cycle. */
export async function isInManagementChain(db: PeopleDb, orgId: string, managerId: string, userId: string): Promise<boolean> {
  // Raw SQL escapes `withSchema`: the table must be schema-qualified here.
  const users = sql.table(`${PEOPLE_SCHEMA}.users`);
  const result = await sql<{ found: boolean }>`
    with recursive chain(id, manager_id, depth) as (
      select id, manager_id, 1 from ${users} where org_id = ${orgId} and id = ${managerId}
      union all
      select u.id, u.manager_id, c.depth + 1 from ${users} u
        join chain c on u.id = c.manager_id and u.org_id = ${orgId}
      where c.depth < 1000
    )
    select exists(select 1 from chain where id = ${userId}) as found`.execute(db);
  return result.rows[0]?.found === true;
}

export async function insertUser(db: PeopleDb, values: Insertable<UsersTable>): Promise<UserRow> {
  return db.insertInto('users').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function updateUser(db: PeopleDb, orgId: string, id: string, patch: Updateable<UsersTable>): Promise<UserRow> {
  return db
    .updateTable('users')
    .set({ ...patch, updated_at: new Date() })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Replaces a user's tags. */
export async function setUserTags(db: PeopleDb, orgId: string, userId: string, tagIds: readonly string[]): Promise<void> {
  await db.deleteFrom('user_tags').where('org_id', '=', orgId).where('user_id', '=', userId).execute();
  if (tagIds.length > 0) {
    await db.insertInto('user_tags').values(tagIds.map((tag_id) => ({ org_id: orgId, user_id: userId, tag_id }))).execute();
  }
}

/** Replaces a user's team memberships. */
export async function setUserTeams(db: PeopleDb, orgId: string, userId: string, teamIds: readonly string[]): Promise<void> {
  await db.deleteFrom('team_members').where('org_id', '=', orgId).where('user_id', '=', userId).execute();
  if (teamIds.length > 0) {
    await db.insertInto('team_members').values(teamIds.map((team_id) => ({ org_id: orgId, team_id, user_id: userId }))).execute();
  }
}

/** Every user of the organization (for publishing a full snapshot, e.g. after seeding). */
export async function findUsersOfOrganization(db: PeopleDb, orgId: string): Promise<UserRow[]> {
  return db.selectFrom('users').selectAll().where('org_id', '=', orgId).orderBy('created_at').orderBy('id').execute();
}
