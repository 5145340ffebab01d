import { activityStatus, type ActivityStatus } from '../../shared/activity-status.ts';
import type { Insertable } from 'kysely';
import { badInput, conflict, isUniqueViolation, notFound } from '../../shared/errors.ts';
import type { PageArgs } from '../../shared/pagination.ts';
import { isIsoDate } from '../../shared/scalars.ts';
import type { BoardingContext } from '../context.ts';
import { findDirectoryOrganization } from '../db/repositories/directory.ts';
import { countHouses, countHouseStudents, countScheduledRollsOfHouse, deleteHouse, lockHouse, HOUSE_SIS_INDEX, houseSortKey, insertHouse, listHouses, updateHouse, findHousesBySisId } from '../db/repositories/houses.ts';
import {
  CONTACT_SIS_INDEX,
  contactSortKey,
  countContactsOfStudents,
  countStudents,
  countStudentsOfHouses,
  deleteContact,
  deleteStudent,
  findContactBySisId,
  findStudentsBySisId,
  insertContact,
  insertStudent,
  listContactsOfStudents,
  listStudents,
  listStudentsOfHouses,
  lockStudent,
  setPinAttempts,
  STUDENT_SIS_INDEX,
  studentSortKey,
  updateContact,
  updateStudent,
  type StudentConditions,
} from '../db/repositories/students.ts';
import type { HouseRow } from '../db/tables/houses.ts';
import type { ContactRow, ContactsTable, Gender, StudentRow, StudentsTable, StudentType } from '../db/tables/students.ts';
import { hashPin, MAX_PIN_ATTEMPTS, PIN_LOCK_MS, pinMatches, requirePin } from '../domain/pin.ts';
import { resolveContact, resolveHouse, resolveStudent, sisIdOf, type ContactRef, type Ref } from '../domain/refs.ts';
import { countLoader, loaders, pageLoader } from '../loaders.ts';
import { connection, defined, optional, optionalEmail, page, requiredOnUpdate, todayIn } from './common.ts';
import { requireText } from '../../shared/validation.ts';
import type { Resolvers } from '../generated/graphql.ts';

export function toHouse(row: HouseRow) {
  return { id: row.id, sisId: row.sis_id, name: row.name, createdAt: row.created_at, updatedAt: row.updated_at };
}
export type HouseModel = ReturnType<typeof toHouse>;

