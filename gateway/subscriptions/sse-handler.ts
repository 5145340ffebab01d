import type http from 'node:http';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { createHandler } from 'graphql-sse/lib/use/http';
import { sendGraphQLError } from '../../subgraphs/shared/http.ts';
import type { Caller } from '../auth/caller-authenticator.ts';
import type { GatewayContext } from '../context.ts';
import type { OperationPolicy } from '../operation-policy.ts';
import { subscribeShared } from './shared-execution.ts';
import type { SubscriberRegistry } from './subscriber-registry.ts';
import { rateLimitRefusals } from '../../subgraphs/shared/metrics.ts';

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
  /** The same policy as HTTP: each subscribe is checked (scopes refuse the whole operation), counted and charged. */
  readonly policy: OperationPolicy;
}

/** The SSE endpoint's handler and shutdown. */
export interface SseStreams {
  /** Handles one request of a caller verified from its headers. */
  handle(req: http.IncomingMessage, res: http.ServerResponse, caller: Caller): Promise<void>;
  /** Ends every open stream. */
  close(): void;
}

export function createSseHandler(options: SseOptions): SseStreams {
  const { schema } = options;
  const callers = new WeakMap<http.IncomingMessage, Caller>();
  const open = new Set<http.ServerResponse>();
  const handler = createHandler<GatewayContext & Record<PropertyKey, unknown>>({
    schema: () => {
      const loaded = schema();
      if (!loaded) throw new Error('the schema is not loaded yet');
      return loaded;
    },
    onSubscribe: async (req, params) => {
      const caller = callers.get(req.raw);
      const loaded = schema();
      if (!caller || !loaded) throw new Error('SSE request without an authenticated caller or schema');
      const verdict = await options.policy.evaluate(caller, params, loaded, { scopeMode: 'reject' });
      if (verdict.kind === 'refused') {
        const body = JSON.stringify({ errors: verdict.errors.map((e) => e.toJSON()), extensions: verdict.extensions });
        // An APQ miss is a 200 for Apollo Client's link over HTTP; a stream refused is never a 200 (graphql-sse would read one as the stream).
        return [body, { status: verdict.status === 200 ? 400 : verdict.status, statusText: 'Refused', headers: { 'content-type': 'application/json; charset=utf-8', ...verdict.headers } }];
      }
      return {
        schema: loaded,
        document: verdict.document,
        operationName: verdict.operationName,
        variableValues: verdict.variables,
        contextValue: { identity: caller.identity },
      };
    },
    execute: () => ({
      errors: [new GraphQLError(`Only subscriptions are served at ${SSE_PATH}; send queries and mutations to POST /graphql`, { extensions: { code: 'BAD_USER_INPUT', field: 'query', rule: 'INVALID_VALUE' } })],
    }),
    subscribe: (args) => subscribeShared(args),
  });
  return {
    async handle(req, res, caller) {
      const credential = caller.credential;
      const active = options.registry.count(credential);
      if (active >= options.maxPerKey) {
        const message = `This API key already has ${active} active subscriptions (the limit is ${options.maxPerKey}); complete one first`;
        rateLimitRefusals.inc({ limit: 'subscriptions' });
        return sendGraphQLError(req, res, 429, message, 'RATE_LIMITED', {}, { limit: options.maxPerKey });
      }
      callers.set(req, caller);
      open.add(res);
      // A stream is one subscription; a revoked key's or expired token's streams end.
      const remove = options.registry.add(credential, { transport: 'sse', subscriptions: () => 1, revoke: () => res.end(), expiresAt: caller.expiresAt });
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
