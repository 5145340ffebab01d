// Shared helpers of the time subgraph's suites: people in time's directory, types and submissions through the API.
import { expect } from 'vitest';
import type { NewTestUser, TestGraph, TestOrg, TestUser } from '../../helpers/graph.ts';
import { dataOf } from '../../helpers/assertions.ts';

export { dataOf, expectError, errorOf } from '../../helpers/assertions.ts';

/** The suites' clock: Monday 15 June 2026, 10:00 in London. */
export const NOW = new Date('2026-06-15T09:00:00Z');

/** Adds a person and waits until time's directory knows them. */
export async function addPerson(graph: TestGraph, org: TestOrg, values: NewTestUser = {}): Promise<TestUser> {
  const user = await org.addUser(values);
  await graph.time.catchUpDirectory();
  return user;
}

export const SUBMISSION_FIELDS = `id status date hoursWorked toilHoursAccrued startTime endTime description user { id } overtimeType { id name } decidedBy { id } decisionNote createdBy { id } history { action status actor { id } note }`;

/** Creates an overtime type as `key` (an admin's) and returns its id. */
export async function addOvertimeType(graph: TestGraph, key: string, input: Record<string, unknown>): Promise<string> {
  const res = await graph.gql<{ createOvertimeType: { id: string } }>(key, `mutation($input: CreateOvertimeTypeInput!) { createOvertimeType(input: $input) { id } }`, { input });
  return dataOf(res).createOvertimeType.id;
}

export interface SubmissionData {
  id: string;
  status: string;
  date: string;
  hoursWorked: number;
  toilHoursAccrued: number;
  user: { id: string };
  decidedBy: { id: string } | null;
  history: { action: string; status: string; actor: { id: string } | null; note: string | null }[];
}

/** `createOvertimeSubmission` as `key`; the raw response. */
export function submit(graph: TestGraph, key: string, input: Record<string, unknown>) {
  return graph.gql<{ createOvertimeSubmission: SubmissionData }>(key, `mutation($input: CreateOvertimeSubmissionInput!) { createOvertimeSubmission(input: $input) { ${SUBMISSION_FIELDS} } }`, { input });
}

/** A created submission (fails the test on an error). */
export async function submitted(graph: TestGraph, key: string, input: Record<string, unknown>): Promise<SubmissionData> {
  return dataOf(await submit(graph, key, input)).createOvertimeSubmission;
}

/** approve/reject/cancel as `key`; the raw response. */
export function decide(graph: TestGraph, key: string, action: 'approve' | 'reject' | 'cancel', id: string, note?: string) {
  const field = `${action}OvertimeSubmission`;
  return graph.gql<Record<string, SubmissionData>>(key, `mutation($id: ID!, $note: String) { ${field}(id: $id, input: { note: $note }) { ${SUBMISSION_FIELDS} } }`, { id, note });
}

/** The decided submission (fails the test on an error). */
export async function decided(graph: TestGraph, key: string, action: 'approve' | 'reject' | 'cancel', id: string, note?: string): Promise<SubmissionData> {
  const value = dataOf(await decide(graph, key, action, id, note))[`${action}OvertimeSubmission`];
  expect(value).toBeDefined();
  return value as SubmissionData;
}

export interface BalanceData {
  asOf: string;
  accrued: number;
  used: number;
  expired: number;
  available: number;
  hoursExpiringSoon: number;
  nextExpiry: { date: string; hours: number } | null;
}

const BALANCE_FIELDS = 'asOf accrued used expired available hoursExpiringSoon nextExpiry { date hours }';

/** A person's TOIL balance through `user(id)`, as `key`. */
export async function balanceOf(graph: TestGraph, key: string, userId: string, asOf?: string, within?: number): Promise<BalanceData> {
  const res = await graph.gql<{ user: { toilBalance: BalanceData } }>(
    key,
    `query($id: ID!, $asOf: Date, $within: Int) { user(id: $id) { toilBalance(asOf: $asOf, expiringWithinDays: $within) { ${BALANCE_FIELDS} } } }`,
    { id: userId, asOf, within: within ?? 30 },
  );
  return dataOf(res).user.toilBalance;
}

/** `adjustToil` as `key`; the raw response. */
export function adjust(graph: TestGraph, key: string, userId: string, hours: number, reason: string, date?: string) {
  return graph.gql<{ adjustToil: BalanceData }>(
    key,
    `mutation($userId: ID!, $hours: Float!, $date: Date, $reason: String!) { adjustToil(input: { userId: $userId, hours: $hours, date: $date, reason: $reason }) { ${BALANCE_FIELDS} } }`,
    { userId, hours, date, reason },
  );
}
