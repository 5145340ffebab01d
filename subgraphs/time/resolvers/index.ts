import { DateScalar, DateTimeScalar } from '../../shared/scalars.ts';
import { mergeResolvers } from '../../shared/resolver-map.ts';
import type { Resolvers } from '../generated/graphql.ts';
import { hoursWorkedResolvers } from './hours-worked.ts';
import { overtimeSubmissionResolvers } from './overtime-submissions.ts';
import { overtimeTypeResolvers } from './overtime-types.ts';
import { settingsResolvers } from './settings.ts';
import { toilResolvers } from './toil.ts';
import { userTimeResolvers } from './users.ts';

/** Every resolver of the time subgraph. */
export const timeResolvers: Resolvers = {
  Date: DateScalar,
  DateTime: DateTimeScalar,
  ...mergeResolvers<Resolvers>(overtimeTypeResolvers, overtimeSubmissionResolvers, toilResolvers, hoursWorkedResolvers, userTimeResolvers, settingsResolvers),
};
