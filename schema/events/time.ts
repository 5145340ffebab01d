import type { EventStreamDeclaration, JsonSchema } from './event-stream.ts';

const ID = { type: 'string', format: 'uuid' } as const;
const DATE = { type: 'string', format: 'date' } as const;
const DECIMAL = { type: 'string', pattern: '^-?\\d+(\\.\\d+)?$' } as const;

/** Payload of every `overtime.*` event: what subscribers filter on, so a filter needs no query. */
const OVERTIME_DATA: JsonSchema = {
  type: 'object',
  required: ['userId', 'departmentId', 'overtimeTypeId', 'status', 'date', 'hoursWorked', 'toilHoursAccrued'],
  properties: {
    userId: { ...ID, description: 'The person whose overtime it is.' },
    departmentId: { anyOf: [ID, { type: 'null' }], description: 'Their department when it was submitted.' },
    overtimeTypeId: { ...ID, description: 'The overtime type.' },
    status: { type: 'string', enum: ['PENDING', 'APPROVED', 'REJECTED', 'CANCELLED'], description: 'Status after the transition.' },
    date: { ...DATE, description: 'The day worked.' },
    hoursWorked: { ...DECIMAL, description: 'Hours worked, a decimal.' },
    toilHoursAccrued: { anyOf: [DECIMAL, { type: 'null' }], description: 'TOIL hours the approval accrued, a decimal; null until approved and for paid types.' },
    note: { type: 'string', description: 'The decision or cancellation note, when one was given.' },
  },
  additionalProperties: false,
};

const VISIBILITY = "The subscriber must be able to read the person's time: admins see their whole organization, managers their reports, everyone else their own.";

/** Overtime submission transitions: `overtimeEvents`. */
export const OVERTIME_EVENTS: EventStreamDeclaration = {
  field: 'overtimeEvents',
  description:
    'Overtime submission transitions, oldest first (a deleted pending submission is not delivered: it can no longer be read). With `after`, first every missed event after that cursor, then live ones.',
  publisher: 'time',
  eventType: { name: 'OvertimeEvent', description: 'A transition of an overtime submission.' },
  action: {
    field: 'type',
    description: 'What happened.',
    enum: 'OvertimeEventType',
    enumDescription: 'What happened to an overtime submission.',
    values: {
      CREATED: 'The overtime was submitted.',
      UPDATED: 'The pending submission was changed.',
      APPROVED: 'The submission was approved (a TOIL type accrued its TOIL).',
      REJECTED: 'The submission was rejected.',
      CANCELLED: 'The approved submission was cancelled and its TOIL taken back.',
    },
    from: 'type',
  },
  events: {
    'overtime.created': { action: 'CREATED', description: 'Overtime was submitted.', data: OVERTIME_DATA },
    'overtime.updated': { action: 'UPDATED', description: 'A pending overtime submission was changed.', data: OVERTIME_DATA },
    'overtime.approved': { action: 'APPROVED', description: 'An overtime submission was approved.', data: OVERTIME_DATA },
    'overtime.rejected': { action: 'REJECTED', description: 'An overtime submission was rejected.', data: OVERTIME_DATA },
    'overtime.cancelled': { action: 'CANCELLED', description: 'An approved overtime submission was cancelled.', data: OVERTIME_DATA },
  },
  entity: {
    field: 'overtimeSubmission',
    type: 'OvertimeSubmission',
    description: 'The submission as it is when the event is delivered.',
    rootField: 'overtimeSubmission',
    args: { id: { type: 'ID', value: { entityId: true } } },
  },
  filter: {
    input: 'OvertimeEventFilter',
    description: 'Conditions on overtime events; all given conditions must hold.',
    fields: [
      { name: 'types', type: '[OvertimeEventType!]', description: 'Only these transitions.', match: { action: 'oneOf' } },
      { name: 'userId', type: 'ID', description: "Only this person's overtime.", match: { payload: 'userId' } },
      { name: 'departmentId', type: 'ID', description: 'Only overtime of members of this department (when submitted).', match: { payload: 'departmentId' } },
      { name: 'overtimeTypeId', type: 'ID', description: 'Only overtime of this type.', match: { payload: 'overtimeTypeId' } },
    ],
  },
  scopes: [['read:time']],
  visibility: VISIBILITY,
};

const TOIL_CAUSES = {
  ACCRUED: 'A lot was earned (approved TOIL overtime, or an admin credit).',
  REVOKED: 'A lot was taken back (its overtime was cancelled).',
  USED: 'Hours were used (TOIL leave approved, or an admin use).',
  RETURNED: 'Used hours were given back (TOIL leave cancelled).',
  ADJUSTED: 'An admin adjusted the TOIL.',
} as const;

/** Changes to a person's TOIL: `toilEvents`. */
export const TOIL_EVENTS: EventStreamDeclaration = {
  field: 'toilEvents',
  description: "Changes to people's TOIL (accruals, uses, give-backs, revocations), oldest first.",
  publisher: 'time',
  eventType: { name: 'ToilEvent', description: "A change to a person's TOIL." },
  action: {
    field: 'cause',
    description: 'What changed it.',
    enum: 'ToilEventCause',
    enumDescription: "What changed a person's TOIL.",
    values: TOIL_CAUSES,
    from: { payload: 'cause' },
  },
  events: {
    'toil.changed': {
      description: "A person's TOIL lots changed; the payload is a snapshot of every live lot.",
      data: {
        type: 'object',
        required: ['userId', 'cause', 'sourceId', 'lots'],
        properties: {
          userId: { ...ID, description: 'The person.' },
          cause: { type: 'string', enum: Object.keys(TOIL_CAUSES), description: 'What changed it.' },
          sourceId: { anyOf: [{ type: 'string' }, { type: 'null' }], description: 'What caused it: an overtime submission, a leave request or an adjustment.' },
          lots: {
            type: 'array',
            description: 'Every live lot after the change, oldest first.',
            items: {
              type: 'object',
              required: ['id', 'earnedOn', 'hours', 'used', 'expiresOn'],
              properties: {
                id: ID,
                earnedOn: DATE,
                hours: DECIMAL,
                used: DECIMAL,
                expiresOn: { anyOf: [DATE, { type: 'null' }] },
              },
              additionalProperties: false,
            },
          },
        },
        additionalProperties: false,
      },
    },
  },
  entity: {
    field: 'toilBalance',
    type: 'ToilBalance',
    description: "The person's TOIL balance as it is when the event is delivered.",
    rootField: 'toilBalance',
    args: { userId: { type: 'ID', value: { payload: 'userId' } } },
  },
  filter: {
    input: 'ToilEventFilter',
    description: 'Conditions on TOIL events; all given conditions must hold.',
    fields: [
      { name: 'causes', type: '[ToilEventCause!]', description: 'Only these causes.', match: { action: 'oneOf' } },
      { name: 'userId', type: 'ID', description: "Only this person's TOIL.", match: { payload: 'userId' } },
    ],
  },
  scopes: [['read:time']],
  visibility: VISIBILITY,
};

/** The time subgraph's event streams. */
export const TIME_EVENT_STREAMS: readonly EventStreamDeclaration[] = [OVERTIME_EVENTS, TOIL_EVENTS];
