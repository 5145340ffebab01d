import type { EventStreamDeclaration, JsonSchema } from './event-stream.ts';

const ID = { type: 'string', format: 'uuid' } as const;
const NULLABLE_ID = { anyOf: [ID, { type: 'null' }] } as const;
const NULLABLE_TEXT = { anyOf: [{ type: 'string' }, { type: 'null' }] } as const;
const DECIMAL = { type: 'string', pattern: '^-?\\d+(\\.\\d+)?$' } as const;

// The payloads are people's snapshots (subgraphs/shared/people-events.ts): the whole record
// after the write, as the other subgraphs consume them. Every field is one an admin with
// read:people reads on the entity, which is why every stream here needs read:people.

/** Payload of every `user.*` event: `UserSnapshot`. */
const USER_DATA: JsonSchema = {
  type: 'object',
  required: ['id', 'email', 'name', 'role', 'departmentId', 'managerId', 'country', 'region', 'workingPattern', 'employmentType', 'employmentStartDate', 'active'],
  properties: {
    id: { ...ID, description: 'The user.' },
    email: { type: 'string', description: 'Work email.' },
    name: { type: 'string', description: 'First and last name.' },
    role: { type: 'string', enum: ['ADMIN', 'MANAGER', 'EMPLOYEE'], description: 'Role in the organization.' },
    departmentId: { ...NULLABLE_ID, description: 'Their department.' },
    managerId: { ...NULLABLE_ID, description: 'Their line manager.' },
    country: { ...NULLABLE_TEXT, description: "Their own country (ISO 3166-1 alpha-2); null: the organization's." },
    region: { ...NULLABLE_TEXT, description: 'Their region, for regional public holidays.' },
    workingPattern: { type: 'array', items: DECIMAL, minItems: 7, maxItems: 7, description: 'Hours Monday to Sunday, decimals.' },
    employmentType: { type: 'string', enum: ['FULL_TIME', 'PART_TIME', 'IRREGULAR_HOURS'], description: 'Employment type.' },
    employmentStartDate: { anyOf: [{ type: 'string', format: 'date' }, { type: 'null' }], description: 'First day of employment.' },
    externalId: { ...NULLABLE_TEXT, description: 'Their id in another HR or rostering system (absent in events older than the field).' },
    active: { type: 'boolean', description: 'False once deactivated.' },
  },
  additionalProperties: false,
};

const DEPARTMENT_DATA: JsonSchema = {
  type: 'object',
  required: ['id', 'name', 'managerId', 'active'],
  properties: {
    id: { ...ID, description: 'The department.' },
    name: { type: 'string', description: 'Its name.' },
    managerId: { ...NULLABLE_ID, description: 'Its manager.' },
    active: { type: 'boolean', description: 'False once deactivated.' },
  },
  additionalProperties: false,
};

const ORGANIZATION_DATA: JsonSchema = {
  type: 'object',
  required: ['id', 'name', 'timeZone', 'country', 'leaveYearStartMonth'],
  properties: {
    id: { ...ID, description: 'The organization.' },
    name: { type: 'string', description: 'Its name.' },
    timeZone: { type: 'string', description: 'IANA time zone.' },
    country: { type: 'string', description: 'ISO 3166-1 alpha-2 country code.' },
    leaveYearStartMonth: { type: 'integer', minimum: 1, maximum: 12, description: 'Month the leave year starts.' },
    fullTimeWeeklyHours: { ...DECIMAL, description: 'Hours of its full-time week, 2 decimal places (absent in events older than the setting).' },
  },
  additionalProperties: false,
};

const PEOPLE_VISIBILITY = 'Members of the organization with read:people (the follow-up root field answers NOT_FOUND for other organizations); personal fields of a User need read:people as everywhere.';

