import { notFound } from '../../shared/errors.ts';
import type { TimeContext } from '../context.ts';
import type { DirectoryOrganizationRow } from '../db/tables/directory.ts';

// The access rules are the platform's, over this subgraph's directory.
export { managesUser, requireAdmin, requireDirectoryUser, maySeeRecordsOf as maySeeTimeOf, maySeeRecordsOfId as maySeeTimeOfId } from '../../shared/directory-access.ts';

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
