import type http from 'node:http';
import { GraphQLError, subscribe, type GraphQLSchema } from 'graphql';
import { createHandler } from 'graphql-sse/lib/use/http';
import { sendGraphQLError } from '../../subgraphs/shared/http.ts';
import type { Identity } from '../../subgraphs/shared/identity.ts';
import type { GatewayContext } from '../context.ts';
import { responseKeyResolver } from './subscription-schema.ts';
import type { SubscriberRegistry } from './subscriber-registry.ts';

/** Path of the GraphQL-over-SSE endpoint (distinct connections mode of graphql-sse). */
export const SSE_PATH = '/graphql/stream';

/**
 * GraphQL over Server-Sent Events for clients behind proxies that drop WebSockets: the
 * same subscriptions as graphql-ws, authenticated by the request's headers (done by the
 * caller, which passes the identity). Queries and mutations belong to POST /graphql.
 */
export interface SseOptions {
  readonly schema: () => GraphQLSchema | null;
  /** Open subscribers of every transport: the per-key limit and revocation. */
  readonly registry: SubscriberRegistry;
  /** Most active subscriptions per API key on this instance, every transport. */
  readonly maxPerKey: number;
}

/** The SSE endpoint's handler and shutdown. */
export interface SseStreams {
  /** Handles one request whose identity and credential the caller verified. */
  handle(req: http.IncomingMessage, res: http.ServerResponse, identity: Identity, credential: string): Promise<void>;
  /** Ends every open stream. */
  close(): void;
}

export function createSseHandler(options: SseOptions): SseStreams {
  const { schema } = options;
  const identities = new WeakMap<http.IncomingMessage, Identity>();
  const open = new Set<http.ServerResponse>();
  const handler = createHandler<GatewayContext & Record<PropertyKey, unknown>>({
    schema: () => {
      const loaded = schema();
      if (!loaded) throw new Error('the schema is not loaded yet');
      return loaded;
    },
    context: (req) => {
      const identity = identities.get(req.raw);
      if (!identity) throw new Error('SSE request without an authenticated identity');
      return { identity };
    },
    execute: () => ({
      errors: [new GraphQLError(`Only subscriptions are served at ${SSE_PATH}; send queries and mutations to POST /graphql`, { extensions: { code: 'BAD_USER_INPUT' } })],
    }),
    subscribe: (args) => subscribe({ ...args, fieldResolver: responseKeyResolver }),
  });
  return {
    async handle(req, res, identity, credential) {
      const active = options.registry.count(credential);
      if (active >= options.maxPerKey) {
        const message = `This API key already has ${active} active subscriptions (the limit is ${options.maxPerKey}); complete one first`;
        return sendGraphQLError(req, res, 429, message, 'RATE_LIMITED', {}, { limit: options.maxPerKey });
      }
      identities.set(req, identity);
      open.add(res);
      // A stream is one subscription; a revoked key's streams end.
      const remove = options.registry.add(credential, { subscriptions: () => 1, revoke: () => res.end() });
      res.once('close', () => {
        open.delete(res);
        remove();
      });
      await handler(req, res);
    },
    close() {
      for (const res of open) res.end();
    },
  };
}