/** Users added, changed, deactivated or reactivated: `userEvents`. */
export const USER_EVENTS: EventStreamDeclaration = {
  field: 'userEvents',
  description: 'People added, changed, deactivated or reactivated, oldest first. With `after`, first every missed event after that cursor, then live ones.',
  publisher: 'people',
  eventType: { name: 'UserEvent', description: 'A change to a person of the organization.' },
  action: {
    field: 'type',
    description: 'What happened.',
    enum: 'UserEventType',
    enumDescription: 'What happened to a person.',
    values: {
      CREATED: 'The person was added.',
      UPDATED: 'Their details, role, department, manager or working pattern changed.',
      DEACTIVATED: 'They were deactivated (they can no longer sign in).',
      REACTIVATED: 'They were reactivated.',
    },
    from: 'type',
  },
  events: {
    'user.created': { action: 'CREATED', description: 'A person was added (also published for every person of a seeded organization).', data: USER_DATA },
    'user.updated': { action: 'UPDATED', description: "A person's details changed; the payload is the whole record after the change.", data: USER_DATA },
    'user.deactivated': { action: 'DEACTIVATED', description: 'A person was deactivated.', data: USER_DATA },
    'user.reactivated': { action: 'REACTIVATED', description: 'A person was reactivated.', data: USER_DATA },
  },
  entity: {
    field: 'user',
    type: 'User',
    description: 'The person as they are when the event is delivered.',
    rootField: 'user',
    args: { id: { type: 'ID!', value: { entityId: true } } },
  },
  filter: {
    input: 'UserEventFilter',
    description: 'Conditions on user events; all given conditions must hold.',
    fields: [
      { name: 'types', type: '[UserEventType!]', description: 'Only these changes.', match: { action: 'oneOf' } },
      { name: 'userId', type: 'ID', description: 'Only this person.', match: { payload: 'id' } },
      { name: 'departmentId', type: 'ID', description: 'Only people of this department (after the change).', match: { payload: 'departmentId' } },
      { name: 'managerId', type: 'ID', description: 'Only people with this line manager (after the change).', match: { payload: 'managerId' } },
    ],
  },
  scopes: [['read:people']],
  visibility: PEOPLE_VISIBILITY,
};

/** Departments added, changed or deactivated: `departmentEvents`. */
export const DEPARTMENT_EVENTS: EventStreamDeclaration = {
  field: 'departmentEvents',
  description: 'Departments added, changed or deactivated, oldest first. With `after`, first every missed event after that cursor, then live ones.',
  publisher: 'people',
  eventType: { name: 'DepartmentEvent', description: 'A change to a department.' },
  action: {
    field: 'type',
    description: 'What happened.',
    enum: 'DepartmentEventType',
    enumDescription: 'What happened to a department.',
    values: { CREATED: 'The department was added.', UPDATED: 'Its name or manager changed.', DEACTIVATED: 'It was deactivated.' },
    from: 'type',
  },
  events: {
    'department.created': { action: 'CREATED', description: 'A department was added.', data: DEPARTMENT_DATA },
    'department.updated': { action: 'UPDATED', description: "A department's name or manager changed.", data: DEPARTMENT_DATA },
    'department.deactivated': { action: 'DEACTIVATED', description: 'A department was deactivated.', data: DEPARTMENT_DATA },
  },
  entity: {
    field: 'department',
    type: 'Department',
    description: 'The department as it is when the event is delivered.',
    rootField: 'department',
    args: { id: { type: 'ID!', value: { entityId: true } } },
  },
  filter: {
    input: 'DepartmentEventFilter',
    description: 'Conditions on department events; all given conditions must hold.',
    fields: [
      { name: 'types', type: '[DepartmentEventType!]', description: 'Only these changes.', match: { action: 'oneOf' } },
      { name: 'departmentId', type: 'ID', description: 'Only this department.', match: { payload: 'id' } },
    ],
  },
  scopes: [['read:people']],
  visibility: PEOPLE_VISIBILITY,
};

/** The organization's own settings: `organizationEvents`. */
export const ORGANIZATION_EVENTS: EventStreamDeclaration = {
  field: 'organizationEvents',
  description: "Changes to the caller's organization (name, time zone, country, leave year, full-time week), oldest first. With `after`, first every missed event after that cursor.",
  publisher: 'people',
  eventType: { name: 'OrganizationEvent', description: "A change to the organization's settings." },
  action: {
    field: 'type',
    description: 'What happened.',
    enum: 'OrganizationEventType',
    enumDescription: 'What happened to the organization.',
    values: { CREATED: 'The organization was created.', UPDATED: 'Its settings changed.' },
    from: 'type',
  },
  events: {
    'organization.created': { action: 'CREATED', description: 'The organization was created.', data: ORGANIZATION_DATA },
    'organization.updated': { action: 'UPDATED', description: "The organization's settings changed.", data: ORGANIZATION_DATA },
  },
  entity: {
    field: 'organization',
    type: 'Organization',
    description: 'The organization as it is when the event is delivered.',
    rootField: 'organization',
    args: {},
  },
  filter: {
    input: 'OrganizationEventFilter',
    description: 'Conditions on organization events; all given conditions must hold.',
    fields: [{ name: 'types', type: '[OrganizationEventType!]', description: 'Only these changes.', match: { action: 'oneOf' } }],
  },
  scopes: [['read:people']],
  visibility: PEOPLE_VISIBILITY,
};

/** The people subgraph's event streams. */
export const PEOPLE_EVENT_STREAMS: readonly EventStreamDeclaration[] = [USER_EVENTS, DEPARTMENT_EVENTS, ORGANIZATION_EVENTS];
