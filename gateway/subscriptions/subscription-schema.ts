import { extendSchema, GraphQLError, parse, type GraphQLFieldResolver, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
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
import { sharePayload } from './shared-execution.ts';
import { followUpVisibility, type FollowUpOutcome } from './follow-up-resolver.ts';
import { budgetSubject } from '../operation-policy.ts';
import { serviceLogger } from '../../subgraphs/shared/logger.ts';
import { eventsDelivered, rateLimitRefusals } from '../../subgraphs/shared/metrics.ts';

const log = serviceLogger('gateway');

/** The subscription SDL added to the supergraph's API schema, generated from the event catalogue. */
export const SUBSCRIPTIONS_SDL = subscriptionSdl(EVENT_STREAMS);

/** How an event whose follow-up fails is retried before the subscription ends. */
export interface EventRetryOptions {
  /** Longest an event is retried (holding back later events of that subscriber), ms; default 60 000. */
  readonly holdMs: number;
  /** First wait between attempts, ms, doubled each time; default 250. */
  readonly firstDelayMs: number;
  /** Longest wait between attempts, ms; default 5 000. */
  readonly maxDelayMs: number;
}

/** Defaults of `EventRetryOptions` (`SUBSCRIPTION_EVENT_HOLD_MS` sets `holdMs`). */
export const DEFAULT_EVENT_RETRY: EventRetryOptions = { holdMs: 60_000, firstDelayMs: 250, maxDelayMs: 5_000 };

/** What the subscription resolvers need from the gateway. */
export interface SubscriptionRuntime {
  readonly feed: EventFeed;
  /**
   * Runs a follow-up query for an event as `identity`; the same key (event, query,
   * variables, visibility) is resolved once. Resolves to the outcome: delivered data,
   * invisible (not for this subscriber), or failed (retried). Throws `eventThrottled`.
   */
  readonly resolveFollowUp: (event: OutboxEvent, identity: Identity, followUp: FollowUp, variables: Record<string, unknown>) => Promise<FollowUpOutcome>;
  /** Retry of failed follow-ups; default `DEFAULT_EVENT_RETRY`. */
  readonly retry?: EventRetryOptions | undefined;
  /**
   * Told of each subscription's follow-up as it subscribes, before any event: prepares what
   * the first event would otherwise build (its parse, validation and query plan) without
   * calling a subgraph. Must not throw.
   */
  readonly prepareFollowUp?: ((followUp: FollowUp, identity: Identity) => void) | undefined;
}

/** Opaque cursor of an event (its outbox id). */
export function encodeEventCursor(id: number): string {
  return Buffer.from(`event:${id}`).toString('base64url');
}

/** The event id of a cursor; BAD_USER_INPUT on `after` for anything but `event:<id>` with a safe integer id. */
function decodeEventCursor(cursor: string): number {
  const match = /^event:(\d{1,16})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  const id = match ? Number(match[1]) : Number.NaN;
  if (!Number.isSafeInteger(id)) throw appError('BAD_USER_INPUT', 'after: is not a cursor of this subscription', { field: 'after', rule: 'CURSOR_INVALID' });
  return id;
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
 * A subscriber's leaving. `left` is a plain field because it is read several times per event
 * per subscriber (an AbortSignal's `aborted` getter checks its receiver on every read).
 */
class Departure {
  left = false;
  private readonly handlers = new Set<() => void>();

  /** Calls `handler` once when the subscriber leaves (at once if they have); returns its removal. */
  on(handler: () => void): () => void {
    if (this.left) {
      handler();
      return () => undefined;
    }
    this.handlers.add(handler);
    return () => void this.handlers.delete(handler);
  }

  leave(): void {
    if (this.left) return;
    this.left = true;
    for (const handler of this.handlers) handler();
    this.handlers.clear();
  }
}

/** Waits `ms`, or less when the subscriber leaves first. */
function sleep(ms: number, departure: Departure): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    const off = departure.on(done);
    function done() {
      clearTimeout(timer);
      off();
      resolve();
    }
  });
}

/**
 * Events of the subscriber's organization matching `accept`: first those after `afterId`
 * from the database (up to what the feed had handed out when listening began), then live
 * ones from the feed, with no gap and no duplicate at the seam. Ends as soon as the subscriber
 * leaves, releasing its feed listener at once, with no event needed.
 */
