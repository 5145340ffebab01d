import { badInput, notFound, isUniqueViolation } from '../../shared/errors.ts';
import { pageSize, toConnection, type PageArgs } from '../../shared/pagination.ts';
import { isId, optionalText, requireRegion, requireText } from '../../shared/validation.ts';
import type { LeaveContext } from '../context.ts';
import {
  calendarDaySortKey,
  CLOSURE_DAY_DATE_CONSTRAINT,
  countClosureDays,
  countRestrictedDays,
  deleteClosureDay,
  deleteRestrictedDay,
  insertClosureDay,
  insertRestrictedDay,
  listClosureDays,
  listRestrictedDays,
} from '../db/repositories/calendar-days.ts';
import type { ClosureDayRow, RestrictedDayRow } from '../db/tables/calendar-days.ts';
import type { DirectoryDepartmentRow } from '../db/tables/directory.ts';
import { countryOf, requireAdmin, requireOrganization } from '../domain/access.ts';
import { requireDateRange, todayIn } from '../domain/dates.ts';
import { isSupportedCountry, publicHolidaysBetween, type PublicHolidayDay } from '../domain/public-holidays.ts';
import type { Resolvers } from '../generated/graphql.ts';

/** The longest range (in days from first to last) a ranged query accepts. */
export const MAX_QUERY_RANGE_DAYS = 366;

/**
 * The department `id` of the caller's organization from leave's directory (catching up with
 * people's events once if it is unknown); with `active`, deactivated departments fail too.
 * Unknown ids and other organizations' ids give the same BAD_USER_INPUT on `field`.
 */
export async function requireDepartment(ctx: LeaveContext, field: string, id: string, options: { active: boolean }): Promise<DirectoryDepartmentRow> {
  let department = isId(id) ? await ctx.directory.departments.load(id) : null;
  if (!department && isId(id)) {
    // A department created a moment ago may not have reached the directory yet.
    await ctx.services.catchUpDirectory();
    ctx.directory.departments.clear(id);
    department = await ctx.directory.departments.load(id);
  }
  if (!department || (options.active && !department.active)) {
    throw badInput(field, options.active && department ? 'INACTIVE_REFERENCE' : 'UNKNOWN_REFERENCE', `${id} is not ${options.active ? 'an active department' : 'a department'} of this organization`);
  }
  return department;
}

/** A restricted day as the API shows it. */
function toRestrictedDay(row: RestrictedDayRow) {
  return { id: row.id, date: row.date, name: row.name, departmentId: row.department_id, note: row.note, createdAt: row.created_at };
}
export type RestrictedDayModel = ReturnType<typeof toRestrictedDay>;

/** A closure day as the API shows it. */
function toClosureDay(row: ClosureDayRow) {
  return { id: row.id, date: row.date, name: row.name, createdAt: row.created_at };
}

/** A public holiday as the API shows it. */
function toPublicHoliday(day: PublicHolidayDay) {
  return { date: day.date, name: day.name, country: day.country, region: day.region };
}

interface RangeArgs extends PageArgs {
  from: string;
  to: string;
}

interface CreateRestrictedDayInput {
  date: string;
  name: string;
  departmentId?: string | null;
  note?: string | null;
}

interface CreateClosureDayInput {
  date: string;
  name: string;
}

/** Public holidays of a country and region; default the caller's country (else the organization's) and region. */
async function publicHolidays(ctx: LeaveContext, args: { from: string; to: string; country?: string | null; region?: string | null }) {
  requireDateRange('from', args.from, 'to', args.to, MAX_QUERY_RANGE_DAYS);
  const org = await requireOrganization(ctx);
  const caller = ctx.identity.userId ? await ctx.directory.users.load(ctx.identity.userId) : null;
  const own = caller ? countryOf(caller, org) : { country: org.country, region: null };
  let country = own.country;
  if (args.country !== null && args.country !== undefined) {
    country = args.country.trim().toUpperCase();
    if (!/^[A-Z]{2}$/.test(country) || !isSupportedCountry(country)) {
      throw badInput('country', 'INVALID_FORMAT', 'must be an ISO 3166-1 alpha-2 code of a country with public holiday data, such as GB or DE');
    }
  }
  let region = country === own.country ? own.region : null;
  if (args.region !== null && args.region !== undefined) region = requireRegion('region', args.region);
  return publicHolidaysBetween(country, region, args.from, args.to).map(toPublicHoliday);
}

