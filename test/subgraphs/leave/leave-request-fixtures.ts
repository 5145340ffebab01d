// Helpers of the leave request suites: leave types written straight into the leave schema,
// the GraphQL operations on requests, and the outbox as a test reads it.
import type { Insertable } from 'kysely';
import { insertLeaveType } from '../../../subgraphs/leave/db/repositories/leave-types.ts';
import type { LeaveTypesTable } from '../../../subgraphs/leave/db/tables/leave-types.ts';
import { lastEventId as lastOutboxId, readEvents, type OutboxEvent } from '../../../subgraphs/shared/outbox.ts';
import { dataOf } from '../../helpers/assertions.ts';
import type { GraphQLBody, TestGraph, TestOrg, TestUser, NewTestUser } from '../../helpers/graph.ts';
import { LEAVE_TYPE_DEFAULTS } from './leave-fixtures.ts';

export { dataOf, expectError } from '../../helpers/assertions.ts';

/** The fixed clock of the suites: Monday 15 June 2026, 10:00 in London. */
export const NOW = new Date('2026-06-15T09:00:00Z');

let codes = 0;

/** Inserts a leave type (default: VACATION in days, needs approval, half days, no allowance) and returns its id. */
export async function addLeaveType(graph: TestGraph, orgId: string, values: Partial<Insertable<LeaveTypesTable>> = {}): Promise<string> {
  const n = ++codes;
  const row = await insertLeaveType(graph.leaveDb, { ...LEAVE_TYPE_DEFAULTS, org_id: orgId, name: `Type ${n}`, code: `T${n}`, ...values });
  return row.id;
}

/** Adds a person to the organization and lets the leave directory learn of them. */
export async function addPerson(graph: TestGraph, org: TestOrg, values: NewTestUser = {}): Promise<TestUser> {
  const user = await org.addUser(values);
  await graph.leave.catchUpDirectory();
  return user;
}

/** The fields every request operation selects. */
const REQUEST_FIELDS = `
  id status unit amount hours startDate endDate firstDayPortion lastDayPortion firstDayHours lastDayHours reason comment
  user { id } createdBy { id } decidedBy { id } decidedAt decisionNote
  days { date amount hours portion excludedReason holidayName }
  history { action fromStatus toStatus actor { id } note occurredAt }`;

/** A request as the suites read it. */
export interface RequestData {
  id: string;
  status: string;
  unit: string;
  amount: number;
  hours: number;
  startDate: string;
  endDate: string;
  firstDayPortion: string;
  lastDayPortion: string;
  firstDayHours: number | null;
  lastDayHours: number | null;
  reason: string | null;
  comment: string | null;
  user: { id: string };
  createdBy: { id: string } | null;
  decidedBy: { id: string } | null;
  decidedAt: string | null;
  decisionNote: string | null;
  days: { date: string; amount: number; hours: number; portion: string; excludedReason: string | null; holidayName: string | null }[];
  history: { action: string; fromStatus: string | null; toStatus: string; actor: { id: string } | null; note: string | null; occurredAt: string }[];
}

type Response<T> = Promise<{ body: GraphQLBody<T> }>;

/** `createLeaveRequest` with `input`. */
export function createRequest(graph: TestGraph, key: string, input: Record<string, unknown>): Response<{ createLeaveRequest: RequestData }> {
  return graph.gql(key, `mutation($input: CreateLeaveRequestInput!) { createLeaveRequest(input: $input) { ${REQUEST_FIELDS} } }`, { input });
}

/** `updateLeaveRequest` of `id` with `input`. */
export function updateRequest(graph: TestGraph, key: string, id: string, input: Record<string, unknown>): Response<{ updateLeaveRequest: RequestData }> {
  return graph.gql(key, `mutation($id: ID!, $input: UpdateLeaveRequestInput!) { updateLeaveRequest(id: $id, input: $input) { ${REQUEST_FIELDS} } }`, { id, input });
}

/** `approveLeaveRequest`, `rejectLeaveRequest` or `cancelLeaveRequest` of `id` with an optional note. */
export function transition(
  graph: TestGraph,
  key: string,
  mutation: 'approveLeaveRequest' | 'rejectLeaveRequest' | 'cancelLeaveRequest',
  id: string,
  note?: string,
): Response<Record<string, RequestData>> {
  return graph.gql(key, `mutation($id: ID!, $note: String) { ${mutation}(id: $id, input: { note: $note }) { ${REQUEST_FIELDS} } }`, { id, note });
}

/** Creates a request and returns it, failing the test on any error. */
export async function created(graph: TestGraph, key: string, input: Record<string, unknown>): Promise<RequestData> {
  return dataOf(await createRequest(graph, key, input)).createLeaveRequest;
}

/** The id of the newest outbox event (0 when none). */
export function lastEventId(graph: TestGraph): Promise<number> {
  return lastOutboxId(graph.database.handle.root);
}

/** Leave request and allowance events after `afterId`, oldest first. */
export async function leaveEventsAfter(graph: TestGraph, afterId: number): Promise<OutboxEvent[]> {
  return readEvents(graph.database.handle.root, afterId, 1000, ['leave_request.', 'allowance.']);
}
