import { DateScalar, DateTimeScalar } from '../../shared/scalars.ts';
import { mergeResolvers } from '../../shared/resolver-map.ts';

/** Every resolver of the leave subgraph. */
export const leaveResolvers = {
  Date: DateScalar,
  DateTime: DateTimeScalar,
  ...mergeResolvers(),
};
