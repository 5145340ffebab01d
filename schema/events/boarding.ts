import type { EventStreamDeclaration, JsonSchema } from './event-stream.ts';

const ID = { type: 'string', format: 'uuid' } as const;
const NULLABLE_ID = { anyOf: [ID, { type: 'null' }] } as const;
const TIME = { type: 'string', format: 'date-time' } as const;

/** Payload of every `student_leave.*` event: keys and what subscribers filter on, never the note. */
const STUDENT_LEAVE_DATA: JsonSchema = {
  type: 'object',
  required: ['studentId', 'houseId', 'leaveTypeId', 'locationId', 'status', 'startsAt', 'endsAt'],
  properties: {
    studentId: { ...ID, description: 'The student on leave.' },
    houseId: { ...NULLABLE_ID, description: "The student's house when the event was published." },
    leaveTypeId: { ...ID, description: 'The leave type.' },
    locationId: { ...NULLABLE_ID, description: 'Where the student is expected to be.' },
    status: { type: 'string', enum: ['SCHEDULED', 'ACTIVE', 'PAST', 'CANCELLED'], description: 'Status when the event was published.' },
    startsAt: { ...TIME, description: 'Start of the leave.' },
    endsAt: { ...TIME, description: 'End of the leave.' },
  },
  additionalProperties: false,
};

const BOARDING_VISIBILITY = 'Staff of the organization with read:boarding: the follow-up root field answers NOT_FOUND for other organizations.';

/** Student leave transitions: `studentLeaveEvents`. */
export const STUDENT_LEAVE_EVENTS: EventStreamDeclaration = {
  field: 'studentLeaveEvents',
  description: 'Student leave created, changed, cancelled or becoming active (its start passed), oldest first. With `after`, first every missed event after that cursor, then live ones.',
  publisher: 'boarding',
  eventType: { name: 'StudentLeaveEvent', description: 'A transition of a student leave.' },
  action: {
    field: 'type',
    description: 'What happened.',
    enum: 'StudentLeaveEventType',
    enumDescription: 'What happened to a student leave.',
    values: {
      CREATED: 'The leave was created.',
      UPDATED: 'Its times, location or note changed.',
      CANCELLED: 'The leave was cancelled.',
      ACTIVATED: 'Its start passed: the student is now on leave.',
    },
    from: 'type',
  },
  events: {
    'student_leave.created': { action: 'CREATED', description: 'A student leave was created (one event per student).', data: STUDENT_LEAVE_DATA },
    'student_leave.updated': { action: 'UPDATED', description: "A student leave's times, location or note changed.", data: STUDENT_LEAVE_DATA },
    'student_leave.cancelled': { action: 'CANCELLED', description: 'A student leave was cancelled.', data: STUDENT_LEAVE_DATA },
    'student_leave.activated': { action: 'ACTIVATED', description: "A student leave's start passed (published once per start).", data: STUDENT_LEAVE_DATA },
  },
  entity: {
    field: 'studentLeave',
    type: 'StudentLeave',
    description: 'The leave as it is when the event is delivered.',
    rootField: 'studentLeave',
    args: { id: { type: 'ID!', value: { entityId: true } } },
  },
  filter: {
    input: 'StudentLeaveEventFilter',
    description: 'Conditions on student leave events; all given conditions must hold.',
    fields: [
      { name: 'types', type: '[StudentLeaveEventType!]', description: 'Only these transitions.', match: { action: 'oneOf' } },
      { name: 'studentId', type: 'ID', description: "Only this student's leave.", match: { payload: 'studentId' } },
      { name: 'houseId', type: 'ID', description: 'Only leave of students of this house.', match: { payload: 'houseId' } },
      { name: 'leaveTypeId', type: 'ID', description: 'Only leave of this type.', match: { payload: 'leaveTypeId' } },
    ],
  },
  scopes: [['read:boarding']],
  visibility: BOARDING_VISIBILITY,
};

