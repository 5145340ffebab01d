import DataLoader from 'dataloader';
import { isId } from '../shared/validation.ts';
import type { LeaveContext } from './context.ts';
import type { LeaveDb } from './db/database.ts';
import { findDirectoryDepartments, findDirectoryOrganization, findDirectoryUsers } from './db/repositories/directory.ts';
import { findLeaveTypes } from './db/repositories/leave-types.ts';
import type { DirectoryDepartmentRow, DirectoryOrganizationRow, DirectoryUserRow } from './db/tables/directory.ts';
import type { LeaveTypeRow } from './db/tables/leave-types.ts';

/** A loader by id: ids that are not uuids, or of other organizations, load as null. */
export function byId<Row extends { id: string }>(fetch: (ids: string[]) => Promise<Row[]>): DataLoader<string, Row | null> {
  return new DataLoader(async (ids) => {
    const rows = await fetch(ids.filter(isId));
    const found = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => found.get(id) ?? null);
  });
}

/** Rows grouped by a key, each group in the rows' order: one pass, for splitting a batch's rows among its keys. */
export function groupRows<Row>(rows: Iterable<Row>, keyOf: (row: Row) => string): Map<string, Row[]> {
  const groups = new Map<string, Row[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const list = groups.get(key);
    if (list) list.push(row);
    else groups.set(key, [row]);
  }
  return groups;
}

/** A loader of row lists grouped by a key column, one query per batch. */
export function groupedBy<Row>(fetch: (keys: string[]) => Promise<Row[]>, keyOf: (row: Row) => string): DataLoader<string, Row[]> {
  return new DataLoader(async (keys) => {
    const groups = groupRows(await fetch(keys.filter(isId)), keyOf);
    return keys.map((k) => groups.get(k) ?? []);
  });
}

/** Per-request loaders of the directory (other loaders live beside their resolvers' needs in `loaders` too). */
export interface DirectoryLoaders {
  readonly users: DataLoader<string, DirectoryUserRow | null>;
  readonly departments: DataLoader<string, DirectoryDepartmentRow | null>;
  /** The caller's organization (read once per request; `fresh` reads again). */
  readonly organization: (fresh?: boolean) => Promise<DirectoryOrganizationRow | undefined>;
}

export function createDirectoryLoaders(db: LeaveDb, orgId: string): DirectoryLoaders {
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

/**
 * The per-request loader of the caller's organization's leave types by id (active or not).
 * Unknown ids, ids that are not uuids and other organizations' ids load as null.
 */
export function leaveTypeLoader(ctx: LeaveContext): DataLoader<string, LeaveTypeRow | null> {
  return ctx.loaders.get('leaveTypes', () => byId((ids) => findLeaveTypes(ctx.db, ctx.identity.orgId, ids)));
}