async function* organizationEvents(
  feed: EventFeed,
  orgId: string,
  types: readonly string[],
  afterId: number | null,
  accept: (event: OutboxEvent) => boolean,
  departure: Departure,
): AsyncGenerator<OutboxEvent> {
  const queue: OutboxEvent[] = [];
  let wake: (() => void) | null = null;
  const stop = feed.onEvent((event) => {
    if (event.orgId !== orgId || !types.includes(event.type)) return;
    queue.push(event);
    wake?.();
  });
  // Leaving releases the feed listener at once, even while a later stage still awaits a follow-up.
  const offDeparture = departure.on(() => {
    stop();
    queue.length = 0;
    wake?.();
  });
  try {
    let last = afterId ?? feed.highWater;
    if (afterId !== null) {
      const upTo = feed.highWater;
      for (;;) {
        const page = await feed.replay(orgId, last, upTo, types, 200);
        for (const event of page) {
          if (departure.left) return;
          last = event.id;
          if (accept(event)) yield event;
        }
        if (page.length < 200 || departure.left) break;
      }
    }
    while (!departure.left) {
      for (let event = queue.shift(); event !== undefined && !departure.left; event = queue.shift()) {
        if (event.id <= last) continue;
        last = event.id;
        if (accept(event)) yield event;
      }
      if (departure.left) return;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
    }
  } finally {
    offDeparture();
    stop();
  }
}

/**
 * Checks a resume cursor: a malformed one, one beyond the newest event (no such event was
 * ever written) and one older than the oldest kept event (retention) are refused as
 * BAD_USER_INPUT on `after`.
 */
async function startAfter(feed: EventFeed, after: string | null | undefined): Promise<number | null> {
  if (after === null || after === undefined) return null;
  const id = decodeEventCursor(after);
  if (id > feed.highWater && id > (await feed.newestIssuedId())) {
    throw appError('BAD_USER_INPUT', 'after: no event has this cursor; pass the cursor of the last event you received', { field: 'after', rule: 'CURSOR_AHEAD' });
  }
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
  rateLimitRefusals.inc({ limit: 'event_cost' });
  return appError('RATE_LIMITED', `Cost budget exceeded: this event costs ${cost} points; resubscribe after ${retryAfter} s with after: the cursor given`, {
    retryAfter,
    cursor: encodeEventCursor(event.id - 1),
    budget,
  });
}

/**
 * The error that ends a subscription whose event could not be resolved within the hold
 * time: SERVICE_UNAVAILABLE (or SUBREQUEST_HTTP_ERROR for a subgraph's HTTP error) with the
 * service and the cursor to resume from (this event included), so nothing is lost.
 */
export function eventUnavailable(event: OutboxEvent, failure: Extract<FollowUpOutcome, { kind: 'failed' }>, heldMs: number): GraphQLError {
  const service = failure.service ? `the ${failure.service} service` : 'a service';
  return new GraphQLError(`This event could not be resolved: ${service} did not answer for ${Math.round(heldMs / 1000)} s; resubscribe with after: the cursor given`, {
    extensions: { code: failure.code, service: failure.service, cursor: encodeEventCursor(event.id - 1) },
  });
}

/**
 * One payload object per (event or shared follow-up outcome, subscription field): the
 * subscribers of a group receive the same object, so their selections over it are executed
 * once (see `sharePayload`).
 */
const payloadsOf = new WeakMap<object, Map<EventSubscription, Record<string, unknown>>>();

function groupPayload(key: object, definition: EventSubscription, event: OutboxEvent, data: Record<string, unknown>): Record<string, unknown> {
  let byField = payloadsOf.get(key);
  if (!byField) payloadsOf.set(key, (byField = new Map()));
  let payload = byField.get(definition);
  if (!payload) {
    payload = sharePayload({ ...definition.fields(event), cursor: encodeEventCursor(event.id), occurredAt: event.occurredAt, data });
    byField.set(definition, payload);
  }
  return payload;
}

/**
 * First resolutions of live events, per event object and subscriber group: subscribers with
 * the same budget subject, visibility, subscription field, follow-up and client variables
 * get the same answer for an event (the same follow-up, charged once to the same budget), so
 * the group resolves it once and its members only look it up. A failed resolution is dropped
 * (each member retries it through the runtime, which shares retries in flight).
 */
const firstResolutions = new WeakMap<OutboxEvent, Map<string, Promise<FollowUpOutcome>>>();

