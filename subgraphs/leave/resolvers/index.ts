import { DateScalar, DateTimeScalar } from '../../shared/scalars.ts';
import { mergeResolvers } from '../../shared/resolver-map.ts';
import type { Resolvers } from '../generated/graphql.ts';
import { allowanceResolvers } from './allowances.ts';
import { leaveTypeResolvers } from './leave-types.ts';
import { leaveRequestResolvers } from './leave-requests.ts';
import { absenceResolvers } from './absences.ts';
import { calendarDayResolvers } from './calendar-days.ts';
import { coverageResolvers } from './coverage.ts';
import { documentResolvers } from './documents.ts';
import { reportResolvers } from './reports.ts';
import { userLeaveResolvers } from './users.ts';
import { hoursWorkedLeaveResolvers } from './hours-worked.ts';

/** Every resolver of the leave subgraph. */
export const leaveResolvers: Resolvers = {
  Date: DateScalar,
  DateTime: DateTimeScalar,
  ...mergeResolvers<Resolvers>(leaveRequestResolvers, coverageResolvers, absenceResolvers, calendarDayResolvers, reportResolvers, documentResolvers, leaveTypeResolvers, allowanceResolvers, userLeaveResolvers, hoursWorkedLeaveResolvers),
};
