/**
 * The one spelling of an active/inactive filter in the graph: `status: ActivityStatus = ACTIVE`
 * (an argument of a list field, or a field of the list's filter input). A subgraph that
 * filters by activity declares the same `ActivityStatus` enum in its SDL.
 */
export type ActivityStatus = 'ACTIVE' | 'DEACTIVATED' | 'ALL';

/** The status a list argument asks for: ACTIVE when omitted or null. */
export function activityStatus(value: ActivityStatus | null | undefined): ActivityStatus {
  return value ?? 'ACTIVE';
}
