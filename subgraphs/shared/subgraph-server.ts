import http from 'node:http';
import { ApolloServer, type BaseContext } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { DocumentNode } from 'graphql';
import { maskUnexpectedError, requestIdPlugin } from './errors.ts';
import { close, executeApollo, HttpError, listen, parseJsonBody, readBodyBytes, sendGraphQLError, sendJson } from './http.ts';
import { hasIdentityHeaders, IDENTITY_HEADER, verifyIdentity, type Identity } from './identity.ts';
import { REQUEST_ID_HEADER, requestIdOf, serviceLogger } from './logger.ts';
import { errorMetricsPlugin, operationLabel, requestDuration } from './metrics.ts';
import { contextFromHeaders, inSpan, SpanKind, traceIdOf, tracingEnabled } from './tracing.ts';

/**
 * Resolver map of a subgraph: typename to field resolvers (or a scalar), typed by the
 * subgraph's generated `Resolvers` (subgraphs/<name>/generated/graphql.ts).
 */
export type SubgraphResolvers = { readonly [typeName: string]: object | undefined };

/** The map as `buildSubgraphSchema` declares it. */
type ApolloResolverMap = NonNullable<Parameters<typeof buildSubgraphSchema>[0] extends infer M ? M extends { resolvers?: infer R } ? R : never : never>;

/** A handler for an internal route: only the gateway (a valid signature) reaches it. */
export type InternalRoute = (body: unknown) => Promise<{ status: number; body: unknown }>;

export interface SubgraphServerOptions<TContext extends BaseContext> {
  /** Subgraph name, used in logs; identity signatures must name it as their audience. */
  readonly name: string;
  readonly typeDefs: DocumentNode;
  readonly resolvers: SubgraphResolvers;
  /** Shared secret of the gateway's identity signatures. */
  readonly identitySecret: string;
  /** Port to listen on; 0 (default) takes any free port. */
  readonly port?: number | undefined;
  /** Interface to bind; default 127.0.0.1. */
  readonly host?: string | undefined;
  /** Builds a fresh per-request context (loaders included) for a verified caller. */
  readonly createContext: (identity: Identity) => TContext;
  /** Throws when the subgraph cannot serve (database unreachable); backs `/ready`. */
  readonly checkReady: () => Promise<void>;
  /** Internal POST routes (path to handler) for the gateway's own calls. */
  readonly internalRoutes?: Readonly<Record<string, InternalRoute>> | undefined;
  /**
   * Routes by path prefix that authenticate themselves (e.g. signed URLs) and answer the
   * raw request: no identity signature is required for them.
   */
  readonly rawRoutes?: Readonly<Record<string, RawRoute>> | undefined;
}

