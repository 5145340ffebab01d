import { badInput, forbidden, notFound } from '../../shared/errors.ts';
import { isId } from '../../shared/validation.ts';
import type { TimeContext } from '../context.ts';
import type { DirectoryOrganizationRow, DirectoryUserRow } from '../db/tables/directory.ts';

/** Throws FORBIDDEN unless the caller is an admin (a service key acts as one). */
export function requireAdmin(ctx: TimeContext, action: string): void {
  if (ctx.identity.role !== 'ADMIN') throw forbidden(`only admins may ${action}`);
}

/** True for admins and for the person's line manager or department manager (never the person themself). */
export async function managesUser(ctx: TimeContext, user: DirectoryUserRow): Promise<boolean> {
  const { role, userId } = ctx.identity;
  if (role === 'ADMIN') return true;
  if (!userId || userId === user.id) return false;
  if (user.manager_id === userId) return true;
  if (!user.department_id) return false;
  const department = await ctx.directory.departments.load(user.department_id);
  return department?.manager_id === userId;
}

/** True when the caller may see the person's overtime, TOIL and hours: themself, their managers, admins. */
export async function maySeeTimeOf(ctx: TimeContext, user: DirectoryUserRow): Promise<boolean> {
  return ctx.identity.userId === user.id || managesUser(ctx, user);
}

/** `maySeeTimeOf` by id: false when the id is no person of the directory. */
export async function maySeeTimeOfId(ctx: TimeContext, userId: string): Promise<boolean> {
  const user = await ctx.directory.users.load(userId);
  return user !== null && (await maySeeTimeOf(ctx, user));
}

/**
 * The person `userId` from the directory, after catching up with people's events.
 * Unknown ids and other organizations' ids give the same BAD_USER_INPUT on `field`.
 */
export async function requireDirectoryUser(ctx: TimeContext, userId: string, field: string): Promise<DirectoryUserRow> {
  const notAUser = () => badInput(field, `${userId} is not a user of this organization`);
  if (!isId(userId)) throw notAUser();
  let user = await ctx.directory.users.load(userId);
  if (!user) {
    // A person created a moment ago may not have reached the directory yet.
    await ctx.services.catchUpDirectory();
    ctx.directory.users.clear(userId);
    user = await ctx.directory.users.load(userId);
  }
  if (!user) throw notAUser();
  return user;
}

/** The caller's organization from the directory; NOT_FOUND if people never announced it. */
export async function requireOrganization(ctx: TimeContext): Promise<DirectoryOrganizationRow> {
  let org = await ctx.directory.organization();
  if (!org) {
    await ctx.services.catchUpDirectory();
    org = await ctx.directory.organization(true);
  }
  if (!org) throw notFound('Organization', ctx.identity.orgId);
  return org;
}
