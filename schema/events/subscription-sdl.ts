import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateEventStreams, type EventStreamDeclaration } from './event-stream.ts';

/** Where the checked-in copy of the generated subscription SDL lives. */
export const SUBSCRIPTIONS_SDL_PATH = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'subscriptions.graphql');

const str = (description: string) => JSON.stringify(description);
const block = (description: string, indent = '') => `${indent}"""\n${indent}${description}\n${indent}"""`;
const scopes = (s: readonly (readonly string[])[]) => `[${s.map((inner) => `[${inner.map((x) => JSON.stringify(x)).join(', ')}]`).join(', ')}]`;

function streamField(stream: EventStreamDeclaration): string {
  return [
    `  ${str(stream.description)}`,
    `  ${stream.field}(`,
    `    "Conditions on the events."`,
    `    filter: ${stream.filter.input}`,
    `    "Cursor of the last event received: resume after it."`,
    `    after: String`,
    `  ): ${stream.eventType.name}! @requiresScopes(scopes: ${scopes(stream.scopes)})`,
  ].join('\n');
}

function streamTypes(stream: EventStreamDeclaration): string {
  const { action, entity, filter, eventType } = stream;
  const values = Object.entries(action.values).map(([value, description]) => `  ${str(description)}\n  ${value}`);
  const inputs = filter.fields.map((f) => `  ${str(f.description)}\n  ${f.name}: ${f.type}`);
  const event = [
    `${block(eventType.description)}\ntype ${eventType.name} {`,
    `  "Opaque cursor: pass it as \`after\` to resume after this event."\n  cursor: String!`,
    `  ${str(action.description)}\n  ${action.field}: ${action.enum}!`,
    `  "When it happened."\n  occurredAt: DateTime!`,
    `  "Who did it; null for service keys and the system."\n  actor: User`,
    `  ${str(entity.description)}\n  ${entity.field}: ${entity.type}!\n}`,
  ].join('\n');
  return [
    `${block(action.enumDescription)}\nenum ${action.enum} {\n${values.join('\n')}\n}`,
    `${block(filter.description)}\ninput ${filter.input} {\n${inputs.join('\n')}\n}`,
    event,
  ].join('\n\n');
}

/**
 * The subscription SDL that extends the gateway's API schema, generated from the event
 * catalogue: one `Subscription` field per stream, with its action enum, filter input and
 * event type. `@requiresScopes` is read by the operation policy and stripped before the
 * schema is extended.
 */
export function subscriptionSdl(streams: readonly EventStreamDeclaration[]): string {
  validateEventStreams(streams);
  const header = [
    '# Generated from schema/events/*.ts by `npm run compose`: edit the declarations, not this file.',
    '# @requiresScopes here is read by the gateway\'s operation policy (as in the subgraphs\' SDL) and',
    '# stripped before the schema is extended.',
    'extend schema {\n  subscription: Subscription\n}',
  ].join('\n');
  const subscription = [
    block(
      'Live events, over WebSocket (graphql-ws) at /graphql or Server-Sent Events at /graphql/stream.\n' +
        'Each event carries its entity, whose fields can be selected as deeply as in a query, across\n' +
        'subgraphs. Events are delivered only to subscribers who may see the entity.',
    ),
    `type Subscription {\n${streams.map(streamField).join('\n')}\n}`,
  ].join('\n');
  return `${[header, subscription, ...streams.map(streamTypes)].join('\n\n')}\n`;
}
