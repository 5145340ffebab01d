import type http from 'node:http';
import { GraphQLError, subscribe, type GraphQLSchema } from 'graphql';
import { createHandler } from 'graphql-sse/lib/use/http';
import type { Identity } from '../../subgraphs/shared/identity.ts';
import type { GatewayContext } from '../context.ts';
import { responseKeyResolver } from './subscription-schema.ts';

/** Path of the GraphQL-over-SSE endpoint (distinct connections mode of graphql-sse). */
export const SSE_PATH = '/graphql/stream';

/**
 * GraphQL over Server-Sent Events for clients behind proxies that drop WebSockets: the
 * same subscriptions as graphql-ws, authenticated by the request's headers (done by the
 * caller, which passes the identity). Queries and mutations belong to POST /graphql.
 */
export function createSseHandler(schema: () => GraphQLSchema | null) {
  const identities = new WeakMap<http.IncomingMessage, Identity>();
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
  return (req: http.IncomingMessage, res: http.ServerResponse, identity: Identity): Promise<void> => {
    identities.set(req, identity);
    return handler(req, res);
  };
}
