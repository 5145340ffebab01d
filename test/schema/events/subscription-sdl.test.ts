import fs from 'node:fs';
import { buildSchema, extendSchema, parse, type GraphQLObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { eventAction, eventMatches, validateEventStreams, type EventStreamDeclaration } from '../../../schema/events/event-stream.ts';
import { EVENT_STREAMS } from '../../../schema/events/index.ts';
import { ALLOWANCE_EVENTS, LEAVE_REQUEST_EVENTS } from '../../../schema/events/leave.ts';
import { subscriptionSdl, SUBSCRIPTIONS_SDL_PATH } from '../../../schema/events/subscription-sdl.ts';
import { stripSecurityDirectivesFromDocument } from '../../../gateway/auth/scope-requirements.ts';
import { allowanceChangedEvent, leaveRequestEvent } from '../../../subgraphs/leave/events.ts';
import type { AllowanceRow } from '../../../subgraphs/leave/db/tables/allowances.ts';
import type { LeaveRequestRow } from '../../../subgraphs/leave/db/tables/leave-requests.ts';

/** A stream of a made-up domain: what a new subgraph adds (one declaration). */
const WIDGET_EVENTS: EventStreamDeclaration = {
  field: 'widgetEvents',
  description: 'Widget changes.',
  publisher: 'widgets',
  eventType: { name: 'WidgetEvent', description: 'A change to a widget.' },
  action: { field: 'kind', description: 'What happened.', enum: 'WidgetEventKind', enumDescription: 'What happened to a widget.', values: { MADE: 'Made.', BROKEN: 'Broken.' }, from: 'type' },
  events: {
    'widget.made': { action: 'MADE', description: 'A widget was made.', data: { type: 'object' } },
    'widget.broken': { action: 'BROKEN', description: 'A widget broke.', data: { type: 'object' } },
  },
  entity: { field: 'widget', type: 'Widget', description: 'The widget.', rootField: 'widget', args: { id: { type: 'ID', value: { entityId: true } } } },
  filter: {
    input: 'WidgetEventFilter',
    description: 'Conditions.',
    fields: [
      { name: 'kinds', type: '[WidgetEventKind!]', description: 'Only these.', match: { action: 'oneOf' } },
      { name: 'colours', type: '[String!]', description: 'Only these colours.', match: { payload: 'colour', op: 'oneOf' } },
      { name: 'ownerId', type: 'ID', description: 'Only this owner.', match: { payload: 'ownerId' } },
    ],
  },
  scopes: [['read:widgets']],
  visibility: 'Whoever can read the widget.',
};

const event = (type: string, payload: Record<string, unknown>) => ({ type, entityId: 'w1', actorId: null, payload });

describe('the event catalogue', () => {
  it('should generate the checked-in schema/subscriptions.graphql (run `npm run compose` on drift)', () => {
    expect(subscriptionSdl(EVENT_STREAMS)).toBe(fs.readFileSync(SUBSCRIPTIONS_SDL_PATH, 'utf8'));
  });

  it('should build a new stream from its declaration alone: field, scopes, enum, filter and event type', () => {
    const base = buildSchema('scalar DateTime\ntype User { id: ID! }\ntype Widget { id: ID! }\ntype Query { widget(id: ID!): Widget user(id: ID!): User }');
    const sdl = subscriptionSdl([WIDGET_EVENTS]);
    expect(sdl).toContain('widgetEvents(');
    expect(sdl).toContain('@requiresScopes(scopes: [["read:widgets"]])');
    const schema = extendSchema(base, stripSecurityDirectivesFromDocument(parse(sdl)));
    const field = schema.getSubscriptionType()?.getFields()['widgetEvents'];
    expect(String(field?.type)).toBe('WidgetEvent!');
    expect(field?.args.map((a) => `${a.name}: ${String(a.type)}`)).toEqual(['filter: WidgetEventFilter', 'after: String']);
    const type = schema.getType('WidgetEvent') as GraphQLObjectType;
    expect(Object.keys(type.getFields())).toEqual(['cursor', 'kind', 'occurredAt', 'actor', 'widget']);
    // Every type, field and argument is described.
    for (const f of Object.values(type.getFields())) expect(f.description).toBeTruthy();
    for (const a of field?.args ?? []) expect(a.description).toBeTruthy();
  });

  it('should match filters as declared: actions, payload equality and payload lists', () => {
    const made = event('widget.made', { colour: 'red', ownerId: 'u1' });
    expect(eventAction(WIDGET_EVENTS, made)).toBe('MADE');
    expect(eventMatches(WIDGET_EVENTS, {}, made)).toBe(true);
    expect(eventMatches(WIDGET_EVENTS, { kinds: ['BROKEN'] }, made)).toBe(false);
    expect(eventMatches(WIDGET_EVENTS, { kinds: [] }, made)).toBe(true);
    expect(eventMatches(WIDGET_EVENTS, { colours: ['blue', 'red'] }, made)).toBe(true);
    expect(eventMatches(WIDGET_EVENTS, { colours: ['blue'] }, made)).toBe(false);
    expect(eventMatches(WIDGET_EVENTS, { ownerId: 'u2' }, made)).toBe(false);
    expect(eventMatches(WIDGET_EVENTS, { ownerId: 'u1', kinds: ['MADE'] }, made)).toBe(true);
    // An outbox type the stream does not declare is never delivered, whatever its prefix.
    expect(eventMatches(WIDGET_EVENTS, {}, event('widget.made_twice', {}))).toBe(false);
    expect(eventAction(ALLOWANCE_EVENTS, event('allowance.changed', { cause: 'ADJUSTED' }))).toBe('ADJUSTED');
  });

  it('should refuse an inconsistent catalogue', () => {
    expect(() => validateEventStreams([WIDGET_EVENTS, WIDGET_EVENTS])).toThrow(/declared twice/);
    expect(() => validateEventStreams([{ ...WIDGET_EVENTS, events: { 'widget.made': { description: 'x', data: {} } } }])).toThrow(/needs an action/);
    const badFilter = { ...WIDGET_EVENTS.filter, fields: [{ name: 'kinds', type: '[String!]', description: 'x', match: { action: 'oneOf' } as const }] };
    expect(() => validateEventStreams([{ ...WIDGET_EVENTS, filter: badFilter }])).toThrow(/\[WidgetEventKind!\]/);
  });

  it("should describe leave's payloads as they are published (the webhook data schemas)", () => {
    const request = {
      id: 'r1', org_id: 'o1', user_id: 'u1', department_id: null, leave_type_id: 't1', status: 'APPROVED',
      start_date: '2026-03-02', end_date: '2026-03-02', unit: 'DAYS', amount: '1',
    } as unknown as LeaveRequestRow;
    const allowance = { id: 'a1', org_id: 'o1', user_id: 'u1', leave_type_id: 't1', year: 2026 } as unknown as AllowanceRow;
    const published = [
      [LEAVE_REQUEST_EVENTS, leaveRequestEvent(request, 'approved', null, 'ok')],
      [LEAVE_REQUEST_EVENTS, leaveRequestEvent(request, 'created', null)],
      [ALLOWANCE_EVENTS, allowanceChangedEvent(allowance, 'REQUEST_DECIDED', null, 'r1')],
    ] as const;
    for (const [stream, e] of published) {
      const data = stream.events[e.type]?.data as { required: string[]; properties: Record<string, unknown> } | undefined;
      expect(data, e.type).toBeDefined();
      for (const key of Object.keys(e.payload)) expect(data?.properties, `${e.type}.${key}`).toHaveProperty(key);
      for (const key of data?.required ?? []) expect(e.payload, `${e.type} requires ${key}`).toHaveProperty(key);
      expect(e.entityType).toBe(stream.entity.type);
    }
  });
});