/** The GraphQL `Student` of a row; the PIN hash never leaves (only `hasPin`). */
export function toStudent(row: StudentRow) {
  return {
    id: row.id,
    sisId: row.sis_id,
    firstName: row.first_name,
    lastName: row.last_name,
    preferredName: row.preferred_name,
    name: `${row.preferred_name ?? row.first_name} ${row.last_name}`,
    birthDate: row.birth_date,
    gender: row.gender,
    email: row.email,
    homePhone: row.home_phone,
    mobilePhone: row.mobile_phone,
    dietInfo: row.diet_info,
    medicalInfo: row.medical_info,
    referenceId: row.reference_id,
    international: row.international,
    studentType: row.student_type,
    yearLevel: row.year_level,
    roomNumber: row.room_number,
    bedNumber: row.bed_number,
    hasPin: row.pin_hash !== null,
    photoUrl: row.photo_url,
    photoThumbnailUrl: row.photo_thumbnail_url,
    deactivated: row.deactivated_date !== null,
    deactivatedDate: row.deactivated_date,
    houseId: row.house_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
export type StudentModel = ReturnType<typeof toStudent>;

export function toContact(row: ContactRow) {
  return {
    id: row.id,
    sisId: row.sis_id,
    studentId: row.student_id,
    firstName: row.first_name,
    lastName: row.last_name,
    title: row.title,
    relationship: row.relationship,
    email: row.email,
    mobilePhone: row.mobile_phone,
    homePhone: row.home_phone,
    address: row.address,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
export type ContactModel = ReturnType<typeof toContact>;

/** A student the caller names, as a model (NOT_FOUND otherwise). */
export async function loadStudentModel(ctx: BoardingContext, id: string): Promise<StudentModel | null> {
  const row = await loaders(ctx).students.load(id);
  return row ? toStudent(row) : null;
}

interface StudentFilterArgs {
  house?: Ref | null;
  yearLevel?: string | null;
  studentType?: StudentType | null;
  status?: ActivityStatus | null;
  search?: string | null;
}

async function studentConditions(ctx: BoardingContext, filter: StudentFilterArgs | null | undefined): Promise<StudentConditions | null> {
  const f = filter ?? {};
  let houseId: string | undefined;
  if (f.house) {
    try {
      houseId = (await resolveHouse(ctx, f.house, 'filter.house', 'reference')).id;
    } catch (error) {
      // An unknown house has no students: an empty list, as for any other filter.
      if ((error as { extensions?: { field?: string } }).extensions?.field === 'filter.house') throw error;
      return null;
    }
  }
  return {
    houseId,
    yearLevel: optional('filter.yearLevel', f.yearLevel, 20) ?? undefined,
    studentType: f.studentType ?? undefined,
    deactivated: { ACTIVE: false, DEACTIVATED: true, ALL: null }[activityStatus(f.status)],
    search: f.search?.trim() ? requireText('filter.search', f.search, 1, 100) : undefined,
  };
}

function studentConnection(ctx: BoardingContext, rows: StudentRow[], limit: number, args: PageArgs, count: () => Promise<number>) {
  // A page of students primes the by-id loader: a nested `student` of their records, leave
  // or marks in the same request is then no statement at all (and no second batch).
  const byId = loaders(ctx).students;
  for (const row of rows) byId.prime(row.id, row);
  return connection(rows, limit, args, studentSortKey, toStudent, count);
}

const empty = { nodes: [], edges: [], pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null }, totalCount: async () => 0 };

const GENDERS: readonly Gender[] = ['MALE', 'FEMALE', 'OTHER', 'UNKNOWN'];

interface StudentFields {
  firstName?: string | null;
  lastName?: string | null;
  preferredName?: string | null;
  birthDate?: string | null;
  gender?: Gender | null;
  email?: string | null;
  homePhone?: string | null;
  mobilePhone?: string | null;
  dietInfo?: string | null;
  medicalInfo?: string | null;
  referenceId?: string | null;
  international?: boolean | null;
  studentType?: StudentType | null;
  yearLevel?: string | null;
  roomNumber?: string | null;
  bedNumber?: string | null;
  pin?: string | null;
  deactivated?: boolean | null;
  sisId?: string | null;
  house?: Ref | null;
}

/** Validated column values of a student input (create or update); undefined: not given. */
async function studentValues(ctx: BoardingContext, input: StudentFields, today: string) {
  if (input.birthDate !== undefined && input.birthDate !== null && (!isIsoDate(input.birthDate) || input.birthDate > today)) {
    throw badInput('input.birthDate', 'TOO_LATE', 'must be a date not after today');
  }
  if (input.gender === null) throw badInput('input.gender', 'NOT_NULL', 'must not be null');
  if (input.gender !== undefined && !GENDERS.includes(input.gender)) throw badInput('input.gender', 'INVALID_VALUE', 'is not a gender');
  if (input.international === null) throw badInput('input.international', 'NOT_NULL', 'must not be null');
  if (input.studentType === null) throw badInput('input.studentType', 'NOT_NULL', 'must not be null');
  if (input.deactivated === null) throw badInput('input.deactivated', 'NOT_NULL', 'must not be null');
  const house = input.house === undefined ? undefined : input.house === null ? null : (await resolveHouse(ctx, input.house, 'input.house', 'reference')).id;
  const pin = input.pin === undefined ? undefined : input.pin === null ? null : await hashPin(requirePin('input.pin', input.pin));
  return defined({
    first_name: requiredOnUpdate('input.firstName', input.firstName, 100),
    last_name: requiredOnUpdate('input.lastName', input.lastName, 100),
    preferred_name: optional('input.preferredName', input.preferredName, 100),
    birth_date: input.birthDate,
    gender: input.gender,
    email: optionalEmail('input.email', input.email),
    home_phone: optional('input.homePhone', input.homePhone, 40),
    mobile_phone: optional('input.mobilePhone', input.mobilePhone, 40),
    diet_info: optional('input.dietInfo', input.dietInfo, 2000),
    medical_info: optional('input.medicalInfo', input.medicalInfo, 2000),
    reference_id: optional('input.referenceId', input.referenceId, 100),
    international: input.international,
    student_type: input.studentType,
    year_level: optional('input.yearLevel', input.yearLevel, 20),
    room_number: optional('input.roomNumber', input.roomNumber, 20),
    bed_number: optional('input.bedNumber', input.bedNumber, 20),
    pin_hash: pin,
    sis_id: input.sisId === undefined ? undefined : input.sisId === null || input.sisId.trim() === '' ? null : sisIdOf('input.sisId', input.sisId),
    house_id: house,
  });
}

/** The clash of a SIS id with an existing record, as CONFLICT naming it. */
function sisConflict(typename: string, sisId: string, existingId: string | undefined) {
  return conflict(`${typename} SIS id ${sisId} is already used`, { field: 'input.sisId', rule: 'SIS_ID_TAKEN', existingId: existingId ?? null });
}

async function today(ctx: BoardingContext): Promise<string> {
  const org = await findDirectoryOrganization(ctx.db, ctx.identity.orgId);
  return todayIn(org?.time_zone ?? 'UTC', ctx.now);
}

async function withHouseSis<T>(ctx: BoardingContext, sisId: string | null | undefined, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (sisId && isUniqueViolation(error, HOUSE_SIS_INDEX)) throw sisConflict('House', sisId, (await findHousesBySisId(ctx.db, ctx.identity.orgId, [sisId]))[0]?.id);
    throw error;
  }
}

async function withStudentSis<T>(ctx: BoardingContext, sisId: string | null | undefined, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (sisId && isUniqueViolation(error, STUDENT_SIS_INDEX)) throw sisConflict('Student', sisId, (await findStudentsBySisId(ctx.db, ctx.identity.orgId, [sisId]))[0]?.id);
    throw error;
  }
}

interface ContactFields {
  firstName?: string | null;
  lastName?: string | null;
  title?: string | null;
  relationship?: string | null;
  email?: string | null;
  mobilePhone?: string | null;
  homePhone?: string | null;
  address?: string | null;
  sisId?: string | null;
}

function contactValues(input: ContactFields) {
  return defined({
    first_name: requiredOnUpdate('input.firstName', input.firstName, 100),
    last_name: requiredOnUpdate('input.lastName', input.lastName, 100),
    title: optional('input.title', input.title, 20),
    relationship: optional('input.relationship', input.relationship, 50),
    email: optionalEmail('input.email', input.email),
    mobile_phone: optional('input.mobilePhone', input.mobilePhone, 40),
    home_phone: optional('input.homePhone', input.homePhone, 40),
    address: optional('input.address', input.address, 500),
    sis_id: input.sisId === undefined ? undefined : input.sisId === null || input.sisId.trim() === '' ? null : sisIdOf('input.sisId', input.sisId),
  });
}

async function withContactSis<T>(ctx: BoardingContext, studentId: string, sisId: string | null | undefined, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (sisId && isUniqueViolation(error, CONTACT_SIS_INDEX)) throw sisConflict('Contact', sisId, (await findContactBySisId(ctx.db, ctx.identity.orgId, studentId, sisId))?.id);
    throw error;
  }
}