/** Restricted days, closure days (admins write, everyone reads) and public holidays. */
export const calendarDayResolvers = {
  Query: {
    restrictedDays: async (_: unknown, args: RangeArgs & { departmentId?: string | null }, ctx: LeaveContext) => {
      requireDateRange('from', args.from, 'to', args.to);
      const limit = pageSize(args);
      if (args.departmentId) await requireDepartment(ctx, 'departmentId', args.departmentId, { active: false });
      const filter = { from: args.from, to: args.to, departmentId: args.departmentId };
      const orgId = ctx.identity.orgId;
      const rows = await listRestrictedDays(ctx.db, orgId, filter, limit, args);
      return toConnection(rows, limit, args, calendarDaySortKey, toRestrictedDay, () => countRestrictedDays(ctx.db, orgId, filter));
    },
    closureDays: async (_: unknown, args: RangeArgs, ctx: LeaveContext) => {
      requireDateRange('from', args.from, 'to', args.to);
      const limit = pageSize(args);
      const orgId = ctx.identity.orgId;
      const rows = await listClosureDays(ctx.db, orgId, args.from, args.to, limit, args);
      return toConnection(rows, limit, args, calendarDaySortKey, toClosureDay, () => countClosureDays(ctx.db, orgId, args.from, args.to));
    },
    publicHolidays: (_: unknown, args: { from: string; to: string; country?: string | null; region?: string | null }, ctx: LeaveContext) =>
      publicHolidays(ctx, args),
  },
  RestrictedDay: {
    department: (day: RestrictedDayModel) => (day.departmentId ? { __typename: 'Department' as const, id: day.departmentId } : null),
  },
  Mutation: {
    createRestrictedDay: async (_: unknown, { input }: { input: CreateRestrictedDayInput }, ctx: LeaveContext) => {
      requireAdmin(ctx, 'add restricted days');
      const org = await requireOrganization(ctx);
      const today = todayIn(org.time_zone, ctx.services.now());
      if (input.date < today) throw badInput('input.date', 'TOO_EARLY', `must be today (${today}) or later`);
      const name = requireText('input.name', input.name, 1, 100);
      const note = optionalText('input.note', input.note, 500) ?? null;
      const departmentId = input.departmentId ? (await requireDepartment(ctx, 'input.departmentId', input.departmentId, { active: true })).id : null;
      const row = await insertRestrictedDay(ctx.db, {
        org_id: ctx.identity.orgId,
        date: input.date,
        name,
        note,
        department_id: departmentId,
        created_by: ctx.identity.userId,
      });
      return toRestrictedDay(row);
    },
    deleteRestrictedDay: async (_: unknown, { id }: { id: string }, ctx: LeaveContext) => {
      requireAdmin(ctx, 'delete restricted days');
      const row = isId(id) ? await deleteRestrictedDay(ctx.db, ctx.identity.orgId, id) : undefined;
      if (!row) throw notFound('RestrictedDay', id);
      return toRestrictedDay(row);
    },
    createClosureDay: async (_: unknown, { input }: { input: CreateClosureDayInput }, ctx: LeaveContext) => {
      requireAdmin(ctx, 'add closure days');
      const name = requireText('input.name', input.name, 1, 100);
      const orgId = ctx.identity.orgId;
      const taken = () => badInput('input.date', 'DUPLICATE', `the organization already has a closure day on ${input.date}`);
      try {
        return toClosureDay(await insertClosureDay(ctx.db, { org_id: orgId, date: input.date, name, created_by: ctx.identity.userId }));
      } catch (error) {
        // Two admins adding the same date at once: the unique constraint decides.
        if (isUniqueViolation(error, CLOSURE_DAY_DATE_CONSTRAINT)) throw taken();
        throw error;
      }
    },
    deleteClosureDay: async (_: unknown, { id }: { id: string }, ctx: LeaveContext) => {
      requireAdmin(ctx, 'delete closure days');
      const row = isId(id) ? await deleteClosureDay(ctx.db, ctx.identity.orgId, id) : undefined;
      if (!row) throw notFound('ClosureDay', id);
      return toClosureDay(row);
    },
  },
} satisfies Resolvers;
