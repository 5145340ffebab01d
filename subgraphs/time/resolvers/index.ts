import { DateScalar, DateTimeScalar } from '../../shared/scalars.ts';
import { mergeResolvers } from '../../shared/resolver-map.ts';
import { hoursWorkedResolvers } from './hours-worked.ts';
import { overtimeSubmissionResolvers } from './overtime-submissions.ts';
import { overtimeTypeResolvers } from './overtime-types.ts';
import { settingsResolvers } from './settings.ts';
import { toilResolvers } from './toil.ts';
import { userTimeResolvers } from './users.ts';

/** Every resolver of the time subgraph. */
export const timeResolvers = {
  Date: DateScalar,
  DateTime: DateTimeScalar,
  ...mergeResolvers(overtimeTypeResolvers, overtimeSubmissionResolvers, toilResolvers, hoursWorkedResolvers, userTimeResolvers, settingsResolvers),
};
