import DataLoader from 'dataloader';
import { isId } from '../shared/validation.ts';
import type { BoardingContext } from './context.ts';
import { findDirectoryUsers } from './db/repositories/directory.ts';
import { findHouses } from './db/repositories/houses.ts';
import { findLocations } from './db/repositories/locations.ts';
import { findPastoralCategories } from './db/repositories/pastoral.ts';
import { findRolls, findRollTypes } from './db/repositories/rolls.ts';
import { findStudentLeaveTypes, findStudentLeaves } from './db/repositories/student-leave.ts';
import { findContacts, findStudents } from './db/repositories/students.ts';
import type { DirectoryUserRow } from './db/tables/directory.ts';
import type { HouseRow } from './db/tables/houses.ts';
import type { LocationWithState } from './db/tables/locations.ts';
import type { PastoralCategoryRow } from './db/tables/pastoral.ts';
import type { RollRow, RollTypeRow } from './db/tables/rolls.ts';
import type { StudentLeaveRow, StudentLeaveTypeRow } from './db/tables/student-leave.ts';
import type { ContactRow, StudentRow } from './db/tables/students.ts';

/** A loader by id: ids that are not uuids, or of other organizations, load as null. */
export function byId<Row extends { id: string }>(fetch: (ids: string[]) => Promise<Row[]>): DataLoader<string, Row | null> {
  return new DataLoader(async (ids) => {
    const rows = await fetch(ids.filter(isId));
    const found = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => found.get(id) ?? null);
  });
}

/** A loader of one row per key (or null), one query per batch. */
export function oneBy<Row>(fetch: (keys: string[]) => Promise<Row[]>, keyOf: (row: Row) => string): DataLoader<string, Row | null> {
  return new DataLoader(async (keys) => {
    const found = new Map((await fetch(keys.filter(isId))).map((r) => [keyOf(r), r]));
    return keys.map((k) => found.get(k) ?? null);
  });
}

/** The per-request loaders by id of the caller's organization's rows. */
export function loaders(ctx: BoardingContext) {
  const { db } = ctx;
  const org = ctx.identity.orgId;
  return {
    houses: ctx.loaders.get('houses', () => byId<HouseRow>((ids) => findHouses(db, org, ids))),
    students: ctx.loaders.get('students', () => byId<StudentRow>((ids) => findStudents(db, org, ids))),
    contacts: ctx.loaders.get('contacts', () => byId<ContactRow>((ids) => findContacts(db, org, ids))),
    locations: ctx.loaders.get('locations', () => byId<LocationWithState>((ids) => findLocations(db, org, ids))),
    pastoralCategories: ctx.loaders.get('pastoralCategories', () => byId<PastoralCategoryRow>((ids) => findPastoralCategories(db, org, ids))),
    rollTypes: ctx.loaders.get('rollTypes', () => byId<RollTypeRow>((ids) => findRollTypes(db, org, ids))),
    rolls: ctx.loaders.get('rolls', () => byId<RollRow>((ids) => findRolls(db, org, ids))),
    leaveTypes: ctx.loaders.get('leaveTypes', () => byId<StudentLeaveTypeRow>((ids) => findStudentLeaveTypes(db, org, ids))),
    leaves: ctx.loaders.get('leaves', () => byId<StudentLeaveRow>((ids) => findStudentLeaves(db, org, ids))),
    staff: ctx.loaders.get('staff', () => byId<DirectoryUserRow>((ids) => findDirectoryUsers(db, org, ids))),
  };
}

/**
 * A per-request loader of first pages keyed by parent id, one per distinct page arguments:
 * every parent of a list shares one statement for its pages and one for its counts.
 */
export function pageLoader<Row>(
  ctx: BoardingContext,
  name: string,
  args: unknown,
  fetch: (parentIds: string[]) => Promise<Row[]>,
  parentOf: (row: Row) => string,
): DataLoader<string, Row[]> {
  return ctx.loaders.get(`${name}:${JSON.stringify(args)}`, () =>
    new DataLoader<string, Row[]>(async (keys) => {
      const groups = new Map<string, Row[]>();
      for (const row of await fetch(keys.filter(isId))) {
        const list = groups.get(parentOf(row)) ?? [];
        list.push(row);
        groups.set(parentOf(row), list);
      }
      return keys.map((k) => groups.get(k) ?? []);
    }),
  );
}

/** A per-request loader of counts keyed by parent id. */
export function countLoader(ctx: BoardingContext, name: string, args: unknown, fetch: (parentIds: string[]) => Promise<Map<string, number>>): DataLoader<string, number> {
  return ctx.loaders.get(`${name}:${JSON.stringify(args)}`, () =>
    new DataLoader<string, number>(async (keys) => {
      const counts = await fetch(keys.filter(isId));
      return keys.map((k) => counts.get(k) ?? 0);
    }),
  );
}
