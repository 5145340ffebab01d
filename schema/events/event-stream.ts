/**
 * The event catalogue: one declaration per event stream, from which the gateway builds its
 * subscription fields (SDL and resolvers) and the webhook catalogue its event types. A
 * declaration is plain data (no functions), so any process can read it: the gateway, a
 * webhooks worker, and the subgraph that publishes the events (to type its payloads).
 */

/** A JSON Schema (draft 2020-12) object, as plain data. */
export type JsonSchema = Readonly<Record<string, unknown>>;

/** Where a value of an outbox event comes from: its entity id, its actor, or a payload key. */
export type EventValue = { readonly entityId: true } | { readonly payload: string };

/** One outbox event type of a stream, e.g. `leave_request.approved`. */
export interface EventTypeDeclaration {
  /** What it means, for the webhook catalogue. */
  readonly description: string;
  /** The stream's action value this outbox type stands for, when the action is read from the type (`action.from: 'type'`). */
  readonly action?: string;
  /** JSON Schema of the outbox payload (the webhook's `data`). */
  readonly data: JsonSchema;
}

/** How a filter input field matches an event. */
export type FilterMatch =
  /** A list of action values: the event's action is one of them (an empty list matches all). */
  | { readonly action: 'oneOf' }
  /** A scalar: the payload's value at `payload` equals it. */
  | { readonly payload: string; readonly op?: 'equals' }
  /** A list: the payload's value at `payload` is one of them (an empty list matches all). */
  | { readonly payload: string; readonly op: 'oneOf' };

/** One field of a stream's filter input. */
export interface FilterFieldDeclaration {
  readonly name: string;
  /** Its GraphQL input type, e.g. `ID` or `[LeaveRequestEventType!]`. */
  readonly type: string;
  readonly description: string;
  readonly match: FilterMatch;
}

/** One event stream: a subscription field and the outbox events that feed it. */
export interface EventStreamDeclaration {
  /** The subscription field, e.g. `leaveRequestEvents`. */
  readonly field: string;
  /** Its description in the SDL. */
  readonly description: string;
  /** The subgraph that publishes it (documentation and the webhook catalogue). */
  readonly publisher: string;
  /** The event object type. */
  readonly eventType: { readonly name: string; readonly description: string };
  /** The action field of the event (`type`, `cause`, ...) and its enum. */
  readonly action: {
    readonly field: string;
    readonly description: string;
    readonly enum: string;
    readonly enumDescription: string;
    /** Enum values and their descriptions. */
    readonly values: Readonly<Record<string, string>>;
    /** Read from each outbox type's `action`, or from a payload key. */
    readonly from: 'type' | { readonly payload: string };
  };
  /** The outbox types that feed the stream, exactly (no others are delivered). */
  readonly events: Readonly<Record<string, EventTypeDeclaration>>;
  /** The entity an event is about, resolved per subscriber by a follow-up root field. */
  readonly entity: {
    /** Field on the event, e.g. `leaveRequest`. */
    readonly field: string;
    /** Its GraphQL type, from the supergraph (non-null on the event). */
    readonly type: string;
    readonly description: string;
    /** The Query field that fetches it, and its arguments with their types and values. */
    readonly rootField: string;
    readonly args: Readonly<Record<string, { readonly type: string; readonly value: EventValue }>>;
  };
  /** The filter input: its name, description and fields. */
  readonly filter: { readonly input: string; readonly description: string; readonly fields: readonly FilterFieldDeclaration[] };
  /** Scopes required to subscribe (`@requiresScopes`: any inner list satisfied). */
  readonly scopes: readonly (readonly string[])[];
  /**
   * Who may see an event: the subscriber must be able to read the entity through the
   * follow-up root field (its NOT_FOUND/FORBIDDEN means not delivered). Documentation.
   */
  readonly visibility: string;
}

/** The minimal event the catalogue reads (an outbox row). */
export interface CatalogueEvent {
  readonly type: string;
  readonly entityId: string;
  readonly actorId: string | null;
  readonly payload: Readonly<Record<string, unknown>>;
}

/** The value `value` names in `event`. */
export function eventValue(event: CatalogueEvent, value: EventValue): unknown {
  return 'entityId' in value ? event.entityId : event.payload[value.payload];
}

/** The stream's action of an outbox event (e.g. `APPROVED`), or undefined for an undeclared type. */
export function eventAction(stream: EventStreamDeclaration, event: CatalogueEvent): string | undefined {
  const from = stream.action.from;
  if (from === 'type') return stream.events[event.type]?.action;
  const value = event.payload[from.payload];
  return typeof value === 'string' ? value : undefined;
}

const anyOf = (values: unknown, value: unknown) => !Array.isArray(values) || values.length === 0 || values.includes(value);

/** True when `event` belongs to the stream and passes every given condition of `filter`. */
export function eventMatches(stream: EventStreamDeclaration, filter: Readonly<Record<string, unknown>>, event: CatalogueEvent): boolean {
  if (!Object.hasOwn(stream.events, event.type)) return false;
  for (const field of stream.filter.fields) {
    const wanted = filter[field.name];
    if (wanted === null || wanted === undefined) continue;
    const match = field.match;
    if ('action' in match) {
      if (!anyOf(wanted, eventAction(stream, event))) return false;
    } else if (match.op === 'oneOf') {
      if (!anyOf(wanted, event.payload[match.payload])) return false;
    } else if (event.payload[match.payload] !== wanted) {
      return false;
    }
  }
  return true;
}

/**
 * Checks the catalogue's consistency (throws on the first fault): unique fields and type
 * names, every outbox type in one stream, actions of `from: 'type'` streams declared on
 * every outbox type and in the enum, and exactly one filter field matching the action.
 */
export function validateEventStreams(streams: readonly EventStreamDeclaration[]): void {
  const names = new Set<string>();
  const outboxTypes = new Set<string>();
  const unique = (set: Set<string>, name: string, what: string) => {
    if (set.has(name)) throw new Error(`event catalogue: ${what} ${name} is declared twice`);
    set.add(name);
  };
  for (const stream of streams) {
    for (const name of [stream.field, stream.eventType.name, stream.action.enum, stream.filter.input]) unique(names, name, 'name');
    if (Object.keys(stream.events).length === 0) throw new Error(`event catalogue: ${stream.field} has no outbox types`);
    for (const [type, declaration] of Object.entries(stream.events)) {
      unique(outboxTypes, type, 'outbox type');
      if (stream.action.from === 'type' && (declaration.action === undefined || !Object.hasOwn(stream.action.values, declaration.action))) {
        throw new Error(`event catalogue: ${type} of ${stream.field} needs an action among ${Object.keys(stream.action.values).join(', ')}`);
      }
    }
    const fieldNames = new Set<string>();
    for (const field of stream.filter.fields) {
      unique(fieldNames, field.name, `filter field of ${stream.field}:`);
      if ('action' in field.match && field.type !== `[${stream.action.enum}!]`) {
        throw new Error(`event catalogue: ${stream.field} filter ${field.name} matches the action, so its type is [${stream.action.enum}!]`);
      }
    }
  }
}
