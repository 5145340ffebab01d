import { badInput, conflict, isUniqueViolation, notFound } from '../../shared/errors.ts';
import { appendEvents } from '../../shared/outbox.ts';
import type { PageArgs } from '../../shared/pagination.ts';
import { requireText } from '../../shared/validation.ts';
import type { BoardingContext } from '../context.ts';
import {
  assignmentSortKey,
  countAssignmentsOfRolls,
  countRolls,
  countRollsOfCreators,
  countRollTypes,
  findAssignedStudentIds,
  findLatestAssignments,
  insertAssignments,
  insertRoll,
  insertRollType,
  listAssignmentsOfRolls,
  listRolls,
  listRollsOfCreators,
  listRollTypes,
  lockRoll,
  markAssignment,
  ROLL_TYPE_NAME_INDEX,
  rollSortKey,
  rollTypeSortKey,
  updateRoll,
  updateRollType,
  type AssignmentWithName,
} from '../db/repositories/rolls.ts';
import type { PassState, RollAssignmentRow, RollCode, RollCodeType, RollKind, RollRow, RollStatus, RollTypeRow } from '../db/tables/rolls.ts';
import { resolveHouse, resolveStudent, requireGraphId, type Ref } from '../domain/refs.ts';
import { automaticRollCodes, byPassState, MAX_ROLL_STUDENTS, studentsFor, takeAutomaticRoll } from '../domain/automatic-roll.ts';
import { whereaboutsAt } from '../domain/whereabouts.ts';
import { rollEvent } from '../events.ts';
import { countLoader, loaders, oneBy, pageLoader } from '../loaders.ts';
import { connection, FUTURE_TOLERANCE_MS, optional, page, userRef } from './common.ts';
import { toHouse, toStudent } from './students.ts';
import type { MutationCreateRollTypeArgs, MutationUpdateRollTypeArgs, Resolvers } from '../generated/graphql.ts';

/** Codes of a roll type created without its own. */
export const DEFAULT_ROLL_CODES: readonly RollCode[] = [
  { name: 'Present', type: 'PRESENT' },
  { name: 'Late', type: 'PRESENT' },
  { name: 'Absent', type: 'ABSENT' },
];
export function toRollType(row: RollTypeRow) {
  return { id: row.id, name: row.name, codes: row.codes, createdAt: row.created_at };
}

