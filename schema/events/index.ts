import type { EventStreamDeclaration } from './event-stream.ts';
import { BOARDING_EVENT_STREAMS } from './boarding.ts';
import { LEAVE_EVENT_STREAMS } from './leave.ts';
import { PEOPLE_EVENT_STREAMS } from './people.ts';
import { TIME_EVENT_STREAMS } from './time.ts';

/**
 * Every event stream of the graph, in the order the SDL lists them. A subgraph adds its
 * streams by declaring them in `schema/events/<domain>.ts` and adding them here.
 */
export const EVENT_STREAMS: readonly EventStreamDeclaration[] = [...LEAVE_EVENT_STREAMS, ...TIME_EVENT_STREAMS, ...BOARDING_EVENT_STREAMS, ...PEOPLE_EVENT_STREAMS];
