import DataLoader from 'dataloader';
import { checkCursors, pageKey, pageSize, toConnection, type PageArgs } from '../../shared/pagination.ts';
import type { LeaveContext } from '../context.ts';
import {
  ABSENCE_CURSOR,
  absenceSortKey,
  countAbsences,
  countDepartmentsAbsences,
  listAbsences,
  listDepartmentsAbsences,
  type AbsenceFilter,
  type AbsenceWindow,
} from '../db/repositories/absences.ts';
import type { LeaveRequestRow } from '../db/tables/leave-requests.ts';
import { maySeeLeaveOfId } from '../domain/access.ts';
import { requireDateRange } from '../domain/dates.ts';
import { leaveTypeLoader } from '../loaders.ts';
import { MAX_QUERY_RANGE_DAYS, requireDepartment } from './calendar-days.ts';
import { toLeaveType } from './leave-types.ts';
import { toLeaveRequest } from './leave-requests.ts';
import type { Resolvers } from '../generated/graphql.ts';

/** An absence as the API shows it; the request row stays inside for the fields that need permission. */
function toAbsence(row: LeaveRequestRow) {
  return {
    userId: row.user_id,
    startDate: row.start_date,
    endDate: row.end_date,
    firstDayPortion: row.first_day_portion,
    lastDayPortion: row.last_day_portion,
    status: row.status,
    leaveTypeId: row.leave_type_id,
    request: row,
  };
}
export type AbsenceModel = ReturnType<typeof toAbsence>;

interface WhosOutArgs extends PageArgs {
  from: string;
  to: string;
  includePending?: boolean | null;
}

function validate(args: WhosOutArgs): { window: AbsenceWindow; limit: number } {
  requireDateRange('from', args.from, 'to', args.to, MAX_QUERY_RANGE_DAYS);
  const limit = pageSize(args);
  // A bad cursor fails here, not inside a batch shared with other departments.
  checkCursors(args, ABSENCE_CURSOR);
  return { window: { from: args.from, to: args.to, includePending: args.includePending === true }, limit };
}

/** Key of one department's absence count. Keys are compared as JSON: build them with the same property order. */
interface DepartmentCountKey {
  readonly departmentId: string;
  readonly window: AbsenceWindow;
}

/** Key of one department's page: the department and every argument that shapes the page. */
interface DepartmentPageKey extends DepartmentCountKey {
  readonly limit: number;
  readonly page: PageArgs;
}

/** Splits loader keys by everything but the department: each group is one SQL statement. */
function groupByArgs<K extends { departmentId: string }>(keys: readonly K[]): { sample: K; departmentIds: string[] }[] {
  const groups = new Map<string, { sample: K; departmentIds: string[] }>();
  for (const key of keys) {
    const { departmentId, ...rest } = key;
    const id = JSON.stringify(rest);
    const group = groups.get(id);
    if (group) group.departmentIds.push(departmentId);
    else groups.set(id, { sample: key, departmentIds: [departmentId] });
  }
  return [...groups.values()];
}

/** Per-request loader of departments' absence pages: many departments, one SQL statement per distinct arguments. */
function departmentPages(ctx: LeaveContext): DataLoader<DepartmentPageKey, LeaveRequestRow[], string> {
  return ctx.loaders.get(
    'absences.departmentPages',
    () =>
      new DataLoader<DepartmentPageKey, LeaveRequestRow[], string>(
        async (keys) => {
          const pages = new Map<string, LeaveRequestRow[]>();
          for (const { sample, departmentIds } of groupByArgs(keys)) {
            const rows = await listDepartmentsAbsences(ctx.db, ctx.identity.orgId, departmentIds, sample.window, sample.limit, sample.page);
            for (const { member_department_id: departmentId, ...row } of rows) {
              const key = JSON.stringify({ ...sample, departmentId });
              pages.set(key, [...(pages.get(key) ?? []), row]);
            }
          }
          return keys.map((k) => pages.get(JSON.stringify(k)) ?? []);
        },
        { cacheKeyFn: (key) => JSON.stringify(key) },
      ),
  );
}

/** Per-request loader of departments' absence counts: one SQL statement per distinct window. */
function departmentCounts(ctx: LeaveContext): DataLoader<DepartmentCountKey, number, string> {
  return ctx.loaders.get(
    'absences.departmentCounts',
    () =>
      new DataLoader<DepartmentCountKey, number, string>(
        async (keys) => {
          const counts = new Map<string, number>();
          for (const { sample, departmentIds } of groupByArgs(keys)) {
            const found = await countDepartmentsAbsences(ctx.db, ctx.identity.orgId, departmentIds, sample.window);
            for (const [departmentId, n] of found) counts.set(JSON.stringify({ ...sample, departmentId }), n);
          }
          return keys.map((k) => counts.get(JSON.stringify(k)) ?? 0);
        },
        { cacheKeyFn: (key) => JSON.stringify(key) },
      ),
  );
}

/** `Query.whosOut`, `Department.whosOut` (batched across departments) and `Absence`'s guarded fields. */
export const absenceResolvers = {
  Query: {
    whosOut: async (_: unknown, args: WhosOutArgs & { departmentId?: string | null }, ctx: LeaveContext) => {
      const { window, limit } = validate(args);
      if (args.departmentId) await requireDepartment(ctx, 'departmentId', args.departmentId, { active: false });
      const filter: AbsenceFilter = { ...window, departmentId: args.departmentId };
      const orgId = ctx.identity.orgId;
      const rows = await listAbsences(ctx.db, orgId, filter, limit, args);
      return toConnection(rows, limit, args, absenceSortKey, toAbsence, () => countAbsences(ctx.db, orgId, filter));
    },
  },
  Department: {
    whosOut: async (department: { id: string }, args: WhosOutArgs, ctx: LeaveContext) => {
      const { window, limit } = validate(args);
      const rows = await departmentPages(ctx).load({ departmentId: department.id, window, limit, page: pageKey(args, limit) });
      return toConnection(rows, limit, args, absenceSortKey, toAbsence, () => departmentCounts(ctx).load({ departmentId: department.id, window }));
    },
  },
  Absence: {
    user: (absence: AbsenceModel) => ({ __typename: 'User' as const, id: absence.userId }),
    leaveType: async (absence: AbsenceModel, _: unknown, ctx: LeaveContext) => {
      const type = await leaveTypeLoader(ctx).load(absence.leaveTypeId);
      if (!type) return null;
      // Colleagues see that someone is away, not why, when the type is private.
      if (type.private && !(await maySeeLeaveOfId(ctx, absence.userId))) return null;
      return toLeaveType(type);
    },
    leaveRequest: async (absence: AbsenceModel, _: unknown, ctx: LeaveContext) =>
      (await maySeeLeaveOfId(ctx, absence.userId)) ? toLeaveRequest(absence.request) : null,
  },
} satisfies Resolvers;
