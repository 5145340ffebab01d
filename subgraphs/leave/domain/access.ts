import { badInput, forbidden, notFound } from '../../shared/errors.ts';
import { isId } from '../../shared/validation.ts';
import type { LeaveContext } from '../context.ts';
import type { DirectoryOrganizationRow, DirectoryUserRow } from '../db/tables/directory.ts';

/** Throws FORBIDDEN unless the caller is an admin (a service key acts as one). */
export function requireAdmin(ctx: LeaveContext, action: string): void {
  if (ctx.identity.role !== 'ADMIN') throw forbidden(`only admins may ${action}`);
}

/** True for admins and for the person's line manager or department manager. */
export async function managesUser(ctx: LeaveContext, user: DirectoryUserRow): Promise<boolean> {
  const { role, userId } = ctx.identity;
  if (role === 'ADMIN') return true;
  if (!userId || userId === user.id) return false;
  if (user.manager_id === userId) return true;
  if (!user.department_id) return false;
  const department = await ctx.directory.departments.load(user.department_id);
  return department?.manager_id === userId;
}

/** True when the caller may see the person's requests, allowances and current leave: themself, their managers, admins. */
export async function maySeeLeaveOf(ctx: LeaveContext, user: DirectoryUserRow): Promise<boolean> {
  return ctx.identity.userId === user.id || managesUser(ctx, user);
}

/** `maySeeLeaveOf` for a person by id: false when the id is no person of the directory. */
export async function maySeeLeaveOfId(ctx: LeaveContext, userId: string): Promise<boolean> {
  const user = await ctx.directory.users.load(userId);
  return user !== null && (await maySeeLeaveOf(ctx, user));
}

/**
 * The person `userId` from the directory, after catching up with people's events.
 * Unknown ids and other organizations' ids give the same BAD_USER_INPUT on `field`.
 */
export async function requireDirectoryUser(ctx: LeaveContext, userId: string, field: string): Promise<DirectoryUserRow> {
  const notAUser = () => badInput(field, `${userId} is not a user of this organization`);
  // Not a uuid: no person can have it, and catching up would not change that.
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

/** The caller's organization settings from the directory; NOT_FOUND if people never announced it. */
export async function requireOrganization(ctx: LeaveContext): Promise<DirectoryOrganizationRow> {
  let org = await ctx.directory.organization();
  if (!org) {
    await ctx.services.catchUpDirectory();
    org = await ctx.directory.organization(true);
  }
  if (!org) throw notFound('Organization', ctx.identity.orgId);
  return org;
}

/** The country whose public holidays and rules apply to a person: theirs, else the organization's. */
export function countryOf(user: DirectoryUserRow, org: DirectoryOrganizationRow): { country: string; region: string | null } {
  return user.country ? { country: user.country, region: user.region } : { country: org.country, region: user.region };
}
