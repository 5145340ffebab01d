import { sql, type RawBuilder } from 'kysely';
import type { LeaveDb } from '../database.ts';

/** A dimension a leave report groups by. */
export type ReportDimension = 'DEPARTMENT' | 'LEAVE_TYPE' | 'MONTH';

/** What a leave report covers, already validated. */
export interface LeaveReportQuery {
  readonly from: string;
  readonly to: string;
  /** Distinct dimensions in the order the rows are sorted by; at least one. */
  readonly groupBy: readonly ReportDimension[];
  readonly departmentId?: string | null | undefined;
  readonly leaveTypeId?: string | null | undefined;
}

/** One group: the keys of the dimensions grouped by (null otherwise) and decimal-string sums. */
export interface LeaveReportRowData {
  department_id: string | null;
  leave_type_id: string | null;
  month: string | null;
  days: string;
  hours: string;
  requests: number;
}

const KEY: Record<ReportDimension, { column: 'department_id' | 'leave_type_id' | 'month'; expression: RawBuilder<unknown> }> = {
  DEPARTMENT: { column: 'department_id', expression: sql`r.department_id` },
  LEAVE_TYPE: { column: 'leave_type_id', expression: sql`r.leave_type_id` },
  MONTH: { column: 'month', expression: sql`to_char(d.date, 'YYYY-MM')` },
};

/**
 * Approved leave taken between `from` and `to`, in one statement: over the request days
 * with an amount above zero, days = sum of amounts of requests counted in days, hours =
 * sum of hours of all requests, requests = distinct requests; grouped and sorted by the
 * dimensions asked for (department: the requester's when they requested).
 */
export async function leaveReport(db: LeaveDb, orgId: string, query: LeaveReportQuery): Promise<LeaveReportRowData[]> {
  const grouped = new Set(query.groupBy);
  let q = db
    .selectFrom('leave_request_days as d')
    .innerJoin('leave_requests as r', (j) => j.onRef('r.org_id', '=', 'd.org_id').onRef('r.id', '=', 'd.request_id'))
    .select(
      (Object.keys(KEY) as ReportDimension[]).map((dimension) =>
        (grouped.has(dimension) ? KEY[dimension].expression : sql`null`).as(KEY[dimension].column),
      ),
    )
    .select([
      sql<string>`coalesce(sum(case when r.unit = 'DAYS' then d.amount else 0 end), 0)`.as('days'),
      sql<string>`coalesce(sum(d.hours), 0)`.as('hours'),
      sql<number>`count(distinct d.request_id)::int`.as('requests'),
    ])
    .where('d.org_id', '=', orgId)
    .where('r.status', '=', 'APPROVED')
    .where('d.date', '>=', query.from)
    .where('d.date', '<=', query.to)
    .where('d.amount', '>', '0');
  if (query.departmentId) q = q.where('r.department_id', '=', query.departmentId);
  if (query.leaveTypeId) q = q.where('r.leave_type_id', '=', query.leaveTypeId);
  q = q.groupBy(query.groupBy.map((dimension) => KEY[dimension].expression));
  for (const dimension of query.groupBy) q = q.orderBy(sql`${KEY[dimension].expression} asc nulls last`);
  return (await q.execute()) as LeaveReportRowData[];
}
