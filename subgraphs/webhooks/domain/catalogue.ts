import type { JsonSchema } from '../../../schema/events/event-stream.ts';
import { EVENT_STREAMS } from '../../../schema/events/index.ts';

/** One webhook event type: an outbox type of the event catalogue. */
export interface WebhookEventType {
  readonly type: string;
  readonly description: string;
  /** The subgraph that publishes it. */
  readonly publisher: string;
  /** The GraphQL type of the entity the event is about. */
  readonly entityType: string;
  readonly dataSchema: JsonSchema;
  /**
   * Scopes the registrar of an endpoint needs to receive it (any inner list satisfied): the
   * stream's subscription scopes, so a webhook carries nothing its registrar could not read.
   */
  readonly scopes: readonly (readonly string[])[];
}

/** The event sent by `sendTestWebhook`; not in the outbox. */
export const TEST_EVENT_TYPE = 'webhook.test';

/** Published by the webhooks service itself when it disables a failing endpoint. */
export const ENDPOINT_DISABLED_TYPE = 'webhook_endpoint.disabled';

const OWN_TYPES: readonly WebhookEventType[] = [
  {
    type: ENDPOINT_DISABLED_TYPE,
    description: 'An endpoint was disabled after failing for too long (it is not sent to the disabled endpoint itself).',
    publisher: 'webhooks',
    entityType: 'WebhookEndpoint',
    scopes: [],
    dataSchema: {
      type: 'object',
      required: ['url', 'reason'],
      properties: { url: { type: 'string' }, reason: { type: 'string' } },
      additionalProperties: false,
    },
  },
];

/**
 * Every event type a webhook can receive: each outbox type declared in the event catalogue
 * (`schema/events/`), the same declarations the gateway builds its subscriptions from, plus
 * the webhooks service's own.
 */
export const WEBHOOK_EVENT_TYPES: readonly WebhookEventType[] = [
  ...EVENT_STREAMS.flatMap((stream) =>
    Object.entries(stream.events).map(([type, declaration]) => ({
      type,
      description: declaration.description,
      publisher: stream.publisher,
      entityType: stream.entity.type,
      dataSchema: declaration.data,
      scopes: stream.scopes,
    })),
  ),
  ...OWN_TYPES,
];

const BY_TYPE = new Map(WEBHOOK_EVENT_TYPES.map((t) => [t.type, t]));

/** True when `type` is in the catalogue. */
export function isWebhookEventType(type: string): boolean {
  return BY_TYPE.has(type);
}

/**
 * The first of `types` (every catalogue type when empty: an endpoint for all events) whose
 * scopes `hasScope` does not grant, or undefined when all are granted.
 */
export function firstUngrantedType(types: readonly string[], hasScope: (scope: string) => boolean): string | undefined {
  const wanted = types.length === 0 ? WEBHOOK_EVENT_TYPES : types.flatMap((t) => BY_TYPE.get(t) ?? []);
  return wanted.find((t) => t.scopes.length > 0 && !t.scopes.some((all) => all.every(hasScope)))?.type;
}
