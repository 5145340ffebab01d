import crypto from 'node:crypto';
import { badInput, conflict, notFound } from '../../shared/errors.ts';
import { appendEvents } from '../../shared/outbox.ts';
import type { PageArgs } from '../../shared/pagination.ts';
import { requireText } from '../../shared/validation.ts';
import type { BoardingContext } from '../context.ts';
import {
  countChildrenOf,
  countCurrentRecords,
  countLocationRecords,
  countLocationRecordsOfStudents,
  countLocations,
  deleteLocation,
  findCurrentRecords,
  findLocations,
  findSubtree,
  insertLocation,
  insertLocationRecords,
  listChildrenOf,
  listCurrentRecords,
  listLocationRecords,
  listLocationRecordsOfStudents,
  listLocations,
  locationSortKey,
  lockLocationTree,
  moveDescendants,
  locationUses,
  recordSortKey,
  updateLocation,
  type LocationConditions,
  type TimelineConditions,
} from '../db/repositories/locations.ts';
import type { BoardingDb } from '../db/database.ts';
import type { LocationRecordRow, LocationRecordType, LocationState, LocationType, LocationWithState } from '../db/tables/locations.ts';
import { requireGraphId, resolveStudent, resolveStudents, type Ref, type StudentsRef } from '../domain/refs.ts';
import { locationChangedEvent } from '../events.ts';
import { countLoader, loaders, oneBy, pageLoader } from '../loaders.ts';
import { connection, defined, FUTURE_TOLERANCE_MS, optional, page, requiredOnUpdate, userRef } from './common.ts';
import { toStudent } from './students.ts';
import type { Resolvers } from '../generated/graphql.ts';

