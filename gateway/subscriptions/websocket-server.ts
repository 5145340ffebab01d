import type http from 'node:http';
import { subscribe, execute, GraphQLError, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Identity } from '../../subgraphs/shared/identity.ts';
import type { SubscriberRegistry } from './subscriber-registry.ts';
import { responseKeyResolver } from './subscription-schema.ts';

/** Close code and reason sent to every subscriber when the gateway shuts down; clients reconnect and resume by cursor. */
export const SHUTDOWN_CLOSE = { code: 1001, reason: 'Gateway shutting down: reconnect and resume with your last cursor' } as const;

export interface SubscriptionServerOptions {
  readonly httpServer: http.Server;
  /** Path of the endpoint; default /graphql (the same as HTTP). */
  readonly path?: string;
  /** The extended schema (null until the gateway has loaded). */
  readonly schema: () => GraphQLSchema | null;
  /** The identity an API key acts as; throws to refuse the connection. */
  readonly authenticate: (credential: string) => Promise<Identity>;
  /** Open subscribers of every transport: the per-key limit and revocation. */
  readonly registry: SubscriberRegistry;
  /** Most active subscriptions on one connection; default 100. */
  readonly maxPerConnection?: number | undefined;
  /** Most active subscriptions of one API key on this instance, every transport; default 1 000. */
  readonly maxPerKey?: number | undefined;
}

/** Close code and reason for a connection whose key was revoked or expired. */
export const REVOKED_CLOSE = { code: 4401, reason: 'Unauthorized: the API key was revoked or has expired' } as const;

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

type Extra = Record<PropertyKey, unknown> & { identity?: Identity };

/**
 * graphql-ws on the gateway's own HTTP server. A connection authenticates once in
 * `connectionParams` with the same API keys as HTTP (refused: close 4403); each operation
 * runs with that identity.
 */
export function attachSubscriptionServer(options: SubscriptionServerOptions): { close(): Promise<void> } {
  const wss = new WebSocketServer({ server: options.httpServer, path: options.path ?? '/graphql' });
  const credentials = new WeakMap<WebSocket, string>();
  const maxPerConnection = options.maxPerConnection ?? 100;
  const maxPerKey = options.maxPerKey ?? 1000;
  const limitError = (message: string, limit: number) =>
    [new GraphQLError(message, { extensions: { code: 'RATE_LIMITED', limit } })] as const;
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
        try {
          ctx.extra.identity = await options.authenticate(credential);
        } catch {
          return false;
        }
        const socket = ctx.extra.socket;
        credentials.set(socket, credential);
        const remove = options.registry.add(credential, {
          subscriptions: () => Object.keys(ctx.subscriptions).length,
          revoke: () => socket.close(REVOKED_CLOSE.code, REVOKED_CLOSE.reason),
        });
        socket.once('close', remove);
        return true;
      },
      onSubscribe: (ctx) => {
        // graphql-ws registers the new operation's id before this runs: leave it out of the counts.
        const own = Object.keys(ctx.subscriptions).length - 1;
        if (own >= maxPerConnection) {
          return limitError(`This connection already has ${own} active subscriptions (the limit is ${maxPerConnection}); complete one first`, maxPerConnection);
        }
        const ofKey = options.registry.count(credentials.get(ctx.extra.socket) ?? '') - 1;
        if (ofKey >= maxPerKey) {
          return limitError(`This API key already has ${ofKey} active subscriptions (the limit is ${maxPerKey}); complete one first`, maxPerKey);
        }
        return undefined;
      },
      context: (ctx) => ({ identity: ctx.extra.identity }),
      execute: (args) => execute({ ...args, fieldResolver: responseKeyResolver }),
      subscribe: (args) => subscribe({ ...args, fieldResolver: responseKeyResolver }),
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
