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
    })),
  ),
  ...OWN_TYPES,
];

const KNOWN = new Set(WEBHOOK_EVENT_TYPES.map((t) => t.type));

/** True when `type` is in the catalogue. */
export function isWebhookEventType(type: string): boolean {
  return KNOWN.has(type);
}