export function toLocation(row: LocationWithState) {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    address: row.address,
    geolocation: row.latitude === null || row.longitude === null ? null : { latitude: row.latitude, longitude: row.longitude },
    type: row.type,
    state: row.zone_state,
    parentId: row.parent_id,
    zoneId: row.zone_id,
    depth: row.depth,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
export type LocationModel = ReturnType<typeof toLocation>;

export function toLocationRecord(row: LocationRecordRow) {
  return {
    id: row.id,
    type: row.type,
    recordedAt: row.recorded_at,
    locationId: row.location_id,
    studentId: row.student_id,
    createdBy: userRef(row.created_by),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
export type LocationRecordModel = ReturnType<typeof toLocationRecord>;

/** A location of the caller's organization, or BAD_USER_INPUT naming `field` (unknown and other organizations' ids alike). */
export async function requireLocation(ctx: BoardingContext, id: string, field: string): Promise<LocationWithState> {
  const row = await loaders(ctx).locations.load(id);
  if (!row) throw badInput(field, 'UNKNOWN_REFERENCE', `Location ${id} is not one of this organization's`);
  return row;
}

async function loadLocation(ctx: BoardingContext, id: string): Promise<LocationModel> {
  const row = await loaders(ctx).locations.load(id);
  if (!row) throw notFound('Location', id);
  return toLocation(row);
}

/** The per-request loader of each student's current (latest) location record. */
export function currentRecordLoader(ctx: BoardingContext) {
  return ctx.loaders.get('currentRecords', () => oneBy((ids) => findCurrentRecords(ctx.db, ctx.identity.orgId, ids), (r: LocationRecordRow) => r.student_id));
}

interface TimelineArgs {
  student?: Ref | null;
  from?: Date | null;
  to?: Date | null;
  updatedSince?: Date | null;
}

/** Validated timeline conditions; `studentId` from the filter's student or the parent field. */
export async function timelineConditions(ctx: BoardingContext, filter: TimelineArgs | null | undefined, studentId?: string): Promise<TimelineConditions> {
  const f = filter ?? {};
  if (f.from && f.to && f.to <= f.from) throw badInput('filter.to', 'BEFORE_START', 'must be after filter.from');
  let student = studentId;
  if (f.student) {
    if (studentId) throw badInput('filter.student', 'NOT_APPLICABLE', 'is implied by the student');
    student = (await resolveStudent(ctx, f.student, 'filter.student', 'target')).id;
  }
  return { studentId: student, from: f.from, to: f.to, updatedSince: f.updatedSince };
}

const GEO_LIMITS = { latitude: 90, longitude: 180 } as const;

function geolocation(value: { latitude: number; longitude: number } | null | undefined) {
  if (value === undefined) return {};
  if (value === null) return { latitude: null, longitude: null };
  for (const key of ['latitude', 'longitude'] as const) {
    if (!Number.isFinite(value[key]) || Math.abs(value[key]) > GEO_LIMITS[key]) throw badInput(`input.geolocation.${key}`, 'OUT_OF_RANGE', `must be between -${GEO_LIMITS[key]} and ${GEO_LIMITS[key]}`);
  }
  return { latitude: value.latitude, longitude: value.longitude };
}

interface CreateLocationArgs {
  name: string;
  type: LocationType;
  parentId?: string | null;
  state?: LocationState | null;
  description?: string | null;
  address?: string | null;
  geolocation?: { latitude: number; longitude: number } | null;
}

interface UpdateLocationArgs {
  name?: string | null;
  description?: string | null;
  address?: string | null;
  geolocation?: { latitude: number; longitude: number } | null;
  type?: LocationType | null;
  parentId?: string | null;
  state?: LocationState | null;
}

/** Most levels below a zone. */
const MAX_DEPTH = 20;

/** A location read inside a transaction holding the tree lock, or BAD_USER_INPUT naming `field`. */
async function lockedLocation(db: BoardingDb, orgId: string, id: string, field: string): Promise<LocationWithState> {
  const [row] = await findLocations(db, orgId, [id]);
  if (!row) throw badInput(field, 'UNKNOWN_REFERENCE', `Location ${id} is not one of this organization's`);
  return row;
}

/**
 * Moves and retypes a location under the tree lock, keeping the tree's rules: a ZONE is a
 * root with a state, anything else has a parent and inherits its zone's state; a location
 * never goes under itself or one of its descendants; the tree stays at most 20 levels deep.
 * The location's descendants follow it into its new zone and depth.
 */
async function reshape(db: BoardingDb, orgId: string, id: string, input: UpdateLocationArgs): Promise<void> {
  await lockLocationTree(db, orgId);
  const current = await lockedLocation(db, orgId, id, 'id');
  const type = input.type ?? current.type;
  const parentId = input.parentId === undefined ? current.parent_id : input.parentId;
  const subtree = await findSubtree(db, orgId, id);
  const below = subtree.filter((l) => l.id !== id);
  const height = Math.max(...subtree.map((l) => l.depth)) - current.depth;
  let zoneId: string;
  let depth: number;
  let state: LocationState | null;
  if (type === 'ZONE') {
    if (parentId !== null) {
      throw input.parentId === undefined
        ? badInput('input.type', 'INCOMPATIBLE', 'a ZONE is a root of the location tree: set parentId to null as well')
        : badInput('input.parentId', 'INCOMPATIBLE', 'a ZONE is a root of the location tree and has no parent');
    }
    state = input.state ?? current.state;
    if (!state) throw badInput('input.state', 'REQUIRED', 'is required when a location becomes a ZONE');
    zoneId = id;
    depth = 0;
  } else {
    if (parentId === null) {
      throw input.parentId === undefined
        ? badInput('input.parentId', 'REQUIRED', 'is required when a ZONE becomes another type: only a ZONE can be at the root of the location tree')
        : badInput('input.parentId', 'NOT_NULL', 'must not be null: only a ZONE can be at the root of the location tree');
    }
    if (input.state !== undefined) throw badInput('input.state', 'NOT_APPLICABLE', "is only set on a ZONE: other locations inherit their zone's state");
    if (subtree.some((l) => l.id === parentId)) throw badInput('input.parentId', 'CYCLE', 'must not be the location itself or one of its descendants');
    const parent = await lockedLocation(db, orgId, parentId, 'input.parentId');
    zoneId = parent.zone_id;
    depth = parent.depth + 1;
    state = null;
  }
  if (depth + height > MAX_DEPTH) throw badInput('input.parentId', 'TOO_DEEP', `the location tree is at most ${MAX_DEPTH} levels deep: this move would make it ${depth + height}`);
  await updateLocation(db, orgId, id, { type, parent_id: parentId, state, zone_id: zoneId, depth });
  await moveDescendants(db, orgId, below.map((l) => l.id), zoneId, depth - current.depth);
}

export const locationResolvers = {
  Query: {
    locations: async (_: unknown, a: PageArgs & { filter?: LocationConditions | null }, ctx: BoardingContext) => {
      const { limit, args } = page(a);
      const c = a.filter ?? {};
      if (c.parentId) requireGraphId('filter.parentId', c.parentId);
      const rows = await listLocations(ctx.db, ctx.identity.orgId, c, limit, args);
      return connection(rows, limit, args, locationSortKey, toLocation, () => countLocations(ctx.db, ctx.identity.orgId, c));
    },
    location: (_: unknown, a: { id: string }, ctx: BoardingContext) => loadLocation(ctx, a.id),
    currentLocations: async (_: unknown, a: PageArgs & { students?: StudentsRef | null }, ctx: BoardingContext) => {
      const { limit, args } = page(a);
      const ids = a.students ? (await resolveStudents(ctx, a.students, 'students')).map((s) => s.id) : undefined;
      const rows = await listCurrentRecords(ctx.db, ctx.identity.orgId, ids, limit, args);
      return connection(rows, limit, args, recordSortKey, toLocationRecord, () => countCurrentRecords(ctx.db, ctx.identity.orgId, ids));
    },
    locationRecords: async (_: unknown, a: PageArgs & { filter?: TimelineArgs | null }, ctx: BoardingContext) => {
      const { limit, args } = page(a);
      const c = await timelineConditions(ctx, a.filter);
      const rows = await listLocationRecords(ctx.db, ctx.identity.orgId, c, limit, args);
      return connection(rows, limit, args, recordSortKey, toLocationRecord, () => countLocationRecords(ctx.db, ctx.identity.orgId, c));
    },
  },
  Mutation: {
    createLocation: async (_: unknown, { input }: { input: CreateLocationArgs }, ctx: BoardingContext) => {
      const name = requireText('input.name', input.name, 1, 100);
      const id = crypto.randomUUID();
      if (input.type === 'ZONE') {
        if (input.parentId) throw badInput('input.parentId', 'INCOMPATIBLE', 'a ZONE is a root of the location tree and has no parent');
        if (!input.state) throw badInput('input.state', 'REQUIRED', 'is required for a ZONE');
      } else {
        if (!input.parentId) throw badInput('input.parentId', 'REQUIRED', 'is required: only a ZONE can be at the root of the location tree');
        if (input.state) throw badInput('input.state', 'NOT_APPLICABLE', "is only set on a ZONE: other locations inherit their zone's state");
        requireGraphId('input.parentId', input.parentId);
      }
      const values = {
        id,
        org_id: ctx.identity.orgId,
        type: input.type,
        state: input.type === 'ZONE' ? (input.state ?? null) : null,
        name,
        description: optional('input.description', input.description, 500) ?? null,
        address: optional('input.address', input.address, 500) ?? null,
        latitude: null,
        longitude: null,
        ...geolocation(input.geolocation),
      };
      await ctx.db.transaction().execute(async (trx) => {
        if (!input.parentId) return insertLocation(trx, { ...values, parent_id: null, zone_id: id, depth: 0 });
        // Under the tree lock: the parent's zone and depth cannot change before the insert commits.
        await lockLocationTree(trx, ctx.identity.orgId);
        const parent = await lockedLocation(trx, ctx.identity.orgId, input.parentId, 'input.parentId');
        if (parent.depth + 1 > MAX_DEPTH) throw badInput('input.parentId', 'TOO_DEEP', `the location tree is at most ${MAX_DEPTH} levels deep`);
        return insertLocation(trx, { ...values, parent_id: parent.id, zone_id: parent.zone_id, depth: parent.depth + 1 });
      });
      return loadLocation(ctx, id);
    },
    updateLocation: async (_: unknown, { id, input }: { id: string; input: UpdateLocationArgs }, ctx: BoardingContext) => {
      const current = await loadLocation(ctx, id);
      const changes = defined({
        name: requiredOnUpdate('input.name', input.name, 100),
        description: optional('input.description', input.description, 500),
        address: optional('input.address', input.address, 500),
        ...geolocation(input.geolocation),
      });
      if (input.type === null) throw badInput('input.type', 'NOT_NULL', 'must not be null');
      if (input.state === null) throw badInput('input.state', 'NOT_NULL', 'must not be null');
      if (input.parentId) requireGraphId('input.parentId', input.parentId);
      const reshapes = input.type !== undefined || input.parentId !== undefined || input.state !== undefined;
      await ctx.db.transaction().execute(async (trx) => {
        if (reshapes) await reshape(trx, ctx.identity.orgId, id, input);
        await updateLocation(trx, ctx.identity.orgId, current.id, changes);
      });
      loaders(ctx).locations.clearAll();
      return loadLocation(ctx, id);
    },
    deleteLocation: async (_: unknown, { id }: { id: string }, ctx: BoardingContext) => {
      const current = await loadLocation(ctx, id);
      const uses = await locationUses(ctx.db, ctx.identity.orgId, id);
      if (uses.children + uses.records + uses.leave > 0) throw conflict(`Location ${id} is still in use`, { rule: 'LOCATION_IN_USE', ...uses });
      await deleteLocation(ctx.db, ctx.identity.orgId, id);
      return current;
    },
    moveStudents: async (
      _: unknown,
      { input }: { input: { students: StudentsRef; locationId: string; type?: LocationRecordType | null; recordedAt?: Date | null } },
      ctx: BoardingContext,
    ) => {
      const students = await resolveStudents(ctx, input.students, 'input.students');
      const location = await requireLocation(ctx, input.locationId, 'input.locationId');
      const now = ctx.services.now();
      const recordedAt = input.recordedAt ?? now;
      if (recordedAt.getTime() > now.getTime() + FUTURE_TOLERANCE_MS) throw badInput('input.recordedAt', 'TOO_LATE', 'must not be in the future');
      const rows = await ctx.db.transaction().execute(async (trx) => {
        const inserted = await insertLocationRecords(trx, ctx.identity.orgId, students.map((s) => s.id), {
          location_id: location.id,
          type: input.type ?? 'CHECK_IN',
          recorded_at: recordedAt,
          created_by: ctx.identity.userId,
        });
        const houseOf = new Map(students.map((s) => [s.id, s.house_id]));
        await appendEvents(trx, inserted.map((r) => locationChangedEvent(r, houseOf.get(r.student_id) ?? null, location.zone_state, ctx.identity.userId)));
        return inserted;
      });
      return rows.map(toLocationRecord);
    },
  },
  Location: {
    __resolveReference: async (ref: { id: string }, ctx: BoardingContext) => {
      const row = await loaders(ctx).locations.load(ref.id);
      return row ? toLocation(row) : null;
    },
    parent: (l: LocationModel, _: unknown, ctx: BoardingContext) => (l.parentId ? loadLocation(ctx, l.parentId) : null),
    zone: (l: LocationModel, _: unknown, ctx: BoardingContext) => loadLocation(ctx, l.zoneId),
    children: async (l: LocationModel, a: PageArgs, ctx: BoardingContext) => {
      const { limit, args } = page(a);
      const org = ctx.identity.orgId;
      const rows = await pageLoader(ctx, 'children', { limit, args }, (ids) => listChildrenOf(ctx.db, org, ids, limit, args), (r) => r.parent_id ?? '').load(l.id);
      return connection(rows, limit, args, locationSortKey, toLocation, () => countLoader(ctx, 'childCounts', null, (ids) => countChildrenOf(ctx.db, org, ids)).load(l.id));
    },
  },
  LocationRecord: {
    location: (r: LocationRecordModel, _: unknown, ctx: BoardingContext) => loadLocation(ctx, r.locationId),
    student: async (r: LocationRecordModel, _: unknown, ctx: BoardingContext) => {
      const row = await loaders(ctx).students.load(r.studentId);
      if (!row) throw notFound('Student', r.studentId);
      return toStudent(row);
    },
  },
  Student: {
    currentLocation: async (s: { id: string }, _: unknown, ctx: BoardingContext) => {
      const row = await currentRecordLoader(ctx).load(s.id);
      return row ? toLocationRecord(row) : null;
    },
    locationRecords: async (s: { id: string }, a: PageArgs & { filter?: TimelineArgs | null }, ctx: BoardingContext) => {
      const { limit, args } = page(a);
      const { studentId: _student, ...c } = await timelineConditions(ctx, a.filter, s.id);
      const org = ctx.identity.orgId;
      // One statement for the pages of every student of the response with the same arguments, one for their counts.
      const rows = await pageLoader(ctx, 'studentLocationRecords', { c, limit, args }, (ids) => listLocationRecordsOfStudents(ctx.db, org, ids, c, limit, args), (r) => r.student_id).load(s.id);
      return connection(rows, limit, args, recordSortKey, toLocationRecord, () => countLoader(ctx, 'studentLocationRecordCounts', c, (ids) => countLocationRecordsOfStudents(ctx.db, org, ids, c)).load(s.id));
    },
  },
} satisfies Resolvers;
