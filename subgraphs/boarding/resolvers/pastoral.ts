import { badInput, conflict, forbidden, isUniqueViolation, notFound } from '../../shared/errors.ts';
import { appendEvents } from '../../shared/outbox.ts';
import type { PageArgs } from '../../shared/pagination.ts';
import { requireIntInRange, requireText } from '../../shared/validation.ts';
import type { BoardingContext } from '../context.ts';
import {
  categorySortKey,
  categoryUses,
  countPastoralCategories,
  countPastoralRecords,
  countPastoralRecordsOfAuthors,
  countPastoralRecordsOfStudents,
  deletePastoralCategory,
  deletePastoralRecord,
  findPastoralRecords,
  insertPastoralCategory,
  insertPastoralRecord,
  isCategoryOrDescendant,
  listPastoralCategories,
  listPastoralRecords,
  listPastoralRecordsOfAuthors,
  listPastoralRecordsOfStudents,
  PASTORAL_CATEGORY_NAME_INDEX,
  pastoralSortKey,
  updatePastoralCategory,
  updatePastoralRecord,
} from '../db/repositories/pastoral.ts';
import type { PastoralCategoryRow, PastoralRecordRow } from '../db/tables/pastoral.ts';
import { resolveStudent, type Ref } from '../domain/refs.ts';
import { pastoralCreatedEvent } from '../events.ts';
import { countLoader, loaders, pageLoader } from '../loaders.ts';
import { connection, defined, FUTURE_TOLERANCE_MS, optional, page, requiredOnUpdate, userRef } from './common.ts';
import { timelineConditions } from './locations.ts';
import { toStudent } from './students.ts';
import type { Resolvers } from '../generated/graphql.ts';

export function toPastoralCategory(row: PastoralCategoryRow) {
  return { id: row.id, name: row.name, parentId: row.parent_id, createdAt: row.created_at };
}
export type PastoralCategoryModel = ReturnType<typeof toPastoralCategory>;

