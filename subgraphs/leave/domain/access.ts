import { notFound } from '../../shared/errors.ts';
import type { LeaveContext } from '../context.ts';
import type { DirectoryOrganizationRow, DirectoryUserRow } from '../db/tables/directory.ts';

// The access rules are the platform's, over this subgraph's directory.
export { managesUser, requireAdmin, requireDirectoryUser, maySeeRecordsOf as maySeeLeaveOf, maySeeRecordsOfId as maySeeLeaveOfId } from '../../shared/directory-access.ts';

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