/** Student moves: `studentLocationEvents`. */
export const STUDENT_LOCATION_EVENTS: EventStreamDeclaration = {
  field: 'studentLocationEvents',
  description: 'A student checked in somewhere or is in transit (a new location record), oldest first. With `after`, first every missed event after that cursor.',
  publisher: 'boarding',
  eventType: { name: 'StudentLocationEvent', description: 'A student has a new location record.' },
  action: {
    field: 'type',
    description: 'The kind of the record.',
    enum: 'StudentLocationEventType',
    enumDescription: 'The kind of a new location record.',
    values: { CHECK_IN: 'The student checked in at the location.', IN_TRANSIT: 'The student is on the way to the location.' },
    from: { payload: 'type' },
  },
  events: {
    'student.location_changed': {
      description: 'A student has a new location record (one event per student moved).',
      data: {
        type: 'object',
        required: ['studentId', 'locationRecordId', 'locationId', 'houseId', 'state', 'type', 'recordedAt'],
        properties: {
          studentId: { ...ID, description: 'The student who moved.' },
          locationRecordId: { ...ID, description: 'The new location record.' },
          locationId: { ...ID, description: 'Where the student is.' },
          houseId: { ...NULLABLE_ID, description: "The student's house." },
          state: { type: 'string', enum: ['ON_GROUNDS', 'OFF_GROUNDS', 'HOME'], description: "The state of the location's zone." },
          type: { type: 'string', enum: ['CHECK_IN', 'IN_TRANSIT'], description: 'The kind of the record.' },
          recordedAt: { ...TIME, description: 'When the student was there.' },
        },
        additionalProperties: false,
      },
    },
  },
  entity: {
    field: 'student',
    type: 'Student',
    description: 'The student as they are when the event is delivered (`currentLocation` is their latest record).',
    rootField: 'student',
    args: { id: { type: 'ID', value: { entityId: true } } },
  },
  filter: {
    input: 'StudentLocationEventFilter',
    description: 'Conditions on student location events; all given conditions must hold.',
    fields: [
      { name: 'types', type: '[StudentLocationEventType!]', description: 'Only these kinds of record.', match: { action: 'oneOf' } },
      { name: 'studentId', type: 'ID', description: 'Only this student.', match: { payload: 'studentId' } },
      { name: 'houseId', type: 'ID', description: 'Only students of this house.', match: { payload: 'houseId' } },
      { name: 'locationId', type: 'ID', description: 'Only moves to this location.', match: { payload: 'locationId' } },
      { name: 'states', type: '[LocationState!]', description: 'Only moves into zones of these states.', match: { payload: 'state', op: 'oneOf' } },
    ],
  },
  scopes: [['read:boarding']],
  visibility: BOARDING_VISIBILITY,
};

const ROLL_DATA: JsonSchema = {
  type: 'object',
  required: ['status', 'mode', 'kind', 'houseId'],
  properties: {
    status: { type: 'string', enum: ['SCHEDULED', 'ACTIVE', 'COMPLETE'], description: 'Status after the transition.' },
    mode: { type: 'string', enum: ['MANUAL', 'AUTOMATIC'], description: 'How the roll is taken.' },
    kind: { type: 'string', enum: ['DAILY', 'EMERGENCY'], description: 'Daily or emergency.' },
    houseId: { ...NULLABLE_ID, description: "The roll's house filter, if any." },
    students: { type: 'integer', description: 'Students in the roll (started and automatic rolls).' },
    studentIds: { type: 'array', items: ID, description: 'The students marked (roll.marked).' },
  },
  additionalProperties: false,
};

