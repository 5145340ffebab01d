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
export interface SseOptions {
  readonly schema: () => GraphQLSchema | null;
  /** Most active subscriptions per API key, counting WebSocket ones too (`otherSubscriptions`). */
  readonly maxPerKey: number;
  /** Active WebSocket subscriptions of a key, for the shared per-key limit. */
  readonly otherSubscriptions: (credential: string) => number;
  /** Verifies a key again without cache; throws when it is refused or unreachable. */
  readonly authenticate: (credential: string, options: { fresh: boolean }) => Promise<Identity>;
  readonly isRefusal: (error: unknown) => boolean;
  /** How often keys of open streams are verified again, ms. */
  readonly recheckIntervalMs: number;
}

/** SSE streams open on this instance, by credential, for limits and revocation. */
export interface SseStreams {
  /** Open streams of a key. */
  count(credential: string): number;
  /** Handles one request whose identity and credential the caller verified. */
  handle(req: http.IncomingMessage, res: http.ServerResponse, identity: Identity, credential: string): Promise<void>;
  close(): void;
}

export function createSseHandler(options: SseOptions): SseStreams {
  const { schema } = options;
  const identities = new WeakMap<http.IncomingMessage, Identity>();
  const open = new Map<http.ServerResponse, string>();
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
  const count = (credential: string) => [...open.values()].filter((c) => c === credential).length;
  // A revoked or expired key's streams end at the next check (one verification per key).
  const recheck = setInterval(() => {
    for (const credential of new Set(open.values())) {
      options.authenticate(credential, { fresh: true }).catch((error: unknown) => {
        if (!options.isRefusal(error)) return;
        for (const [res, c] of open) if (c === credential) res.end();
      });
    }
  }, options.recheckIntervalMs);
  recheck.unref();
  return {
    count,
    async handle(req, res, identity, credential) {
      const active = count(credential) + options.otherSubscriptions(credential);
      if (active >= options.maxPerKey) {
        res.writeHead(429, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ errors: [{ message: `This API key already has ${active} active subscriptions (the limit is ${options.maxPerKey}); complete one first`, extensions: { code: 'RATE_LIMITED', limit: options.maxPerKey } }] }));
        return;
      }
      identities.set(req, identity);
      open.set(res, credential);
      res.once('close', () => open.delete(res));
      await handler(req, res);
    },
    close() {
      clearInterval(recheck);
      for (const res of open.keys()) res.end();
    },
  };
}