/** A handler that answers the raw HTTP request itself. */
export type RawRoute = (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>;

/** A running server: its base URL and a stop function. */
export interface RunningServer {
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Serves a federated subgraph on `node:http`: `/graphql` for the gateway (401 without a
 * valid identity signature), `/health` (alive), `/ready` (database answers) and the
 * internal routes.
 */
export async function startSubgraphServer<TContext extends BaseContext>(
  options: SubgraphServerOptions<TContext>,
): Promise<RunningServer> {
  const apollo = new ApolloServer<TContext>({
    // Apollo declares `__resolveReference` as a field resolver (source, args, context, info) but
    // calls it (reference, context, info), as the generated types have it: the cast is for that.
    schema: buildSubgraphSchema({ typeDefs: options.typeDefs, resolvers: options.resolvers as ApolloResolverMap }),
    formatError: maskUnexpectedError,
    includeStacktraceInErrorResponses: false,
    // The process stops on signals itself (stopOnSignals): Apollo's own handler would re-send the signal.
    stopOnTerminationSignals: false,
    // No inline traces: nothing here reports to Apollo's cloud. No cache control: subgraph
    // answers are never cached, and its per-field hook would wrap every resolver of every request.
    plugins: [ApolloServerPluginLandingPageDisabled(), ApolloServerPluginInlineTraceDisabled(), ApolloServerPluginCacheControlDisabled(), errorMetricsPlugin(options.name), requestIdPlugin((request) => request.http?.headers.get(REQUEST_ID_HEADER))],
  });
  const log = serviceLogger(options.name);
  await apollo.start();

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse, path: string, access: { operation?: string }): Promise<void> => {
    if (path === '/health') return sendJson(req, res, 200, { status: 'ok', service: options.name });
    if (path === '/ready') {
      // A probe that carries the identity headers (the gateway's) learns whether its signature is accepted.
      if (req.headers[IDENTITY_HEADER] !== undefined) {
        const probe = verifyIdentity(req.headers, options.identitySecret, { audience: options.name, body: '' });
        if (!probe.ok) return sendJson(req, res, 401, { status: 'unavailable', service: options.name, reason: `identity signature refused (${probe.reason})` });
      }
      try {
        await options.checkReady();
        return sendJson(req, res, 200, { status: 'ready', service: options.name });
      } catch (error) {
        return sendJson(req, res, 503, { status: 'unavailable', service: options.name, reason: String(error) });
      }
    }
    const raw = Object.entries(options.rawRoutes ?? {}).find(([prefix]) => path.startsWith(prefix));
    if (raw) return raw[1](req, res);
    const internal = options.internalRoutes?.[path];
    if (path !== '/graphql' && !internal) return sendJson(req, res, 404, { error: 'not found' });

    const refuse = (reason: string) =>
      sendGraphQLError(req, res, 401, `${options.name} accepts requests only from the gateway (${reason})`, 'UNAUTHENTICATED');
    // Unsigned requests are refused before their body is read.
    if (!hasIdentityHeaders(req.headers)) return refuse('missing signature');
    // The signature covers this subgraph's name and the exact bytes received.
    const bytes = await readBodyBytes(req);
    const caller = verifyIdentity(req.headers, options.identitySecret, { audience: options.name, body: bytes });
    if (!caller.ok) return refuse(caller.reason);
    const body = parseJsonBody(req, bytes);
    const operationName = (body as { operationName?: unknown } | null)?.operationName;
    if (typeof operationName === 'string') access.operation = operationName;
    if (internal) {
      if (req.method !== 'POST') return sendJson(req, res, 405, { error: 'method not allowed' });
      const result = await internal(body);
      return sendJson(req, res, result.status, result.body);
    }
    const identity = caller.identity;
    if (identity === null) return sendGraphQLError(req, res, 401, 'an identity is required', 'UNAUTHENTICATED');
    await executeApollo(apollo, req, res, body, async () => options.createContext(identity));
  };

  const server = http.createServer((req, res) => {
    const started = performance.now();
    // The gateway's request id (or a new one), answered and on this service's access line.
    const requestId = requestIdOf(req.headers);
    res.setHeader('X-Request-Id', requestId);
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const access: { operation?: string; traceId?: string | undefined } = {};
    res.once('close', () => {
      const durationMs = Math.round((performance.now() - started) * 10) / 10;
      const status = res.statusCode;
      if (path === '/graphql') requestDuration.observe({ service: options.name, operation: operationLabel(access.operation), status: String(status) }, durationMs / 1000);
      // Probes come every few seconds: their lines are debug.
      const level = path === '/health' || path === '/ready' ? 'debug' : status >= 500 ? 'warn' : 'info';
      log[level]({ requestId, method: req.method, path, status, durationMs, operation: access.operation, traceId: access.traceId, aborted: res.writableFinished ? undefined : true }, 'request');
    });
    const run = async (): Promise<void> => {
      try {
        await handle(req, res, path, access);
      } catch (error) {
        if (error instanceof HttpError) return sendGraphQLError(req, res, error.status, error.message, error.code);
        log.error({ err: error, requestId }, 'request failed');
        if (!res.headersSent) sendGraphQLError(req, res, 500, 'Internal server error', 'INTERNAL_SERVER_ERROR');
        else res.end();
      }
    };
    // Lines logged while serving it (an unexpected error) carry the request id: Apollo reads it
    // from the request's headers (requestIdPlugin), where it stands validated.
    req.headers[REQUEST_ID_HEADER] = requestId;
    if (!tracingEnabled() || path !== '/graphql') return void run();
    // One server span per operation, continuing the gateway's trace (its traceparent).
    void inSpan(`${options.name} ${req.method ?? 'POST'} /graphql`, { kind: SpanKind.SERVER, parent: contextFromHeaders(req.headers), attributes: { 'leave.service': options.name, 'http.request.method': req.method ?? 'POST', 'url.path': path } }, async (span) => {
      access.traceId = traceIdOf(span);
      await run();
      span?.setAttribute('http.response.status_code', res.statusCode);
      if (access.operation) span?.setAttribute('graphql.operation.name', access.operation);
    });
  });
  const url = await listen(server, options.port ?? 0, options.host ?? '127.0.0.1');
  return {
    url,
    async stop() {
      await close(server);
      await apollo.stop();
    },
  };
}
