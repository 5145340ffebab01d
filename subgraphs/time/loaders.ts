import DataLoader from 'dataloader';
import { isId } from '../shared/validation.ts';
import type { TimeContext } from './context.ts';
import type { TimeDb } from './db/database.ts';
import { findDirectoryDepartments, findDirectoryOrganization, findDirectoryUsers } from './db/repositories/directory.ts';
import { findOvertimeSubmissions } from './db/repositories/overtime-submissions.ts';
import { findOvertimeTypes } from './db/repositories/overtime-types.ts';
import type { DirectoryDepartmentRow, DirectoryOrganizationRow, DirectoryUserRow } from './db/tables/directory.ts';
import type { OvertimeSubmissionRow } from './db/tables/overtime-submissions.ts';
import type { OvertimeTypeRow } from './db/tables/overtime-types.ts';

/** A loader by id: ids that are not uuids, or of other organizations, load as null. */
export function byId<Row extends { id: string }>(fetch: (ids: string[]) => Promise<Row[]>): DataLoader<string, Row | null> {
  return new DataLoader(async (ids) => {
    const rows = await fetch(ids.filter(isId));
    const found = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => found.get(id) ?? null);
  });
}

/** Per-request loaders of the directory. */
export interface DirectoryLoaders {
  readonly users: DataLoader<string, DirectoryUserRow | null>;
  readonly departments: DataLoader<string, DirectoryDepartmentRow | null>;
  /** The caller's organization (read once per request; `fresh` reads again). */
  readonly organization: (fresh?: boolean) => Promise<DirectoryOrganizationRow | undefined>;
}

export function createDirectoryLoaders(db: TimeDb, orgId: string): DirectoryLoaders {
  let organization: Promise<DirectoryOrganizationRow | undefined> | undefined;
  return {
    users: byId((ids) => findDirectoryUsers(db, orgId, ids)),
    departments: byId((ids) => findDirectoryDepartments(db, orgId, ids)),
    organization: (fresh = false) => {
      if (fresh || !organization) organization = findDirectoryOrganization(db, orgId);
      return organization;
    },
  };
}

/** The per-request loader of the caller's organization's overtime types by id (retired or not). */
export function overtimeTypeLoader(ctx: TimeContext): DataLoader<string, OvertimeTypeRow | null> {
  return ctx.loaders.get('overtimeTypes', () => byId((ids) => findOvertimeTypes(ctx.db, ctx.identity.orgId, ids)));
}

/** The per-request loader of the caller's organization's overtime submissions by id. */
export function overtimeSubmissionLoader(ctx: TimeContext): DataLoader<string, OvertimeSubmissionRow | null> {
  return ctx.loaders.get('overtimeSubmissions', () => byId((ids) => findOvertimeSubmissions(ctx.db, ctx.identity.orgId, ids)));
}
