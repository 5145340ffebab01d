import fs from 'node:fs';
import { defaultFieldResolver, extendSchema, GraphQLError, parse, type GraphQLFieldResolver, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
import { appError } from '../../subgraphs/shared/errors.ts';
import type { Identity } from '../../subgraphs/shared/identity.ts';
import type { OutboxEvent } from '../../subgraphs/shared/outbox.ts';
import { stripSecurityDirectivesFromDocument } from '../auth/scope-requirements.ts';
import type { GatewayContext } from '../context.ts';
import type { EventFeed } from './event-feed.ts';
import { buildFollowUp, type FollowUp, type FollowUpSpec } from './follow-up.ts';

/** The subscription SDL added to the supergraph's API schema. */
export const SUBSCRIPTIONS_SDL = fs.readFileSync(new URL('../../schema/subscriptions.graphql', import.meta.url), 'utf8');

/** What the subscription resolvers need from the gateway. */
export interface SubscriptionRuntime {
  readonly feed: EventFeed;
  /**
   * Runs a follow-up query for an event as `identity`; the same key (event, query,
   * variables, visibility) is resolved once. Resolves to the data, or null when an entity
   * the subscriber asked for is not visible to them.
   */
  readonly resolveFollowUp: (event: OutboxEvent, identity: Identity, followUp: FollowUp, variables: Record<string, unknown>) => Promise<Record<string, unknown> | null>;
}

/** Opaque cursor of an event (its outbox id). */
export function encodeEventCursor(id: number): string {
  return Buffer.from(`event:${id}`).toString('base64url');
}

function decodeEventCursor(cursor: string): number {
  const match = /^event:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw appError('BAD_USER_INPUT', 'after: is not a cursor of this subscription', { field: 'after' });
  return Number(match[1]);
}

const ACTOR = { rootField: 'user', args: { id: '__actorId' }, optional: '__withActor' } as const;
const LEAVE_REQUEST_SPEC: FollowUpSpec = {
  fields: { leaveRequest: { rootField: 'leaveRequest', args: { id: '__entityId' } }, actor: ACTOR },
  variables: { __entityId: 'ID', __actorId: 'ID', __withActor: 'Boolean' },
};
const ALLOWANCE_SPEC: FollowUpSpec = {
  fields: { allowance: { rootField: 'allowance', args: { userId: '__userId', leaveTypeId: '__leaveTypeId', year: '__year' } }, actor: ACTOR },
  variables: { __userId: 'ID', __leaveTypeId: 'ID', __year: 'Int', __actorId: 'ID', __withActor: 'Boolean' },
};

/** One subscription field: which events feed it and how an event becomes its payload. */
interface EventSubscription {
  /** Subscription field and event type in the SDL. */
  readonly field: string;
  readonly eventType: string;
  /** Event fields resolved by the follow-up query. */
  readonly entityFields: readonly string[];
  /** Outbox type prefix. */
  readonly prefix: string;
  readonly spec: FollowUpSpec;
  /** Whether an event passes the subscriber's filter. */
  readonly accept: (filter: Readonly<Record<string, unknown>>, event: OutboxEvent) => boolean;
  /** The `$__` variables of the follow-up for an event. */
  readonly variables: (event: OutboxEvent) => Record<string, unknown>;
  /** The event's own fields (besides cursor and occurredAt). */
  readonly fields: (event: OutboxEvent) => Record<string, unknown>;
}

/** True when `filter[key]` is unset or equals the payload's value. */
const matches = (filter: Readonly<Record<string, unknown>>, event: OutboxEvent, key: string) => !filter[key] || event.payload[key] === filter[key];
const oneOf = (values: unknown, value: string) => !Array.isArray(values) || values.length === 0 || values.includes(value);

const EVENT_SUBSCRIPTIONS: readonly EventSubscription[] = [
  {
    field: 'leaveRequestEvents',
    eventType: 'LeaveRequestEvent',
    entityFields: ['leaveRequest', 'actor'],
    prefix: 'leave_request.',
    spec: LEAVE_REQUEST_SPEC,
    accept: (filter, e) =>
      oneOf(filter['types'], e.type.slice('leave_request.'.length).toUpperCase()) &&
      matches(filter, e, 'userId') &&
      matches(filter, e, 'departmentId') &&
      matches(filter, e, 'leaveTypeId'),
    // A null actor is skipped by `__withActor`; its id variable still needs a value.
    variables: (e) => ({ __entityId: e.entityId, __actorId: e.actorId ?? e.entityId, __withActor: e.actorId !== null }),
    fields: (e) => ({ type: e.type.slice('leave_request.'.length).toUpperCase() }),
  },
  {
    field: 'allowanceEvents',
    eventType: 'AllowanceEvent',
    entityFields: ['allowance', 'actor'],
    prefix: 'allowance.',
    spec: ALLOWANCE_SPEC,
    accept: (filter, e) => oneOf(filter['causes'], String(e.payload['cause'])) && matches(filter, e, 'userId') && matches(filter, e, 'leaveTypeId'),
    variables: (e) => ({
      __userId: e.payload['userId'],
      __leaveTypeId: e.payload['leaveTypeId'],
      __year: e.payload['year'],
      __actorId: e.actorId ?? String(e.payload['userId']),
      __withActor: e.actorId !== null,
    }),
    fields: (e) => ({ cause: e.payload['cause'] }),
  },
];

/**
 * Events of the subscriber's organization matching `accept`: first those after `afterId`
 * from the database (up to what the feed had handed out when listening began), then live
 * ones from the feed, with no gap and no duplicate at the seam.
 */
async function* organizationEvents(
  feed: EventFeed,
  orgId: string,
  prefixes: readonly string[],
  afterId: number | null,
  accept: (event: OutboxEvent) => boolean,
): AsyncGenerator<OutboxEvent> {
  const queue: OutboxEvent[] = [];
  let wake: (() => void) | null = null;
  const stop = feed.onEvent((event) => {
    if (event.orgId !== orgId || !prefixes.some((p) => event.type.startsWith(p))) return;
    queue.push(event);
    wake?.();
  });
  try {
    let last = afterId ?? feed.highWater;
    if (afterId !== null) {
      const upTo = feed.highWater;
      for (;;) {
        const page = await feed.replay(orgId, last, upTo, prefixes, 200);
        for (const event of page) {
          last = event.id;
          if (accept(event)) yield event;
        }
        if (page.length < 200) break;
      }
    }
    for (;;) {
      for (let event = queue.shift(); event !== undefined; event = queue.shift()) {
        if (event.id <= last) continue;
        last = event.id;
        if (accept(event)) yield event;
      }
      await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
    }
  } finally {
    stop();
  }
}

/** Checks a resume cursor against retention: a cursor older than the oldest kept event is refused. */
async function startAfter(feed: EventFeed, after: string | null | undefined): Promise<number | null> {
  if (after === null || after === undefined) return null;
  const id = decodeEventCursor(after);
  const oldest = await feed.oldestId();
  if (oldest !== null && id < oldest - 1) {
    throw appError('BAD_USER_INPUT', 'after: events after this cursor are no longer kept (retention); subscribe without after and reload what you show', {
      field: 'after',
      rule: 'CURSOR_EXPIRED',
    });
  }
  return id;
}

/**
 * The error that ends a subscription whose budget cannot pay for an event: RATE_LIMITED with
 * the seconds to wait and the cursor to resume from (this event included), so nothing is lost.
 */
export function eventThrottled(event: OutboxEvent, cost: number, budget: unknown, retryAfter: number): GraphQLError {
  return appError('RATE_LIMITED', `Cost budget exceeded: this event costs ${cost} points; resubscribe after ${retryAfter} s with after: the cursor given`, {
    retryAfter,
    cursor: encodeEventCursor(event.id - 1),
    budget,
  });
}

/**
 * Maps events to payloads, resolving each subscriber's selection by follow-up query; invisible
 * events are skipped. A RATE_LIMITED refusal is delivered as the last payload (an error).
 */
async function* payloads(
  runtime: SubscriptionRuntime,
  definition: EventSubscription,
  events: AsyncGenerator<OutboxEvent>,
  identity: Identity,
  followUp: FollowUp | null,
): AsyncGenerator<Record<string, unknown> | GraphQLError> {
  for await (const event of events) {
    let data: Record<string, unknown> | null = {};
    if (followUp) {
      try {
        data = await runtime.resolveFollowUp(event, identity, followUp, { ...followUp.clientVariables, ...definition.variables(event) });
      } catch (error) {
        if (!(error instanceof GraphQLError) || error.extensions['code'] !== 'RATE_LIMITED') throw error;
        yield error;
        return;
      }
      if (data === null) continue;
    }
    yield { ...definition.fields(event), cursor: encodeEventCursor(event.id), occurredAt: event.occurredAt, data };
  }
}

/**
 * Field resolver for executing subscription payloads: follow-up results are keyed by
 * response key (aliases included), so a field without a resolver reads its response key
 * first, then its name.
 */
export const responseKeyResolver: GraphQLFieldResolver<unknown, unknown> = (source, args, ctx, info) => {
  if (typeof source === 'object' && source !== null && Object.hasOwn(source, info.path.key)) {
    return (source as Record<string, unknown>)[String(info.path.key)];
  }
  return defaultFieldResolver(source, args, ctx, info);
};

const byName: GraphQLFieldResolver<Record<string, unknown>, unknown> = (source, _args, _ctx, info) => source[info.fieldName];

const fromData: GraphQLFieldResolver<{ data: Record<string, unknown> }, unknown> = (source, _args, _ctx, info) =>
  source.data[String(info.path.key)] ?? null;

/**
 * The API schema extended with `schema/subscriptions.graphql`, its subscription fields
 * wired to the event feed and follow-up queries.
 */
export function createSubscriptionSchema(apiSchema: GraphQLSchema, runtime: SubscriptionRuntime): GraphQLSchema {
  // Scopes in the SDL are enforced by the operation policy, not part of the schema.
  const schema = extendSchema(apiSchema, stripSecurityDirectivesFromDocument(parse(SUBSCRIPTIONS_SDL)));
  for (const definition of EVENT_SUBSCRIPTIONS) {
    const field = schema.getSubscriptionType()?.getFields()[definition.field];
    const type = schema.getType(definition.eventType) as GraphQLObjectType | undefined;
    if (!field || !type) throw new Error(`schema/subscriptions.graphql lacks Subscription.${definition.field} or ${definition.eventType}`);
    field.subscribe = async (_source, args: { filter?: Record<string, unknown> | null; after?: string | null }, ctx: GatewayContext, info) => {
      const filter = args.filter ?? {};
      const afterId = await startAfter(runtime.feed, args.after);
      const events = organizationEvents(runtime.feed, ctx.identity.orgId, [definition.prefix], afterId, (e) => definition.accept(filter, e));
      return payloads(runtime, definition, events, ctx.identity, buildFollowUp(info, definition.spec));
    };
    // Each yielded payload is the event object itself (or the error that ends the subscription).
    field.resolve = (payload: unknown) => payload;
    for (const [fieldName, eventField] of Object.entries(type.getFields())) {
      // Entity fields come from the follow-up; the event's own fields are read by name, whatever the alias.
      eventField.resolve = (definition.entityFields.includes(fieldName) ? fromData : byName) as GraphQLFieldResolver<unknown, unknown>;
    }
  }
  return schema;
}
