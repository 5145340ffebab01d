import type http from 'node:http';
import { subscribe, execute, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
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
  /** The identity an API key acts as; throws to refuse the connection. */
  readonly authenticate: (credential: string) => Promise<Identity>;
}

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
          return true;
        } catch {
          return false;
        }
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