function resolveForGroup(group: string, event: OutboxEvent, resolve: () => Promise<FollowUpOutcome>): Promise<FollowUpOutcome> {
  let ofEvent = firstResolutions.get(event);
  if (!ofEvent) firstResolutions.set(event, (ofEvent = new Map()));
  let pending = ofEvent.get(group);
  if (!pending) {
    const started = resolve();
    pending = started;
    ofEvent.set(group, started);
    const forget = () => ofEvent.get(group) === started && ofEvent.delete(group);
    started.then((outcome) => outcome.kind === 'failed' && forget(), forget);
  }
  return pending;
}

/**
 * Maps events to payloads, in order, resolving each subscriber's selection by follow-up
 * query; invisible events are skipped. A follow-up that fails is retried with backoff while
 * later events wait (they stay queued), for at most the hold time; then the subscription
 * ends with `eventUnavailable`. A RATE_LIMITED refusal is delivered as the last payload too.
 * A subscriber who leaves while a follow-up is in flight is gone for its client at once
 * (`closable`); this generator ends when that follow-up settles (within its attempt timeout).
 */
async function* payloads(
  runtime: SubscriptionRuntime,
  definition: EventSubscription,
  events: AsyncGenerator<OutboxEvent>,
  identity: Identity,
  followUp: FollowUp | null,
  departure: Departure,
): AsyncGenerator<Record<string, unknown> | GraphQLError> {
  const retry = runtime.retry ?? DEFAULT_EVENT_RETRY;
  const delivered = eventsDelivered.labels({ stream: definition.stream.field });
  const group = followUp
    ? `${definition.stream.field}|${budgetSubject(identity)}|${followUpVisibility(identity)}|${JSON.stringify(followUp.clientVariables)}|${followUp.text}`
    : '';
  for await (const event of events) {
    if (!followUp) {
      delivered.inc();
      // Every subscriber of this field without an entity selection gets the same payload for the event.
      yield groupPayload(event, definition, event, {});
      continue;
    }
    const resolve = () => runtime.resolveFollowUp(event, identity, followUp, { ...followUp.clientVariables, ...definition.variables(event) });
    const started = Date.now();
    for (let delay = retry.firstDelayMs, attempt = 0; ; delay = Math.min(delay * 2, retry.maxDelayMs), attempt++) {
      let outcome: FollowUpOutcome;
      try {
        outcome = await (attempt === 0 ? resolveForGroup(group, event, resolve) : resolve());
      } catch (error) {
        if (!(error instanceof GraphQLError) || error.extensions['code'] !== 'RATE_LIMITED') throw error;
        yield error;
        return;
      }
      if (departure.left) return;
      if (outcome.kind === 'delivered') {
        delivered.inc();
        // The outcome object is shared by the subscribers of one follow-up group (same visibility, selection, variables).
        yield groupPayload(outcome, definition, event, outcome.data);
        break;
      }
      if (outcome.kind === 'invisible') break;
      const held = Date.now() - started;
      if (held + delay > retry.holdMs) {
        log.warn({ eventId: event.id, heldMs: held, code: outcome.code, subgraph: outcome.service, reason: outcome.message }, 'event unresolved; ending the subscription with its cursor');
        yield eventUnavailable(event, outcome, held);
        return;
      }
      await sleep(delay, departure);
      if (departure.left) return;
    }
  }
}

/**
 * An iterator over `make`'s generator whose `return()` (the subscriber left) takes effect at
 * once: the departure releases the feed listener and queue and wakes the generator, without
 * waiting for another event.
 */
function closable<T>(make: (departure: Departure) => AsyncGenerator<T>): AsyncIterableIterator<T> {
  const departure = new Departure();
  const inner = make(departure);
  const done: IteratorReturnResult<undefined> = { done: true, value: undefined };
  const iterator: AsyncIterableIterator<T> = {
    next: () => (departure.left ? Promise.resolve(done) : inner.next()),
    return: () => {
      departure.leave();
      void inner.return(undefined).catch(() => undefined);
      return Promise.resolve(done);
    },
    throw: (error: unknown) => {
      departure.leave();
      return inner.throw(error);
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}

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
      const followUp = buildFollowUp(info, definition.spec);
      if (followUp) runtime.prepareFollowUp?.(followUp, ctx.identity);
      return closable((departure) => {
        const events = organizationEvents(runtime.feed, ctx.identity.orgId, definition.types, afterId, (e) => definition.accept(filter, e), departure);
        return payloads(runtime, definition, events, ctx.identity, followUp, departure);
      });
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
