import type http from 'node:http';
import { execute, GraphQLError, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { Caller } from '../auth/caller-authenticator.ts';
import type { OperationPolicy } from '../operation-policy.ts';
import type { SubscriberRegistry } from './subscriber-registry.ts';
import { responseKeyResolver, subscribeShared } from './shared-execution.ts';
import { rateLimitRefusals } from '../../subgraphs/shared/metrics.ts';

/** Close code and reason sent to every subscriber when the gateway shuts down; clients reconnect and resume by cursor. */
export const SHUTDOWN_CLOSE = { code: 1001, reason: 'Gateway shutting down: reconnect and resume with your last cursor' } as const;

export interface SubscriptionServerOptions {
  readonly httpServer: http.Server;
  /** Path of the endpoint; default /graphql (the same as HTTP). */
  readonly path?: string;
  /** The extended schema (null until the gateway has loaded). */
  readonly schema: () => GraphQLSchema | null;
  /** The caller an API key or JWT acts as, used from `ip`; throws to refuse the connection. */
  readonly authenticate: (credential: string, ip: string) => Promise<Caller>;
  /** The client address of an upgrade request. */
  readonly clientIp: (request: http.IncomingMessage) => string;
  /** The same policy as HTTP: each subscribe is checked (scopes refuse the whole operation), counted and charged. */
  readonly policy: OperationPolicy;
  /** Open subscribers of every transport: the per-key limit and revocation. */
  readonly registry: SubscriberRegistry;
  /** Most active subscriptions on one connection; default 100. */
  readonly maxPerConnection?: number | undefined;
  /** Most active subscriptions of one API key on this instance, every transport; default 1 000. */
  readonly maxPerKey?: number | undefined;
}

/** Close code and reason for a connection whose key was revoked or expired, whose token expired, or whose person was deactivated (at most 123 bytes). */
export const REVOKED_CLOSE = { code: 4401, reason: 'Unauthorized: the API key was revoked or has expired, the token expired, or its person was deactivated' } as const;

/** The API key in `connectionParams`: `X-Api-Key` (any case), `apiKey`, or `Authorization: Bearer <key>`. */
export function credentialFromParams(params: Readonly<Record<string, unknown>> | undefined): string | undefined {
  if (!params) return undefined;
  for (const [key, value] of Object.entries(params)) {
    if (typeof value !== 'string') continue;
    const k = key.toLowerCase();
    if (k === 'x-api-key' || k === 'apikey') return value.trim();
    if (k === 'authorization') {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(value);
      if (match) return match[1];
    }
  }
  return undefined;
}

type Extra = Record<PropertyKey, unknown> & { caller?: Caller; request: http.IncomingMessage };

/**
 * graphql-ws on the gateway's own HTTP server. A connection authenticates once in
 * `connectionParams` with the same API keys and JWTs as HTTP, IP allowlists included
 * (refused: close 4403); each subscribe goes through the operation policy and runs with
 * that identity. A JWT's connection closes (4401) when the token expires.
 */
export function attachSubscriptionServer(options: SubscriptionServerOptions): { close(): Promise<void> } {
  const wss = new WebSocketServer({ server: options.httpServer, path: options.path ?? '/graphql' });
  const maxPerConnection = options.maxPerConnection ?? 100;
  const maxPerKey = options.maxPerKey ?? 1000;
  const limitError = (message: string, limit: number) => {
    rateLimitRefusals.inc({ limit: 'subscriptions' });
    return [new GraphQLError(message, { extensions: { code: 'RATE_LIMITED', limit } })] as const;
  };
  const disposable = useServer<Record<string, unknown> | undefined, Extra>(
    {
      schema: () => {
        const schema = options.schema();
        if (!schema) throw new Error('the schema is not loaded yet');
        return schema;
      },
      onConnect: async (ctx) => {
        const credential = credentialFromParams(ctx.connectionParams);
        if (!credential) return false;
        let caller: Caller;
        try {
          caller = await options.authenticate(credential, options.clientIp(ctx.extra.request));
        } catch {
          return false;
        }
        ctx.extra.caller = caller;
        const socket = ctx.extra.socket;
        const remove = options.registry.add(credential, {
          transport: 'websocket',
          subscriptions: () => Object.keys(ctx.subscriptions).length,
          revoke: () => socket.close(REVOKED_CLOSE.code, REVOKED_CLOSE.reason),
          expiresAt: caller.expiresAt,
        });
        socket.once('close', remove);
        return true;
      },
      onSubscribe: async (ctx, _id, payload) => {
        // graphql-ws registers the new operation's id before this runs: leave it out of the counts.
        const own = Object.keys(ctx.subscriptions).length - 1;
        if (own >= maxPerConnection) {
          return limitError(`This connection already has ${own} active subscriptions (the limit is ${maxPerConnection}); complete one first`, maxPerConnection);
        }
        const ofKey = options.registry.count(ctx.extra.caller?.credential ?? '') - 1;
        if (ofKey >= maxPerKey) {
          return limitError(`This API key already has ${ofKey} active subscriptions (the limit is ${maxPerKey}); complete one first`, maxPerKey);
        }
        const caller = ctx.extra.caller;
        const schema = options.schema();
        if (!caller || !schema) return [new GraphQLError('The gateway is still loading its schema', { extensions: { code: 'SERVICE_UNAVAILABLE' } })];
        // Subscribing is checked like an HTTP operation; a field out of scope refuses it whole.
        const verdict = await options.policy.evaluate(caller, payload, schema, { scopeMode: 'reject' });
        if (verdict.kind === 'refused') return verdict.errors;
        return {
          schema,
          document: verdict.document,
          operationName: verdict.operationName,
          variableValues: verdict.variables,
          contextValue: { identity: caller.identity },
        };
      },
      execute: (args) => execute({ ...args, fieldResolver: responseKeyResolver }),
      subscribe: (args) => subscribeShared(args),
    },
    wss,
  );
  return {
    async close() {
      for (const client of wss.clients) client.close(SHUTDOWN_CLOSE.code, SHUTDOWN_CLOSE.reason);
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
