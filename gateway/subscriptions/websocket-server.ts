import type http from 'node:http';
import { subscribe, execute, GraphQLError, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Identity } from '../../subgraphs/shared/identity.ts';
import { responseKeyResolver } from './subscription-schema.ts';

/** Close code and reason sent to every subscriber when the gateway shuts down; clients reconnect and resume by cursor. */
export const SHUTDOWN_CLOSE = { code: 1001, reason: 'Gateway shutting down: reconnect and resume with your last cursor' } as const;

export interface SubscriptionServerOptions {
  readonly httpServer: http.Server;
  /** Path of the endpoint; default /graphql (the same as HTTP). */
  readonly path?: string;
  /** The extended schema (null until the gateway has loaded). */
  readonly schema: () => GraphQLSchema | null;
  /** The identity an API key acts as; throws to refuse the connection. `fresh` skips any cached verdict. */
  readonly authenticate: (credential: string, options?: { fresh?: boolean }) => Promise<Identity>;
  /** Returns true when an error of `authenticate` means the key is no longer valid (not a passing failure). */
  readonly isRefusal: (error: unknown) => boolean;
  /** How often the keys of open connections are verified again, ms; default 30 000 (revoked keys close within it). */
  readonly recheckIntervalMs?: number;
  /** Most active subscriptions on one connection; default 100. */
  readonly maxPerConnection?: number;
  /** Most active subscriptions of one API key across its connections to this instance; default 1 000. */
  readonly maxPerKey?: number;
  /** Active subscriptions of a key on other transports (SSE), counted in the per-key limit. */
  readonly otherSubscriptions?: (credential: string) => number;
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
export function attachSubscriptionServer(options: SubscriptionServerOptions): { close(): Promise<void>; count(credential: string): number } {
  const wss = new WebSocketServer({ server: options.httpServer, path: options.path ?? '/graphql' });
  const credentials = new WeakMap<WebSocket, string>();
  // Active subscriptions per connection, to enforce the limits.
  // graphql-ws registers an operation's id before onSubscribe runs: counts leave it out.
  const active = new Map<WebSocket, { credential: string; subscriptions: (exceptId?: string) => number }>();
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
          credentials.set(ctx.extra.socket, credential);
          active.set(ctx.extra.socket, { credential, subscriptions: (exceptId) => Object.keys(ctx.subscriptions).filter((id) => id !== exceptId).length });
          ctx.extra.socket.once('close', () => active.delete(ctx.extra.socket));
          return true;
        } catch {
          return false;
        }
      },
      onSubscribe: (ctx, id) => {
        const own = Object.keys(ctx.subscriptions).filter((other) => other !== id).length;
        if (own >= maxPerConnection) {
          return limitError(`This connection already has ${own} active subscriptions (the limit is ${maxPerConnection}); complete one first`, maxPerConnection);
        }
        const credential = credentials.get(ctx.extra.socket);
        let ofKey = credential ? (options.otherSubscriptions?.(credential) ?? 0) : 0;
        for (const [socket, entry] of active) {
          // Ids are per connection: only this connection's own new id is left out.
          if (entry.credential === credential) ofKey += entry.subscriptions(socket === ctx.extra.socket ? id : undefined);
        }
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
  // Keys of open connections are verified again, once per distinct key, so a revoked or
  // expired key's subscriptions end within the interval.
  const recheck = setInterval(() => {
    const byCredential = new Map<string, WebSocket[]>();
    for (const socket of wss.clients) {
      const credential = credentials.get(socket);
      if (credential) byCredential.set(credential, [...(byCredential.get(credential) ?? []), socket]);
    }
    for (const [credential, sockets] of byCredential) {
      options.authenticate(credential, { fresh: true }).catch((error: unknown) => {
        if (!options.isRefusal(error)) return;
        for (const socket of sockets) socket.close(REVOKED_CLOSE.code, REVOKED_CLOSE.reason);
      });
    }
  }, options.recheckIntervalMs ?? 30_000);
  recheck.unref();
  return {
    count(credential) {
      let n = 0;
      for (const entry of active.values()) if (entry.credential === credential) n += entry.subscriptions();
      return n;
    },
    async close() {
      clearInterval(recheck);
      for (const client of wss.clients) client.close(SHUTDOWN_CLOSE.code, SHUTDOWN_CLOSE.reason);
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