/** Roll transitions: `rollEvents`. */
export const ROLL_EVENTS: EventStreamDeclaration = {
  field: 'rollEvents',
  description: 'Rolls scheduled, started, marked and completed (automatic rolls complete at their start), oldest first. With `after`, first every missed event after that cursor.',
  publisher: 'boarding',
  eventType: { name: 'RollEvent', description: 'A transition of a roll.' },
  action: {
    field: 'type',
    description: 'What happened.',
    enum: 'RollEventType',
    enumDescription: 'What happened to a roll.',
    values: { SCHEDULED: 'An automatic roll was scheduled for a future start.', STARTED: 'A manual roll started.', MARKED: 'Students were marked.', COMPLETED: 'The roll was completed.' },
    from: 'type',
  },
  events: {
    'roll.scheduled': { action: 'SCHEDULED', description: 'An automatic roll was scheduled for a future start (it completes at its start).', data: ROLL_DATA },
    'roll.started': { action: 'STARTED', description: 'A manual roll started.', data: ROLL_DATA },
    'roll.marked': { action: 'MARKED', description: 'Students of an active roll were marked.', data: ROLL_DATA },
    'roll.completed': { action: 'COMPLETED', description: 'A roll was completed (or an automatic roll taken at its start).', data: ROLL_DATA },
  },
  entity: {
    field: 'roll',
    type: 'Roll',
    description: 'The roll as it is when the event is delivered.',
    rootField: 'roll',
    args: { id: { type: 'ID!', value: { entityId: true } } },
  },
  filter: {
    input: 'RollEventFilter',
    description: 'Conditions on roll events; all given conditions must hold.',
    fields: [
      { name: 'types', type: '[RollEventType!]', description: 'Only these transitions.', match: { action: 'oneOf' } },
      { name: 'houseId', type: 'ID', description: "Only rolls of this house's students.", match: { payload: 'houseId' } },
    ],
  },
  scopes: [['read:boarding']],
  visibility: BOARDING_VISIBILITY,
};

/** New pastoral records: `pastoralEvents`. */
export const PASTORAL_EVENTS: EventStreamDeclaration = {
  field: 'pastoralEvents',
  description: 'New pastoral records, oldest first. A sensitive record is delivered only to subscribers with `read:pastoral-sensitive`; the payload never carries its content.',
  publisher: 'boarding',
  eventType: { name: 'PastoralEvent', description: 'A pastoral record was written.' },
  action: {
    field: 'type',
    description: 'What happened.',
    enum: 'PastoralEventType',
    enumDescription: 'What happened to a pastoral record.',
    values: { CREATED: 'The record was written.' },
    from: 'type',
  },
  events: {
    'pastoral.created': {
      action: 'CREATED',
      description: 'A pastoral record was written (keys and the sensitive flag only).',
      data: {
        type: 'object',
        required: ['studentId', 'categoryId', 'sensitive'],
        properties: {
          studentId: { ...ID, description: 'The student.' },
          categoryId: { ...ID, description: 'The category.' },
          sensitive: { type: 'boolean', description: 'Whether the record is sensitive.' },
        },
        additionalProperties: false,
      },
    },
  },
  entity: {
    field: 'pastoralRecord',
    type: 'PastoralRecord',
    description: 'The record as it is when the event is delivered.',
    rootField: 'pastoralRecord',
    args: { id: { type: 'ID!', value: { entityId: true } } },
  },
  filter: {
    input: 'PastoralEventFilter',
    description: 'Conditions on pastoral events; all given conditions must hold.',
    fields: [
      { name: 'types', type: '[PastoralEventType!]', description: 'Only these transitions.', match: { action: 'oneOf' } },
      { name: 'studentId', type: 'ID', description: "Only this student's records.", match: { payload: 'studentId' } },
      { name: 'categoryId', type: 'ID', description: 'Only records of this category.', match: { payload: 'categoryId' } },
    ],
  },
  scopes: [['read:boarding']],
  visibility: 'As for the other boarding streams, and a sensitive record only with read:pastoral-sensitive: pastoralRecord(id) answers NOT_FOUND to everyone else, so the event is withheld.',
};

/** The boarding subgraph's event streams. */
export const BOARDING_EVENT_STREAMS: readonly EventStreamDeclaration[] = [STUDENT_LEAVE_EVENTS, STUDENT_LOCATION_EVENTS, ROLL_EVENTS, PASTORAL_EVENTS];
