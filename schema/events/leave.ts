import type { EventStreamDeclaration, JsonSchema } from './event-stream.ts';

const ID = { type: 'string', format: 'uuid' } as const;
const DATE = { type: 'string', format: 'date' } as const;

/** Payload of every `leave_request.*` event: what subscribers filter on, so a filter needs no query. */
const LEAVE_REQUEST_DATA: JsonSchema = {
  type: 'object',
  required: ['userId', 'departmentId', 'leaveTypeId', 'status', 'startDate', 'endDate', 'amount', 'unit'],
  properties: {
    userId: { ...ID, description: 'The person whose request it is.' },
    departmentId: { anyOf: [ID, { type: 'null' }], description: 'Their department at the time of the request.' },
    leaveTypeId: { ...ID, description: 'The leave type.' },
    status: { type: 'string', enum: ['PENDING', 'APPROVED', 'REJECTED', 'CANCELLED'], description: 'Status after the transition.' },
    startDate: { ...DATE, description: 'First day.' },
    endDate: { ...DATE, description: 'Last day.' },
    amount: { type: 'string', pattern: '^-?\\d+(\\.\\d+)?$', description: 'Amount taken from the allowance, a decimal.' },
    unit: { type: 'string', enum: ['DAYS', 'HOURS'], description: 'Unit of the amount.' },
    note: { type: 'string', description: 'The decision note, when one was given.' },
  },
  additionalProperties: false,
};

const ALLOWANCE_CAUSES = {
  SET: 'An admin set the entitlement or carry-over.',
  ADJUSTED: 'An admin adjusted it.',
  ACCRUED: 'Holiday accrued from hours worked.',
  RECOMPUTED:
    "The entitlement followed a change of the person's working pattern, employment type or start date, or of the organization's full-time week (a RECOMPUTED ledger entry says why).",
  REQUEST_CREATED: 'A request was made against it.',
  REQUEST_UPDATED: 'A pending request against it changed.',
  REQUEST_DECIDED: 'A request against it was approved or rejected.',
  REQUEST_CANCELLED: 'A request against it was cancelled.',
} as const;

const ACTOR_VISIBILITY = 'The subscriber must be able to read the entity: admins see their whole organization, managers their reports, everyone else their own.';

/** Leave request transitions: `leaveRequestEvents`. */
export const LEAVE_REQUEST_EVENTS: EventStreamDeclaration = {
  field: 'leaveRequestEvents',
  description: 'Leave request transitions, oldest first. With `after`, first every missed event after that cursor, then live ones.',
  publisher: 'leave',
  eventType: { name: 'LeaveRequestEvent', description: 'A transition of a leave request.' },
  action: {
    field: 'type',
    description: 'What happened.',
    enum: 'LeaveRequestEventType',
    enumDescription: 'What happened to a leave request.',
    values: {
      CREATED: 'The request was made.',
      UPDATED: 'The pending request was changed.',
      APPROVED: 'The request was approved.',
      REJECTED: 'The request was rejected.',
      CANCELLED: 'The request was cancelled.',
    },
    from: 'type',
  },
  events: {
    'leave_request.created': { action: 'CREATED', description: 'A leave request was made.', data: LEAVE_REQUEST_DATA },
    'leave_request.updated': { action: 'UPDATED', description: 'A pending leave request was changed.', data: LEAVE_REQUEST_DATA },
    'leave_request.approved': { action: 'APPROVED', description: 'A leave request was approved.', data: LEAVE_REQUEST_DATA },
    'leave_request.rejected': { action: 'REJECTED', description: 'A leave request was rejected.', data: LEAVE_REQUEST_DATA },
    'leave_request.cancelled': { action: 'CANCELLED', description: 'A leave request was cancelled.', data: LEAVE_REQUEST_DATA },
  },
  entity: {
    field: 'leaveRequest',
    type: 'LeaveRequest',
    description: 'The request as it is when the event is delivered.',
    rootField: 'leaveRequest',
    args: { id: { type: 'ID', value: { entityId: true } } },
  },
  filter: {
    input: 'LeaveRequestEventFilter',
    description: 'Conditions on leave request events; all given conditions must hold.',
    fields: [
      { name: 'types', type: '[LeaveRequestEventType!]', description: 'Only these transitions.', match: { action: 'oneOf' } },
      { name: 'userId', type: 'ID', description: 'Only requests of this person.', match: { payload: 'userId' } },
      { name: 'departmentId', type: 'ID', description: 'Only requests of members of this department (at the time of the request).', match: { payload: 'departmentId' } },
      { name: 'leaveTypeId', type: 'ID', description: 'Only requests of this leave type.', match: { payload: 'leaveTypeId' } },
    ],
  },
  scopes: [['read:leave']],
  visibility: ACTOR_VISIBILITY,
};

/** Allowance changes: `allowanceEvents`. */
export const ALLOWANCE_EVENTS: EventStreamDeclaration = {
  field: 'allowanceEvents',
  description: 'Changes to allowances (entitlement, adjustments, accruals, used and pending), oldest first.',
  publisher: 'leave',
  eventType: { name: 'AllowanceEvent', description: 'A change to an allowance.' },
  action: {
    field: 'cause',
    description: 'What changed it.',
    enum: 'AllowanceEventCause',
    enumDescription: 'What changed an allowance.',
    values: ALLOWANCE_CAUSES,
    from: { payload: 'cause' },
  },
  events: {
    'allowance.changed': {
      description: "An allowance's entitlement, ledger, used or pending amounts changed.",
      data: {
        type: 'object',
        required: ['userId', 'leaveTypeId', 'year', 'cause'],
        properties: {
          userId: { ...ID, description: 'The person whose allowance it is.' },
          leaveTypeId: { ...ID, description: 'The leave type.' },
          year: { type: 'integer', description: 'The allowance year.' },
          cause: { type: 'string', enum: Object.keys(ALLOWANCE_CAUSES), description: 'What changed it.' },
          leaveRequestId: { ...ID, description: 'The request that changed it, for the REQUEST_* causes.' },
        },
        additionalProperties: false,
      },
    },
  },
  entity: {
    field: 'allowance',
    type: 'Allowance',
    description: 'The allowance as it is when the event is delivered.',
    rootField: 'allowance',
    args: {
      userId: { type: 'ID', value: { payload: 'userId' } },
      leaveTypeId: { type: 'ID', value: { payload: 'leaveTypeId' } },
      year: { type: 'Int', value: { payload: 'year' } },
    },
  },
  filter: {
    input: 'AllowanceEventFilter',
    description: 'Conditions on allowance events; all given conditions must hold.',
    fields: [
      { name: 'causes', type: '[AllowanceEventCause!]', description: 'Only these causes.', match: { action: 'oneOf' } },
      { name: 'userId', type: 'ID', description: "Only this person's allowances.", match: { payload: 'userId' } },
      { name: 'leaveTypeId', type: 'ID', description: 'Only allowances of this leave type.', match: { payload: 'leaveTypeId' } },
    ],
  },
  scopes: [['read:leave']],
  visibility: ACTOR_VISIBILITY,
};

/** The leave subgraph's event streams. */
export const LEAVE_EVENT_STREAMS: readonly EventStreamDeclaration[] = [LEAVE_REQUEST_EVENTS, ALLOWANCE_EVENTS];
