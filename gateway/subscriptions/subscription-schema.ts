import { defaultFieldResolver, extendSchema, GraphQLError, parse, type GraphQLFieldResolver, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
import { appError } from '../../subgraphs/shared/errors.ts';
import type { Identity } from '../../subgraphs/shared/identity.ts';
import type { OutboxEvent } from '../../subgraphs/shared/outbox.ts';
import { stripSecurityDirectivesFromDocument } from '../auth/scope-requirements.ts';
import type { GatewayContext } from '../context.ts';
import { eventAction, eventMatches, eventValue, type EventStreamDeclaration } from '../../schema/events/event-stream.ts';
import { EVENT_STREAMS } from '../../schema/events/index.ts';
import { subscriptionSdl } from '../../schema/events/subscription-sdl.ts';
import type { EventFeed } from './event-feed.ts';
import { buildFollowUp, type FollowUp, type FollowUpSpec } from './follow-up.ts';

/** The subscription SDL added to the supergraph's API schema, generated from the event catalogue. */
export const SUBSCRIPTIONS_SDL = subscriptionSdl(EVENT_STREAMS);

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

/** The actor of every event: `user(id)`, skipped by a flag when there is none. */
const ACTOR = { rootField: 'user', args: { id: '__actorId' }, optional: '__withActor' } as const;

/** One subscription field at run time: which events feed it and how an event becomes its payload. */
interface EventSubscription {
  readonly stream: EventStreamDeclaration;
  /** Event fields resolved by the follow-up query (the entity and the actor). */
  readonly entityFields: readonly string[];
  /** The stream's outbox types (read from the outbox as prefixes; `accept` checks them exactly). */
  readonly types: readonly string[];
  readonly spec: FollowUpSpec;
  /** Whether an event passes the subscriber's filter. */
  readonly accept: (filter: Readonly<Record<string, unknown>>, event: OutboxEvent) => boolean;
  /** The `$__` variables of the follow-up for an event. */
  readonly variables: (event: OutboxEvent) => Record<string, unknown>;
  /** The event's own fields (besides cursor and occurredAt). */
  readonly fields: (event: OutboxEvent) => Record<string, unknown>;
}

/** What the gateway runs for a declared stream: nothing here is specific to one stream. */
function eventSubscription(stream: EventStreamDeclaration): EventSubscription {
  const entityArgs = Object.entries(stream.entity.args);
  // Entity arguments become `$__entity_<arg>`, so they never collide with the actor's.
  const entityVariable = (arg: string) => `__entity_${arg}`;
  return {
    stream,
    entityFields: [stream.entity.field, 'actor'],
    types: Object.keys(stream.events),
    spec: {
      fields: {
        [stream.entity.field]: { rootField: stream.entity.rootField, args: Object.fromEntries(entityArgs.map(([arg]) => [arg, entityVariable(arg)])) },
        actor: ACTOR,
      },
      variables: { ...Object.fromEntries(entityArgs.map(([arg, { type }]) => [entityVariable(arg), type])), __actorId: 'ID', __withActor: 'Boolean' },
    },
    accept: (filter, event) => eventMatches(stream, filter, event),
    variables: (event) => ({
      ...Object.fromEntries(entityArgs.map(([arg, { value }]) => [entityVariable(arg), eventValue(event, value)])),
      // A null actor is skipped by `__withActor`; its id variable still needs a value.
      __actorId: event.actorId ?? event.entityId,
      __withActor: event.actorId !== null,
    }),
    fields: (event) => ({ [stream.action.field]: eventAction(stream, event) }),
  };
}

const EVENT_SUBSCRIPTIONS: readonly EventSubscription[] = EVENT_STREAMS.map(eventSubscription);

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
 * The API schema extended with the subscription SDL of the event catalogue, its subscription fields
 * wired to the event feed and follow-up queries.
 */
export function createSubscriptionSchema(apiSchema: GraphQLSchema, runtime: SubscriptionRuntime): GraphQLSchema {
  // Scopes in the SDL are enforced by the operation policy, not part of the schema.
  const schema = extendSchema(apiSchema, stripSecurityDirectivesFromDocument(parse(SUBSCRIPTIONS_SDL)));
  for (const definition of EVENT_SUBSCRIPTIONS) {
    const { field: fieldName, eventType } = definition.stream;
    const field = schema.getSubscriptionType()?.getFields()[fieldName];
    const type = schema.getType(eventType.name) as GraphQLObjectType | undefined;
    if (!field || !type) throw new Error(`the subscription SDL lacks Subscription.${fieldName} or ${eventType.name}`);
    field.subscribe = async (_source, args: { filter?: Record<string, unknown> | null; after?: string | null }, ctx: GatewayContext, info) => {
      const filter = args.filter ?? {};
      const afterId = await startAfter(runtime.feed, args.after);
      const events = organizationEvents(runtime.feed, ctx.identity.orgId, definition.types, afterId, (e) => definition.accept(filter, e));
      return payloads(runtime, definition, events, ctx.identity, buildFollowUp(info, definition.spec));
    };
    // Each yielded payload is the event object itself (or the error that ends the subscription).
    field.resolve = (payload: unknown) => payload;
    for (const [name, eventField] of Object.entries(type.getFields())) {
      // Entity fields come from the follow-up; the event's own fields are read by name, whatever the alias.
      eventField.resolve = (definition.entityFields.includes(name) ? fromData : byName) as GraphQLFieldResolver<unknown, unknown>;
    }
  }
  return schema;
}
