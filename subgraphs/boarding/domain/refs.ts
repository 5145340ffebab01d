import { badInput, notFound } from '../../shared/errors.ts';
import { isId, requireText } from '../../shared/validation.ts';
import type { BoardingContext } from '../context.ts';
import { findHousesBySisId } from '../db/repositories/houses.ts';
import { findContactBySisId, findStudentsBySisId } from '../db/repositories/students.ts';
import type { HouseRow } from '../db/tables/houses.ts';
import type { ContactRow, StudentRow } from '../db/tables/students.ts';
import { loaders } from '../loaders.ts';

/** `{ id }` or `{ sisId }`, as every boarding lookup accepts. */
export interface Ref {
  readonly id?: string | null | undefined;
  readonly sisId?: string | null | undefined;
}

/** How a missing record is reported: the target of the operation (NOT_FOUND) or a reference inside an input (BAD_USER_INPUT). */
export type RefRole = 'target' | 'reference';

/** Most students one operation may name. */
export const MAX_STUDENTS_PER_OPERATION = 500;

/** A SIS id: 1 to 100 characters after trimming. */
export function sisIdOf(field: string, value: string): string {
  return requireText(field, value, 1, 100);
}

/** Checks that exactly one of `id` and `sisId` is given; BAD_USER_INPUT on `field` otherwise. */
function exactlyOne(ref: Ref, field: string): { id: string } | { sisId: string } {
  const id = ref.id ?? null;
  const sisId = ref.sisId ?? null;
  if ((id === null) === (sisId === null)) throw badInput(field, 'EXACTLY_ONE_OF', 'give exactly one of id and sisId');
  return id !== null ? { id } : { sisId: sisIdOf(`${field}.sisId`, sisId ?? '') };
}

function missing(typename: string, key: { id: string } | { sisId: string }, field: string, role: RefRole) {
  const label = 'id' in key ? key.id : `with sisId ${key.sisId}`;
  if (role === 'target') return notFound(typename, label);
  return badInput('id' in key ? `${field}.id` : `${field}.sisId`, 'UNKNOWN_REFERENCE', `${typename} ${label} is not one of this organization's`);
}

/** The house `ref` names, in the caller's organization. */
export async function resolveHouse(ctx: BoardingContext, ref: Ref, field: string, role: RefRole): Promise<HouseRow> {
  const key = exactlyOne(ref, field);
  const row = 'id' in key ? await loaders(ctx).houses.load(key.id) : (await findHousesBySisId(ctx.db, ctx.identity.orgId, [key.sisId]))[0];
  if (!row) throw missing('House', key, field, role);
  return row;
}

/** The student `ref` names, in the caller's organization. */
export async function resolveStudent(ctx: BoardingContext, ref: Ref, field: string, role: RefRole): Promise<StudentRow> {
  const key = exactlyOne(ref, field);
  const row = 'id' in key ? await loaders(ctx).students.load(key.id) : (await findStudentsBySisId(ctx.db, ctx.identity.orgId, [key.sisId]))[0];
  if (!row) throw missing('Student', key, field, role);
  return row;
}

/** `{ ids }` or `{ sisIds }`. */
export interface StudentsRef {
  readonly ids?: readonly string[] | null | undefined;
  readonly sisIds?: readonly string[] | null | undefined;
}

/**
 * The students `ref` names (1 to 500, duplicates removed), all in the caller's organization:
 * one unknown id (or another organization's) is BAD_USER_INPUT on `field.ids` naming it.
 */
export async function resolveStudents(ctx: BoardingContext, ref: StudentsRef, field: string): Promise<StudentRow[]> {
  const ids = ref.ids ?? null;
  const sisIds = ref.sisIds ?? null;
  if ((ids === null) === (sisIds === null)) throw badInput(field, 'EXACTLY_ONE_OF', 'give exactly one of ids and sisIds');
  const hasIds = ids !== null;
  const list = [...new Set(ids ?? (sisIds ?? []).map((s, i) => sisIdOf(`${field}.sisIds.${i}`, s)))];
  const listField = hasIds ? `${field}.ids` : `${field}.sisIds`;
  if (list.length === 0) throw badInput(listField, 'TOO_SHORT', 'must name at least one student');
  if (list.length > MAX_STUDENTS_PER_OPERATION) throw badInput(listField, 'TOO_LONG', `must name at most ${MAX_STUDENTS_PER_OPERATION} students`);
  if (hasIds) {
    const rows = await loaders(ctx).students.loadMany(list);
    const found: StudentRow[] = [];
    rows.forEach((row, i) => {
      if (row === null || row instanceof Error) throw badInput(listField, 'UNKNOWN_REFERENCE', `Student ${list[i]} is not one of this organization's`);
      found.push(row);
    });
    return found;
  }
  const rows = await findStudentsBySisId(ctx.db, ctx.identity.orgId, list);
  const bySis = new Map(rows.map((r) => [r.sis_id, r]));
  return list.map((sis) => {
    const row = bySis.get(sis);
    if (!row) throw badInput(listField, 'UNKNOWN_REFERENCE', `Student with sisId ${sis} is not one of this organization's`);
    return row;
  });
}

/** `{ id }`, or `{ sisId, student }`. */
export interface ContactRef {
  readonly id?: string | null | undefined;
  readonly sisId?: string | null | undefined;
  readonly student?: Ref | null | undefined;
}

/** The contact `ref` names: by id, or by SIS id within its student (a contact's SIS id is unique only there). */
export async function resolveContact(ctx: BoardingContext, ref: ContactRef, field: string): Promise<ContactRow> {
  const id = ref.id ?? null;
  const rawSis = ref.sisId ?? null;
  if ((id === null) === (rawSis === null)) throw badInput(field, 'EXACTLY_ONE_OF', 'give exactly one of id and sisId');
  if (id !== null) {
    if (ref.student) throw badInput(`${field}.student`, 'NOT_APPLICABLE', 'is only given with sisId');
    const row = await loaders(ctx).contacts.load(id);
    if (!row) throw notFound('Contact', id);
    return row;
  }
  if (!ref.student) throw badInput(`${field}.student`, 'REQUIRED', 'is required with sisId: a contact SIS id is unique only within its student');
  const sisId = sisIdOf(`${field}.sisId`, rawSis ?? '');
  const student = await resolveStudent(ctx, ref.student, `${field}.student`, 'target');
  const row = await findContactBySisId(ctx.db, ctx.identity.orgId, student.id, sisId);
  if (!row) throw notFound('Contact', `with sisId ${sisId}`);
  return row;
}

/** For an `ID` that must be a uuid of this graph before it reaches SQL; BAD_USER_INPUT naming `field` otherwise. */
export function requireGraphId(field: string, id: string): string {
  if (!isId(id)) throw badInput(field, 'INVALID_ID', 'is not an id of this graph');
  return id;
}