export function toPastoralRecord(row: PastoralRecordRow, now: Date) {
  return {
    id: row.id,
    studentId: row.student_id,
    categoryId: row.category_id,
    occurredAt: row.occurred_at,
    description: row.description,
    action: row.action,
    note: row.note,
    attachments: row.attachments.map((name) => ({ name })),
    points: row.points,
    watchlist: row.watchlist,
    watchlistExpiresAt: row.watchlist_expires_at,
    onWatchlist: row.watchlist && (row.watchlist_expires_at === null || row.watchlist_expires_at > now),
    sensitive: row.sensitive,
    createdBy: userRef(row.created_by),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
export type PastoralRecordModel = ReturnType<typeof toPastoralRecord>;

/** A pastoral record the caller may see; a sensitive one is NOT_FOUND, word for word like a missing one, for everyone else. */
async function visibleRecord(ctx: BoardingContext, id: string): Promise<PastoralRecordRow> {
  const row = (await findPastoralRecords(ctx.db, ctx.identity.orgId, [id].filter((x) => /^[0-9a-f-]{36}$/i.test(x)), ctx.seesSensitive))[0];
  if (!row) throw notFound('PastoralRecord', id);
  return row;
}

async function requireCategory(ctx: BoardingContext, id: string, field: string): Promise<PastoralCategoryRow> {
  const row = await loaders(ctx).pastoralCategories.load(id);
  if (!row) throw badInput(field, 'UNKNOWN_REFERENCE', `PastoralCategory ${id} is not one of this organization's`);
  return row;
}

async function categoryNamed<T>(name: string | undefined, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (name && isUniqueViolation(error, PASTORAL_CATEGORY_NAME_INDEX)) throw conflict(`A pastoral category named ${name} exists`, { field: 'input.name', rule: 'NAME_TAKEN' });
    throw error;
  }
}

interface RecordFields {
  categoryId?: string | null;
  occurredAt?: Date | null;
  description?: string | null;
  action?: string | null;
  note?: string | null;
  attachments?: string[] | null;
  points?: number | null;
  watchlist?: boolean | null;
  watchlistExpiresAt?: Date | null;
  sensitive?: boolean | null;
}

async function recordValues(ctx: BoardingContext, input: RecordFields) {
  if (input.categoryId === null) throw badInput('input.categoryId', 'NOT_NULL', 'must not be null');
  if (input.occurredAt === null) throw badInput('input.occurredAt', 'NOT_NULL', 'must not be null');
  if (input.watchlist === null) throw badInput('input.watchlist', 'NOT_NULL', 'must not be null');
  if (input.sensitive === null) throw badInput('input.sensitive', 'NOT_NULL', 'must not be null');
  if (input.attachments === null) throw badInput('input.attachments', 'NOT_NULL', 'must not be null');
  if (input.occurredAt && input.occurredAt.getTime() > ctx.services.now().getTime() + FUTURE_TOLERANCE_MS) throw badInput('input.occurredAt', 'TOO_LATE', 'must not be in the future');
  if (input.sensitive !== undefined && !ctx.seesSensitive) throw forbidden('only staff with read:pastoral-sensitive may set sensitive');
  if (input.attachments && input.attachments.length > 20) throw badInput('input.attachments', 'TOO_LONG', 'must have at most 20 names');
  const attachments = input.attachments?.map((name, i) => requireText(`input.attachments.${i}`, name, 1, 255));
  if (input.categoryId) await requireCategory(ctx, input.categoryId, 'input.categoryId');
  return defined({
    category_id: input.categoryId,
    occurred_at: input.occurredAt,
    description: requiredOnUpdate('input.description', input.description, 5000),
    action: optional('input.action', input.action, 5000),
    note: optional('input.note', input.note, 5000),
    attachments,
    points: input.points === undefined || input.points === null ? input.points : requireIntInRange('input.points', input.points, -1000, 1000),
    watchlist: input.watchlist,
    watchlist_expires_at: input.watchlistExpiresAt,
    sensitive: input.sensitive,
  });
}

/** The watchlist expiry only with the flag, and after the incident. */
function checkWatchlist(row: { watchlist: boolean; watchlist_expires_at: Date | null; occurred_at: Date }) {
  if (row.watchlist_expires_at && !row.watchlist) throw badInput('input.watchlistExpiresAt', 'NOT_APPLICABLE', 'is only set with watchlist');
  if (row.watchlist_expires_at && row.watchlist_expires_at <= row.occurred_at) throw badInput('input.watchlistExpiresAt', 'BEFORE_START', 'must be after occurredAt');
}

export const pastoralResolvers = {
  Query: {
    pastoralCategories: async (_: unknown, a: PageArgs, ctx: BoardingContext) => {
      const { limit, args } = page(a);
      const rows = await listPastoralCategories(ctx.db, ctx.identity.orgId, limit, args);
      return connection(rows, limit, args, categorySortKey, toPastoralCategory, () => countPastoralCategories(ctx.db, ctx.identity.orgId));
    },
    pastoralRecords: async (_: unknown, a: PageArgs & { filter?: Parameters<typeof timelineConditions>[1] }, ctx: BoardingContext) => {
      const { limit, args } = page(a);
      const c = await timelineConditions(ctx, a.filter);
      const rows = await listPastoralRecords(ctx.db, ctx.identity.orgId, c, ctx.seesSensitive, limit, args);
      return connection(rows, limit, args, pastoralSortKey, (r) => toPastoralRecord(r, ctx.now), () => countPastoralRecords(ctx.db, ctx.identity.orgId, c, ctx.seesSensitive));
    },
    pastoralRecord: async (_: unknown, a: { id: string }, ctx: BoardingContext) => toPastoralRecord(await visibleRecord(ctx, a.id), ctx.now),
  },
  Mutation: {
    createPastoralCategory: async (_: unknown, { input }: { input: { name: string; parentId?: string | null } }, ctx: BoardingContext) => {
      const name = requireText('input.name', input.name, 1, 100);
      const parent = input.parentId ? await requireCategory(ctx, input.parentId, 'input.parentId') : null;
      return toPastoralCategory(await categoryNamed(name, () => insertPastoralCategory(ctx.db, { org_id: ctx.identity.orgId, name, parent_id: parent?.id ?? null })));
    },
    updatePastoralCategory: async (_: unknown, { id, input }: { id: string; input: { name?: string | null; parentId?: string | null } }, ctx: BoardingContext) => {
      const current = await loaders(ctx).pastoralCategories.load(id);
      if (!current) throw notFound('PastoralCategory', id);
      const name = requiredOnUpdate('input.name', input.name, 100);
      if (input.parentId) {
        await requireCategory(ctx, input.parentId, 'input.parentId');
        if (await isCategoryOrDescendant(ctx.db, ctx.identity.orgId, id, input.parentId)) throw badInput('input.parentId', 'CYCLE', 'must not be the category itself or one of its descendants');
      }
      return toPastoralCategory(await categoryNamed(name, () => updatePastoralCategory(ctx.db, ctx.identity.orgId, id, defined({ name, parent_id: input.parentId }))));
    },
    deletePastoralCategory: async (_: unknown, { id }: { id: string }, ctx: BoardingContext) => {
      const current = await loaders(ctx).pastoralCategories.load(id);
      if (!current) throw notFound('PastoralCategory', id);
      const uses = await categoryUses(ctx.db, ctx.identity.orgId, id);
      if (uses.children + uses.records > 0) throw conflict(`PastoralCategory ${id} is still in use`, { rule: 'CATEGORY_IN_USE', ...uses });
      await deletePastoralCategory(ctx.db, ctx.identity.orgId, id);
      return toPastoralCategory(current);
    },
    createPastoralRecord: async (_: unknown, { input }: { input: RecordFields & { student: Ref; categoryId: string; description: string } }, ctx: BoardingContext) => {
      const student = await resolveStudent(ctx, input.student, 'input.student', 'reference');
      const values = await recordValues(ctx, input);
      const row = {
        org_id: ctx.identity.orgId,
        student_id: student.id,
        category_id: input.categoryId,
        occurred_at: values.occurred_at ?? ctx.services.now(),
        description: values.description ?? '',
        action: values.action ?? null,
        note: values.note ?? null,
        attachments: values.attachments ?? [],
        points: values.points ?? null,
        watchlist: values.watchlist ?? false,
        watchlist_expires_at: values.watchlist_expires_at ?? null,
        sensitive: values.sensitive ?? false,
        created_by: ctx.identity.userId,
      };
      checkWatchlist(row);
      const created = await ctx.db.transaction().execute(async (trx) => {
        const inserted = await insertPastoralRecord(trx, row);
        await appendEvents(trx, [pastoralCreatedEvent(inserted, ctx.identity.userId)]);
        return inserted;
      });
      return toPastoralRecord(created, ctx.now);
    },
    updatePastoralRecord: async (_: unknown, { id, input }: { id: string; input: RecordFields }, ctx: BoardingContext) => {
      const current = await visibleRecord(ctx, id);
      const values = await recordValues(ctx, input);
      checkWatchlist({ ...current, ...values });
      return toPastoralRecord(await updatePastoralRecord(ctx.db, ctx.identity.orgId, id, values), ctx.now);
    },
    deletePastoralRecord: async (_: unknown, { id }: { id: string }, ctx: BoardingContext) => {
      const current = await visibleRecord(ctx, id);
      await deletePastoralRecord(ctx.db, ctx.identity.orgId, id);
      return toPastoralRecord(current, ctx.now);
    },
  },
  PastoralCategory: {
    parent: async (c: PastoralCategoryModel, _: unknown, ctx: BoardingContext) => {
      if (!c.parentId) return null;
      const row = await loaders(ctx).pastoralCategories.load(c.parentId);
      return row ? toPastoralCategory(row) : null;
    },
  },
  PastoralRecord: {
    category: async (r: PastoralRecordModel, _: unknown, ctx: BoardingContext) => {
      const row = await loaders(ctx).pastoralCategories.load(r.categoryId);
      if (!row) throw notFound('PastoralCategory', r.categoryId);
      return toPastoralCategory(row);
    },
    student: async (r: PastoralRecordModel, _: unknown, ctx: BoardingContext) => {
      const row = await loaders(ctx).students.load(r.studentId);
      if (!row) throw notFound('Student', r.studentId);
      return toStudent(row);
    },
  },
  Student: {
    pastoralRecords: async (s: { id: string }, a: PageArgs & { filter?: Parameters<typeof timelineConditions>[1] }, ctx: BoardingContext) => {
      const { limit, args } = page(a);
      const { studentId: _student, ...c } = await timelineConditions(ctx, a.filter, s.id);
      const org = ctx.identity.orgId;
      const rows = await pageLoader(ctx, 'studentPastoralRecords', { c, limit, args }, (ids) => listPastoralRecordsOfStudents(ctx.db, org, ids, c, ctx.seesSensitive, limit, args), (r) => r.student_id).load(s.id);
      return connection(rows, limit, args, pastoralSortKey, (r) => toPastoralRecord(r, ctx.now), () =>
        countLoader(ctx, 'studentPastoralRecordCounts', c, (ids) => countPastoralRecordsOfStudents(ctx.db, org, ids, c, ctx.seesSensitive)).load(s.id),
      );
    },
  },
  User: {
    pastoralRecordsCreated: async (u: { id: string }, a: PageArgs, ctx: BoardingContext) => {
      const { limit, args } = page(a);
      const org = ctx.identity.orgId;
      const rows = await pageLoader(ctx, 'pastoralRecordsCreated', { limit, args }, (ids) => listPastoralRecordsOfAuthors(ctx.db, org, ids, ctx.seesSensitive, limit, args), (r) => r.created_by ?? '').load(u.id);
      return connection(rows, limit, args, pastoralSortKey, (r) => toPastoralRecord(r, ctx.now), () =>
        countLoader(ctx, 'pastoralRecordsCreatedCounts', null, (ids) => countPastoralRecordsOfAuthors(ctx.db, org, ids, ctx.seesSensitive)).load(u.id),
      );
    },
  },
} satisfies Resolvers;
