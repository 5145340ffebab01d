import { badInput, forbidden } from '../../shared/errors.ts';
import { isId } from '../../shared/validation.ts';
import type { LeaveContext } from '../context.ts';
import { leaveReport, type LeaveReportRowData, type ReportDimension } from '../db/repositories/reports.ts';
import { requireDateRange } from '../domain/dates.ts';
import { leaveTypeLoader } from '../loaders.ts';
import { MAX_QUERY_RANGE_DAYS, requireDepartment } from './calendar-days.ts';
import { toLeaveType } from './leave-types.ts';
import type { Resolvers } from '../generated/graphql.ts';

/** A leave report row as the API shows it. */
function toLeaveReportRow(row: LeaveReportRowData) {
  return {
    departmentId: row.department_id,
    leaveTypeId: row.leave_type_id,
    month: row.month,
    days: Number(row.days),
    hours: Number(row.hours),
    requests: row.requests,
  };
}
export type LeaveReportRowModel = ReturnType<typeof toLeaveReportRow>;

interface LeaveReportArgs {
  from: string;
  to: string;
  groupBy: ReportDimension[];
  departmentId?: string | null;
  leaveTypeId?: string | null;
}

/** `Query.leaveReport` (admins and managers) and its rows' references. */
export const reportResolvers = {
  Query: {
    leaveReport: async (_: unknown, args: LeaveReportArgs, ctx: LeaveContext) => {
      if (ctx.identity.role === 'EMPLOYEE') throw forbidden('only admins and managers may run leave reports');
      requireDateRange('from', args.from, 'to', args.to, MAX_QUERY_RANGE_DAYS);
      const groupBy = [...new Set(args.groupBy)];
      if (groupBy.length === 0) throw badInput('groupBy', 'AT_LEAST_ONE_OF', 'give at least one of DEPARTMENT, LEAVE_TYPE and MONTH');
      if (args.departmentId) await requireDepartment(ctx, 'departmentId', args.departmentId, { active: false });
      if (args.leaveTypeId && !(isId(args.leaveTypeId) && (await leaveTypeLoader(ctx).load(args.leaveTypeId)))) {
        throw badInput('leaveTypeId', 'UNKNOWN_REFERENCE', `${args.leaveTypeId} is not a leave type of this organization`);
      }
      const rows = await leaveReport(ctx.db, ctx.identity.orgId, {
        from: args.from,
        to: args.to,
        groupBy,
        departmentId: args.departmentId,
        leaveTypeId: args.leaveTypeId,
      });
      return rows.map(toLeaveReportRow);
    },
  },
  LeaveReportRow: {
    department: (row: LeaveReportRowModel) => (row.departmentId ? { __typename: 'Department' as const, id: row.departmentId } : null),
    leaveType: async (row: LeaveReportRowModel, _: unknown, ctx: LeaveContext) => {
      const type = row.leaveTypeId ? await leaveTypeLoader(ctx).load(row.leaveTypeId) : null;
      return type ? toLeaveType(type) : null;
    },
  },
} satisfies Resolvers;
