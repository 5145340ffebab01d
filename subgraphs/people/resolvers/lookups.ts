import { notFound } from '../../shared/errors.ts';
import { pageSize, toConnection, type PageArgs } from '../../shared/pagination.ts';
import type { PeopleContext } from '../context.ts';
import { countUsers, listUsers, userSortKey, type UserListFilter } from '../db/repositories/users.ts';
import { toDepartment, toUser, type UserModel } from './mappers.ts';

/** The user with this id (through the loader), or null when there is no id or no such user. */
export async function userOf(ctx: PeopleContext, id: string | null | undefined) {
  const row = id ? await ctx.loaders.users.load(id) : null;
  return row ? toUser(row) : null;
}

/** The department with this id (through the loader), or null when there is no id or no such department. */
export async function departmentOf(ctx: PeopleContext, id: string | null | undefined) {
  const row = id ? await ctx.loaders.departments.load(id) : null;
  return row ? toDepartment(row) : null;
}

/** The user with this id; NOT_FOUND for unknown ids and other organizations' ids. */
export async function loadUser(ctx: PeopleContext, id: string): Promise<UserModel> {
  const row = await ctx.loaders.users.load(id);
  if (!row) throw notFound('User', id);
  return toUser(row);
}

/** One page of the organization's users matching `filter`, as a connection; primes the user loader. */
export async function userConnection(ctx: PeopleContext, filter: UserListFilter, args: PageArgs) {
  const limit = pageSize(args);
  const orgId = ctx.identity.orgId;
  const rows = await listUsers(ctx.db, orgId, filter, limit, args);
  for (const row of rows) ctx.loaders.users.prime(row.id, row);
  return toConnection(rows, limit, args, userSortKey, toUser, () => countUsers(ctx.db, orgId, filter));
}