export const studentResolvers = {
  Query: {
    houses: async (_: unknown, a: PageArgs & { search?: string | null }, ctx: BoardingContext) => {
      const { limit, args } = page(a);
      const search = a.search?.trim() ? requireText('search', a.search, 1, 100) : null;
      const rows = await listHouses(ctx.db, ctx.identity.orgId, search, limit, args);
      return connection(rows, limit, args, houseSortKey, toHouse, () => countHouses(ctx.db, ctx.identity.orgId, search));
    },
    house: async (_: unknown, a: Ref, ctx: BoardingContext) => toHouse(await resolveHouse(ctx, a, 'house', 'target')),
    students: async (_: unknown, a: PageArgs & { filter?: StudentFilterArgs | null }, ctx: BoardingContext) => {
      const { limit, args } = page(a);
      const c = await studentConditions(ctx, a.filter);
      if (!c) return empty;
      const rows = await listStudents(ctx.db, ctx.identity.orgId, c, limit, args);
      return studentConnection(ctx, rows, limit, args, () => countStudents(ctx.db, ctx.identity.orgId, c));
    },
    student: async (_: unknown, a: Ref, ctx: BoardingContext) => toStudent(await resolveStudent(ctx, a, 'student', 'target')),
    contact: async (_: unknown, a: { contact: ContactRef }, ctx: BoardingContext) => toContact(await resolveContact(ctx, a.contact, 'contact')),
  },
  Mutation: {
    createHouse: async (_: unknown, { input }: { input: { name: string; sisId?: string | null } }, ctx: BoardingContext) => {
      const sisId = input.sisId?.trim() ? sisIdOf('input.sisId', input.sisId) : null;
      const row = await withHouseSis(ctx, sisId, () => insertHouse(ctx.db, { org_id: ctx.identity.orgId, name: requireText('input.name', input.name, 1, 100), sis_id: sisId }));
      return toHouse(row);
    },
    updateHouse: async (_: unknown, { house, input }: { house: Ref; input: { name?: string | null; sisId?: string | null } }, ctx: BoardingContext) => {
      const row = await resolveHouse(ctx, house, 'house', 'target');
      const changes = defined({
        name: requiredOnUpdate('input.name', input.name, 100),
        sis_id: input.sisId === undefined ? undefined : input.sisId === null || input.sisId.trim() === '' ? null : sisIdOf('input.sisId', input.sisId),
      });
      return toHouse(await withHouseSis(ctx, changes.sis_id, () => updateHouse(ctx.db, ctx.identity.orgId, row.id, changes)));
    },
    deleteHouse: async (_: unknown, { house }: { house: Ref }, ctx: BoardingContext) => {
      const row = await resolveHouse(ctx, house, 'house', 'target');
      await ctx.db.transaction().execute(async (trx) => {
        // The row lock holds off new students and rolls naming the house until the delete commits.
        await lockHouse(trx, ctx.identity.orgId, row.id);
        const students = await countHouseStudents(trx, ctx.identity.orgId, row.id);
        if (students > 0) throw conflict(`House ${row.id} still has ${students} students`, { rule: 'HOUSE_HAS_STUDENTS', students });
        const rolls = await countScheduledRollsOfHouse(trx, ctx.identity.orgId, row.id);
        if (rolls > 0) throw conflict(`House ${row.id} is the filter of ${rolls} scheduled automatic rolls`, { rule: 'HOUSE_HAS_SCHEDULED_ROLLS', rolls });
        await deleteHouse(trx, ctx.identity.orgId, row.id);
      });
      return toHouse(row);
    },
    createStudent: async (_: unknown, { input }: { input: StudentFields & { firstName: string; lastName: string } }, ctx: BoardingContext) => {
      const day = await today(ctx);
      const values = await studentValues(ctx, input, day);
      const row: Insertable<StudentsTable> = {
        org_id: ctx.identity.orgId,
        first_name: values.first_name ?? '',
        last_name: values.last_name ?? '',
        gender: values.gender ?? 'UNKNOWN',
        international: values.international ?? false,
        student_type: values.student_type ?? 'BOARDING',
        ...values,
        pin_locked_until: null,
        photo_url: null,
        photo_thumbnail_url: null,
        deactivated_date: input.deactivated ? day : null,
        preferred_name: values.preferred_name ?? null,
      } as Insertable<StudentsTable>;
      return toStudent(await withStudentSis(ctx, values.sis_id, () => insertStudent(ctx.db, row)));
    },
    updateStudent: async (_: unknown, { student, input }: { student: Ref; input: StudentFields }, ctx: BoardingContext) => {
      const current = await resolveStudent(ctx, student, 'student', 'target');
      const day = await today(ctx);
      const values = await studentValues(ctx, input, day);
      // Deactivating records the day; reactivating clears it; repeating either keeps the date.
      const deactivated_date = input.deactivated === undefined ? undefined : input.deactivated ? (current.deactivated_date ?? day) : null;
      const changes = { ...values, ...defined({ deactivated_date }) };
      if (changes.pin_hash !== undefined) Object.assign(changes, { pin_failed_attempts: 0, pin_locked_until: null });
      return toStudent(await withStudentSis(ctx, values.sis_id, () => updateStudent(ctx.db, ctx.identity.orgId, current.id, changes)));
    },
    deleteStudent: async (_: unknown, { student }: { student: Ref }, ctx: BoardingContext) => {
      const row = await resolveStudent(ctx, student, 'student', 'target');
      await deleteStudent(ctx.db, ctx.identity.orgId, row.id);
      return toStudent(row);
    },
    checkStudentPin: async (_: unknown, a: { student: Ref; input: { pin: string } }, ctx: BoardingContext) => {
      const target = await resolveStudent(ctx, a.student, 'student', 'target');
      const pin = requirePin('input.pin', a.input.pin);
      const now = ctx.services.now();
      return ctx.db.transaction().execute(async (trx) => {
        const row = await lockStudent(trx, ctx.identity.orgId, target.id);
        if (!row) throw notFound('Student', target.id);
        if (row.pin_locked_until && row.pin_locked_until > now) return { valid: false, remainingAttempts: 0, lockedUntil: row.pin_locked_until };
        const valid = row.pin_hash !== null && (await pinMatches(pin, row.pin_hash));
        if (valid) {
          await setPinAttempts(trx, ctx.identity.orgId, row.id, 0, null);
          return { valid: true, remainingAttempts: MAX_PIN_ATTEMPTS, lockedUntil: null };
        }
        const failed = row.pin_failed_attempts + 1;
        const lockedUntil = failed >= MAX_PIN_ATTEMPTS ? new Date(now.getTime() + PIN_LOCK_MS) : null;
        await setPinAttempts(trx, ctx.identity.orgId, row.id, lockedUntil ? 0 : failed, lockedUntil);
        return { valid: false, remainingAttempts: lockedUntil ? 0 : MAX_PIN_ATTEMPTS - failed, lockedUntil };
      });
    },
    createContact: async (_: unknown, { input }: { input: ContactFields & { student: Ref; firstName: string; lastName: string } }, ctx: BoardingContext) => {
      const student = await resolveStudent(ctx, input.student, 'input.student', 'reference');
      const values = contactValues(input);
      const row = { org_id: ctx.identity.orgId, student_id: student.id, first_name: '', last_name: '', ...values } as Insertable<ContactsTable>;
      return toContact(await withContactSis(ctx, student.id, values.sis_id, () => insertContact(ctx.db, row)));
    },
    updateContact: async (_: unknown, { contact, input }: { contact: ContactRef; input: ContactFields }, ctx: BoardingContext) => {
      const current = await resolveContact(ctx, contact, 'contact');
      const values = contactValues(input);
      return toContact(await withContactSis(ctx, current.student_id, values.sis_id, () => updateContact(ctx.db, ctx.identity.orgId, current.id, values)));
    },
    deleteContact: async (_: unknown, { contact }: { contact: ContactRef }, ctx: BoardingContext) => {
      const row = await resolveContact(ctx, contact, 'contact');
      await deleteContact(ctx.db, ctx.identity.orgId, row.id);
      return toContact(row);
    },
  },
  House: {
    __resolveReference: async (ref: { id: string }, ctx: BoardingContext) => {
      const row = await loaders(ctx).houses.load(ref.id);
      return row ? toHouse(row) : null;
    },
    students: async (house: HouseModel, a: PageArgs & { filter?: Omit<StudentFilterArgs, 'house'> | null }, ctx: BoardingContext) => {
      const { limit, args } = page(a);
      if (a.filter && 'house' in a.filter && a.filter.house) throw badInput('filter.house', 'NOT_APPLICABLE', 'is implied by the house');
      const c = await studentConditions(ctx, a.filter);
      if (!c) return empty;
      const key = { c, limit, args };
      const org = ctx.identity.orgId;
      const rows = await pageLoader(ctx, 'houseStudents', key, (ids) => listStudentsOfHouses(ctx.db, org, ids, c, limit, args), (r) => r.house_id ?? '').load(house.id);
      return studentConnection(ctx, rows, limit, args, () => countLoader(ctx, 'houseStudentCounts', c, (ids) => countStudentsOfHouses(ctx.db, org, ids, c)).load(house.id));
    },
  },
  Student: {
    __resolveReference: async (ref: { id: string }, ctx: BoardingContext) => loadStudentModel(ctx, ref.id),
    house: async (s: StudentModel, _: unknown, ctx: BoardingContext) => {
      if (!s.houseId) return null;
      const row = await loaders(ctx).houses.load(s.houseId);
      return row ? toHouse(row) : null;
    },
    contacts: async (s: StudentModel, a: PageArgs, ctx: BoardingContext) => {
      const { limit, args } = page(a);
      const org = ctx.identity.orgId;
      const rows = await pageLoader(ctx, 'studentContacts', { limit, args }, (ids) => listContactsOfStudents(ctx.db, org, ids, limit, args), (r) => r.student_id).load(s.id);
      return connection(rows, limit, args, contactSortKey, toContact, () => countLoader(ctx, 'studentContactCounts', null, (ids) => countContactsOfStudents(ctx.db, org, ids)).load(s.id));
    },
  },
  Contact: {
    student: async (c: ContactModel, _: unknown, ctx: BoardingContext) => {
      const row = await loaders(ctx).students.load(c.studentId);
      if (!row) throw notFound('Student', c.studentId);
      return toStudent(row);
    },
  },
} satisfies Resolvers;
