import DataLoader from 'dataloader';
import { isId } from '../shared/validation.ts';
import type { PeopleDb } from './db/database.ts';
import { findNamed } from './db/repositories/named-records.ts';
import { findOrganizations, findSandboxesOf } from './db/repositories/organizations.ts';
import { findTagsOfUsers } from './db/repositories/tags.ts';
import { findTeamsOfUsers } from './db/repositories/teams.ts';
import { findUsers } from './db/repositories/users.ts';
import type { DepartmentRow } from './db/tables/departments.ts';
import type { OrganizationRow } from './db/tables/organizations.ts';
import type { SiteRow } from './db/tables/sites.ts';
import type { TagRow } from './db/tables/tags.ts';
import type { TeamRow } from './db/tables/teams.ts';
import type { UserRow } from './db/tables/users.ts';

/** Per-request batch loaders, all confined to one organization. */
export interface PeopleLoaders {
  readonly organizations: DataLoader<string, OrganizationRow | null>;
  /** The sandbox of a live organization, by the live organization's id (only the caller's). */
  readonly sandboxes: DataLoader<string, OrganizationRow | null>;
  readonly users: DataLoader<string, UserRow | null>;
  readonly departments: DataLoader<string, DepartmentRow | null>;
  readonly teams: DataLoader<string, TeamRow | null>;
  readonly sites: DataLoader<string, SiteRow | null>;
  readonly tagsOfUser: DataLoader<string, TagRow[]>;
  readonly teamsOfUser: DataLoader<string, TeamRow[]>;
}

/** A loader by id: ids that are not uuids, or rows of other organizations, load as null. */
function byId<Row extends { id: string }>(fetch: (ids: string[]) => Promise<Row[]>): DataLoader<string, Row | null> {
  return new DataLoader(async (ids) => {
    const rows = await fetch(ids.filter(isId));
    const found = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => found.get(id) ?? null);
  });
}

/** A loader of lists grouped by user id. */
function groupedByUser<Row>(fetch: (ids: string[]) => Promise<Row[]>, userOf: (row: Row) => string): DataLoader<string, Row[]> {
  return new DataLoader(async (ids) => {
    const groups = new Map<string, Row[]>();
    for (const row of await fetch(ids.filter(isId))) {
      const list = groups.get(userOf(row)) ?? [];
      list.push(row);
      groups.set(userOf(row), list);
    }
    return ids.map((id) => groups.get(id) ?? []);
  });
}

export function createPeopleLoaders(db: PeopleDb, orgId: string): PeopleLoaders {
  return {
    organizations: byId(async (ids) => (await findOrganizations(db, ids)).filter((o) => o.id === orgId)),
    sandboxes: new DataLoader(async (ids) => {
      const rows = await findSandboxesOf(db, ids.filter((id) => id === orgId));
      return ids.map((id) => rows.find((r) => r.sandbox_of === id) ?? null);
    }),
    users: byId((ids) => findUsers(db, orgId, ids)),
    departments: byId((ids) => findNamed(db, 'departments', orgId, ids)),
    teams: byId((ids) => findNamed(db, 'teams', orgId, ids)),
    sites: byId((ids) => findNamed(db, 'sites', orgId, ids)),
    tagsOfUser: groupedByUser((ids) => findTagsOfUsers(db, orgId, ids), (r) => r.user_id),
    teamsOfUser: groupedByUser((ids) => findTeamsOfUsers(db, orgId, ids), (r) => r.member_id),
  };
}
