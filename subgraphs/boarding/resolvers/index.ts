import { DateScalar, DateTimeScalar } from '../../shared/scalars.ts';
import { mergeResolvers } from '../../shared/resolver-map.ts';
import type { Resolvers } from '../generated/graphql.ts';
import { locationResolvers } from './locations.ts';
import { pastoralResolvers } from './pastoral.ts';
import { rollResolvers } from './rolls.ts';
import { studentLeaveResolvers } from './student-leave.ts';
import { studentResolvers } from './students.ts';
import { userResolvers } from './users.ts';

/** Every resolver of the boarding subgraph. */
export const boardingResolvers: Resolvers = {
  Date: DateScalar,
  DateTime: DateTimeScalar,
  ...mergeResolvers<Resolvers>(studentResolvers, locationResolvers, pastoralResolvers, rollResolvers, studentLeaveResolvers, userResolvers),
};