export function toRoll(row: RollRow) {
  return {
    id: row.id,
    referenceLabel: row.reference_label,
    type: row.kind,
    mode: row.mode,
    status: row.status,
    rollTypeId: row.roll_type_id,
    rollTypeName: row.roll_type_name,
    studentFilters: { houseId: row.house_filter_id, group: row.group_filter, passState: row.pass_state_filter },
    startsAt: row.starts_at,
    lateAt: row.late_at,
    endsAt: row.ends_at,
    completedAt: row.completed_at,
    createdBy: userRef(row.created_by),
    codes: row.codes,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
export type RollModel = ReturnType<typeof toRoll>;
export type RollStudentFiltersModel = RollModel['studentFilters'];

function toAssignment(row: RollAssignmentRow) {
  return {
    rollId: row.roll_id,
    studentId: row.student_id,
    code: row.code_name && row.code_type ? { name: row.code_name, type: row.code_type } : null,
    markedAt: row.marked_at,
    note: row.note,
  };
}
export type AssignmentModel = ReturnType<typeof toAssignment>;

const CODE_TYPES: readonly RollCodeType[] = ['PRESENT', 'EXPLAINED_ABSENCE', 'ABSENT'];

function rollCodes(codes: readonly { name: string; type: RollCodeType | 'UNMARKED' }[]): RollCode[] {
  if (codes.length < 1 || codes.length > 20) throw badInput('input.codes', 'OUT_OF_RANGE', 'must have 1 to 20 codes');
  const seen = new Set<string>();
  return codes.map((c, i) => {
    const name = requireText(`input.codes.${i}.name`, c.name, 1, 50);
    if (seen.has(name.toLowerCase())) throw badInput(`input.codes.${i}.name`, 'DUPLICATE', 'must be unique within the roll type');
    seen.add(name.toLowerCase());
    if (!CODE_TYPES.includes(c.type as RollCodeType)) throw badInput(`input.codes.${i}.type`, 'INVALID_VALUE', 'must be PRESENT, EXPLAINED_ABSENCE or ABSENT: UNMARKED is what a student is before marking');
    return { name, type: c.type as RollCodeType };
  });
}

async function rollTypeNamed<T>(name: string | undefined, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (name && isUniqueViolation(error, ROLL_TYPE_NAME_INDEX)) throw conflict(`A roll type named ${name} exists`, { field: 'input.name', rule: 'NAME_TAKEN' });
    throw error;
  }
}

async function loadRoll(ctx: BoardingContext, id: string): Promise<RollRow> {
  const row = await loaders(ctx).rolls.load(id);
  if (!row) throw notFound('Roll', id);
  return row;
}

interface StartRollArgs {
  rollTypeId: string;
  type?: RollKind | null;
  referenceLabel?: string | null;
  studentFilters?: { house?: Ref | null; group?: string | null; passState?: PassState | null } | null;
  startsAt?: Date | null;
  lateAt?: Date | null;
  endsAt?: Date | null;
}

/** Longest wait before an automatic roll's start, ms. */
const MAX_SCHEDULE_AHEAD_MS = 366 * 86_400_000;

/**
 * The validated start of a roll: its type, times and the row's fields. An automatic roll may
 * start in the future (at most 366 days ahead); a manual one at most a clock skew ahead.
 */
async function prepareRoll(ctx: BoardingContext, input: StartRollArgs, automatic: boolean) {
  const rollType = await loaders(ctx).rollTypes.load(requireGraphId('input.rollTypeId', input.rollTypeId));
  if (!rollType) throw badInput('input.rollTypeId', 'UNKNOWN_REFERENCE', `RollType ${input.rollTypeId} is not one of this organization's`);
  const now = ctx.services.now();
  const startsAt = input.startsAt ?? now;
  if (!automatic && startsAt.getTime() > now.getTime() + FUTURE_TOLERANCE_MS) throw badInput('input.startsAt', 'TOO_LATE', 'must not be in the future: schedule an automatic roll instead');
  if (automatic && startsAt.getTime() > now.getTime() + MAX_SCHEDULE_AHEAD_MS) throw badInput('input.startsAt', 'TOO_LATE', 'must be at most 366 days ahead');
  if (input.lateAt && input.lateAt < startsAt) throw badInput('input.lateAt', 'BEFORE_START', 'must not be before startsAt');
  if (input.endsAt && input.endsAt < (input.lateAt ?? startsAt)) throw badInput('input.endsAt', 'BEFORE_START', 'must not be before lateAt or startsAt');
  const filters = input.studentFilters ?? {};
  const house = filters.house ? await resolveHouse(ctx, filters.house, 'input.studentFilters.house', 'reference') : null;
  const group = filters.group?.trim() ? requireText('input.studentFilters.group', filters.group, 1, 20) : null;
  const passState = filters.passState ?? 'ALL';
  // However many students the filters match now, a roll holds at most MAX_ROLL_STUDENTS.
  const candidates = await studentsFor(ctx.db, ctx.identity.orgId, house?.id ?? null, group);
  if (candidates.length > MAX_ROLL_STUDENTS) throw badInput('input.studentFilters', 'TOO_LONG', `a roll holds at most ${MAX_ROLL_STUDENTS} students`);
  const base = {
    org_id: ctx.identity.orgId,
    roll_type_id: rollType.id,
    roll_type_name: rollType.name,
    kind: input.type ?? 'DAILY',
    reference_label: optional('input.referenceLabel', input.referenceLabel, 100) ?? null,
    house_filter_id: house?.id ?? null,
    group_filter: group,
    pass_state_filter: passState,
    starts_at: startsAt,
    late_at: input.lateAt ?? null,
    ends_at: input.endsAt ?? null,
  } as const;
  return { rollType, candidates, base, now };
}

/** The per-request loader of each student's latest roll assignment. */
function latestMarkLoader(ctx: BoardingContext) {
  return ctx.loaders.get('latestMarks', () => oneBy((ids) => findLatestAssignments(ctx.db, ctx.identity.orgId, ids), (r: RollAssignmentRow) => r.student_id));
}

export const rollResolvers = {
  Query: {
    rollTypes: async (_: unknown, a: PageArgs, ctx: BoardingContext) => {
      const { limit, args } = page(a);
      const rows = await listRollTypes(ctx.db, ctx.identity.orgId, limit, args);
      return connection(rows, limit, args, rollTypeSortKey, toRollType, () => countRollTypes(ctx.db, ctx.identity.orgId));
    },
    rolls: async (_: unknown, a: PageArgs & { filter?: { status?: RollStatus | null; from?: Date | null; to?: Date | null } | null }, ctx: BoardingContext) => {
      const { limit, args } = page(a);
      const c = a.filter ?? {};
      if (c.from && c.to && c.to <= c.from) throw badInput('filter.to', 'BEFORE_START', 'must be after filter.from');
      const rows = await listRolls(ctx.db, ctx.identity.orgId, c, limit, args);
      return connection(rows, limit, args, rollSortKey, toRoll, () => countRolls(ctx.db, ctx.identity.orgId, c));
    },
    roll: async (_: unknown, a: { id: string }, ctx: BoardingContext) => toRoll(await loadRoll(ctx, a.id)),
  },
  Mutation: {
    createRollType: async (_: unknown, { input }: MutationCreateRollTypeArgs, ctx: BoardingContext) => {
      const name = requireText('input.name', input.name, 1, 100);
      const codes = input.codes ? rollCodes(input.codes) : [...DEFAULT_ROLL_CODES];
      return toRollType(await rollTypeNamed(name, () => insertRollType(ctx.db, { org_id: ctx.identity.orgId, name, codes: JSON.stringify(codes) })));
    },
    updateRollType: async (_: unknown, { id, input }: MutationUpdateRollTypeArgs, ctx: BoardingContext) => {
      const current = await loaders(ctx).rollTypes.load(id);
      if (!current) throw notFound('RollType', id);
      if (input.name === null) throw badInput('input.name', 'NOT_NULL', 'must not be null');
      if (input.codes === null) throw badInput('input.codes', 'NOT_NULL', 'must not be null');
      const name = input.name === undefined ? undefined : requireText('input.name', input.name, 1, 100);
      const codes = input.codes ? JSON.stringify(rollCodes(input.codes)) : undefined;
      return toRollType(await rollTypeNamed(name, () => updateRollType(ctx.db, ctx.identity.orgId, id, { ...(name ? { name } : {}), ...(codes ? { codes } : {}) })));
    },
    startRoll: async (_: unknown, { input }: { input: StartRollArgs }, ctx: BoardingContext) => {
      const { rollType, candidates, base } = await prepareRoll(ctx, input, false);
      const where = await whereaboutsAt(ctx.db, ctx.identity.orgId, candidates.map((s) => s.id), base.starts_at);
      const students = byPassState(candidates, where, base.pass_state_filter);
      const roll = await ctx.db.transaction().execute(async (trx) => {
        const row = await insertRoll(trx, { ...base, mode: 'MANUAL', status: 'ACTIVE', codes: JSON.stringify(rollType.codes), created_by: ctx.identity.userId, completed_at: null });
        await insertAssignments(trx, students.map((s) => ({ org_id: row.org_id, roll_id: row.id, student_id: s.id, code_name: null, code_type: null, marked_at: null, marked_by: null, note: null })));
        await appendEvents(trx, [rollEvent(row, 'started', ctx.identity.userId, { students: students.length })]);
        return row;
      });
      return toRoll(roll);
    },
    takeAutomaticRoll: async (_: unknown, { input }: { input: StartRollArgs }, ctx: BoardingContext) => {
      const { rollType, base, now } = await prepareRoll(ctx, input, true);
      const codes = automaticRollCodes(rollType.codes);
      const roll = await ctx.db.transaction().execute(async (trx) => {
        const row = await insertRoll(trx, { ...base, mode: 'AUTOMATIC', status: 'SCHEDULED', codes: JSON.stringify(codes), created_by: null, completed_at: null });
        // Started already: marked now from the whereabouts at its start. Otherwise the
        // boarding process takes it when its start passes (domain/automatic-roll.ts).
        if (row.starts_at <= now) return takeAutomaticRoll(trx, row, now);
        await appendEvents(trx, [rollEvent(row, 'scheduled', ctx.identity.userId)]);
        return row;
      });
      return toRoll(roll);
    },
    markRoll: async (_: unknown, { input }: { input: { rollId: string; marks: { student: Ref; code: string; note?: string | null }[] } }, ctx: BoardingContext) => {
      if (input.marks.length < 1 || input.marks.length > 500) throw badInput('input.marks', 'OUT_OF_RANGE', 'must have 1 to 500 marks');
      const current = await loadRoll(ctx, input.rollId);
      const marks: { index: number; studentId: string; code: RollCode; note: string | null }[] = [];
      for (const [i, mark] of input.marks.entries()) {
        const student = await resolveStudent(ctx, mark.student, `input.marks.${i}.student`, 'reference');
        const code = current.codes.find((c) => c.name.toLowerCase() === mark.code.trim().toLowerCase());
        if (!code) throw badInput(`input.marks.${i}.code`, 'INVALID_VALUE', `must be one of the roll's codes: ${current.codes.map((c) => c.name).join(', ')}`);
        marks.push({ index: i, studentId: student.id, code, note: optional(`input.marks.${i}.note`, mark.note, 500) ?? null });
      }
      const now = ctx.services.now();
      const updated = await ctx.db.transaction().execute(async (trx) => {
        // The row lock orders marks and completion: no mark lands after a completion commits.
        const roll = await lockRoll(trx, ctx.identity.orgId, current.id);
        if (!roll) throw notFound('Roll', current.id);
        if (roll.status === 'COMPLETE') throw conflict(`Roll ${roll.id} is complete: its marks are final`, { rule: 'ROLL_COMPLETE' });
        if (roll.status === 'SCHEDULED') throw conflict(`Roll ${roll.id} is an automatic roll that has not started: it is marked at its start`, { rule: 'ROLL_SCHEDULED' });
        const assigned = await findAssignedStudentIds(trx, ctx.identity.orgId, roll.id, marks.map((m) => m.studentId));
        for (const m of marks) {
          if (!assigned.has(m.studentId)) throw badInput(`input.marks.${m.index}.student`, 'UNKNOWN_REFERENCE', 'is not in this roll');
          await markAssignment(trx, ctx.identity.orgId, roll.id, m.studentId, { code_name: m.code.name, code_type: m.code.type, marked_at: now, marked_by: ctx.identity.userId, note: m.note });
        }
        const row = await updateRoll(trx, ctx.identity.orgId, roll.id, {});
        await appendEvents(trx, [rollEvent(row, 'marked', ctx.identity.userId, { studentIds: marks.map((m) => m.studentId) })]);
        return row;
      });
      return toRoll(updated);
    },
    completeRoll: async (_: unknown, { id }: { id: string }, ctx: BoardingContext) => {
      const current = await loadRoll(ctx, id);
      const now = ctx.services.now();
      const updated = await ctx.db.transaction().execute(async (trx) => {
        const roll = await lockRoll(trx, ctx.identity.orgId, current.id);
        if (!roll) throw notFound('Roll', current.id);
        if (roll.status === 'COMPLETE') throw conflict(`Roll ${roll.id} is already complete`, { rule: 'ROLL_COMPLETE' });
        if (roll.status === 'SCHEDULED') throw conflict(`Roll ${roll.id} is an automatic roll that has not started: it completes at its start`, { rule: 'ROLL_SCHEDULED' });
        const row = await updateRoll(trx, ctx.identity.orgId, roll.id, { status: 'COMPLETE', completed_at: now });
        await appendEvents(trx, [rollEvent(row, 'completed', ctx.identity.userId)]);
        return row;
      });
      return toRoll(updated);
    },
  },
  Roll: {
    rollType: async (r: RollModel, _: unknown, ctx: BoardingContext) => {
      const row = await loaders(ctx).rollTypes.load(r.rollTypeId);
      if (!row) throw notFound('RollType', r.rollTypeId);
      return toRollType(row);
    },
    assignments: async (r: RollModel, a: PageArgs, ctx: BoardingContext) => {
      const { limit, args } = page(a);
      const org = ctx.identity.orgId;
      const rows = await pageLoader(ctx, 'assignments', { limit, args }, (ids) => listAssignmentsOfRolls(ctx.db, org, ids, limit, args), (x: AssignmentWithName) => x.roll_id).load(r.id);
      return connection(rows, limit, args, assignmentSortKey, toAssignment, () => countLoader(ctx, 'assignmentCounts', null, (ids) => countAssignmentsOfRolls(ctx.db, org, ids)).load(r.id));
    },
  },
  RollStudentFilters: {
    house: async (f: RollStudentFiltersModel, _: unknown, ctx: BoardingContext) => {
      if (!f.houseId) return null;
      const row = await loaders(ctx).houses.load(f.houseId);
      return row ? toHouse(row) : null;
    },
  },
  RollAssignment: {
    roll: async (a: AssignmentModel, _: unknown, ctx: BoardingContext) => toRoll(await loadRoll(ctx, a.rollId)),
    student: async (a: AssignmentModel, _: unknown, ctx: BoardingContext) => {
      const row = await loaders(ctx).students.load(a.studentId);
      if (!row) throw notFound('Student', a.studentId);
      return toStudent(row);
    },
  },
  Student: {
    latestRollMark: async (s: { id: string }, _: unknown, ctx: BoardingContext) => {
      const row = await latestMarkLoader(ctx).load(s.id);
      return row ? toAssignment(row) : null;
    },
  },
  User: {
    rollsStarted: async (u: { id: string }, a: PageArgs, ctx: BoardingContext) => {
      const { limit, args } = page(a);
      const org = ctx.identity.orgId;
      const rows = await pageLoader(ctx, 'rollsStarted', { limit, args }, (ids) => listRollsOfCreators(ctx.db, org, ids, limit, args), (r) => r.created_by ?? '').load(u.id);
      return connection(rows, limit, args, rollSortKey, toRoll, () => countLoader(ctx, 'rollsStartedCounts', null, (ids) => countRollsOfCreators(ctx.db, org, ids)).load(u.id));
    },
  },
} satisfies Resolvers;
