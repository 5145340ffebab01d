import http from 'node:http';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { maskUnexpectedError } from '../subgraphs/shared/errors.ts';
import {
  close,
  DEFAULT_MAX_BODY_BYTES,
  executeApollo,
  HttpError,
  listen,
  readJsonBody,
  sendGraphQLError,
  sendJson,
} from '../subgraphs/shared/http.ts';
import { signIdentity, type Identity } from '../subgraphs/shared/identity.ts';
import { AuthenticationError, createApiKeyAuthenticator, credentialOf, type ApiKeyAuthenticator } from './auth/api-key-authenticator.ts';
import type { GatewayContext } from './context.ts';
import { applyCors } from './http/cors.ts';
import { createDocumentsProxy } from './http/documents-proxy.ts';
import { createLandingPages } from './landing-page/landing-pages.ts';
import type { DatabaseHandle } from '../subgraphs/shared/database.ts';
import { startEventFeed, type EventFeed } from './subscriptions/event-feed.ts';
import { createFollowUpResolver } from './subscriptions/follow-up-resolver.ts';
import { createSubscriberRegistry } from './subscriptions/subscriber-registry.ts';
import { SubscriptionAwareGateway } from './subscriptions/subscription-gateway.ts';
import { createSubscriptionSchema } from './subscriptions/subscription-schema.ts';
import { attachSubscriptionServer } from './subscriptions/websocket-server.ts';
import { createSseHandler, SSE_PATH } from './subscriptions/sse-handler.ts';

export interface GatewayServerOptions {
  /** The composed supergraph (schema/supergraph.graphql). */
  readonly supergraphSdl: string;
  /** GraphQL URL of each subgraph, by name; overrides the placeholders in the supergraph. */
  readonly subgraphUrls: Readonly<Record<string, string>>;
  /** Secret of the identity signatures subgraphs verify. */
  readonly identitySecret: string;
  /** Default 0: any free port. */
  readonly port?: number | undefined;
  /** Default 127.0.0.1. */
  readonly host?: string | undefined;
  /** Allowed CORS origins; default `['*']`. */
  readonly corsOrigins?: readonly string[] | undefined;
  /** Longest API-key verdict cache, ms; default and maximum 60 000. */
  readonly apiKeyCacheTtlMs?: number | undefined;
  /** Largest request body in bytes; default 1 000 000. */
  readonly maxBodyBytes?: number | undefined;
  /** How often keys of open WebSocket connections are verified again, ms; default 30 000. */
  readonly subscriptionRecheckMs?: number | undefined;
  /** Most active subscriptions per WebSocket connection; default 100. */
  readonly maxSubscriptionsPerConnection?: number | undefined;
  /** Most active subscriptions per API key on this instance; default 1 000. */
  readonly maxSubscriptionsPerKey?: number | undefined;
  /** How long events are kept for resuming subscriptions, ms; default 7 days. */
  readonly eventRetentionMs?: number | undefined;
  /** The database whose outbox feeds subscriptions; without it the gateway serves no subscriptions. */
  readonly database?: DatabaseHandle | undefined;
}

export interface RunningGateway {
  readonly url: string;
  /** The authenticator, exposed for tests and metrics. */
  readonly authenticator: ApiKeyAuthenticator;
  /** Follow-up federated queries run to resolve subscription payloads, all or those whose text contains `matching` (for tests and benchmarks). */
  readonly followUpQueries: (matching?: string) => number;
  stop(): Promise<void>;
}

/** Forwards the caller's identity to a subgraph in the signed headers it verifies. */
class SignedDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    url: string,
    private readonly secret: string,
  ) {
    super({ url });
  }

  override willSendRequest({ request, context }: Parameters<NonNullable<RemoteGraphQLDataSource<GatewayContext>['willSendRequest']>>[0]) {
    const identity = (context as Partial<GatewayContext>).identity ?? null;
    for (const [name, value] of Object.entries(signIdentity(identity, this.secret))) request.http?.headers.set(name, value);
  }
}

/**
 * The gateway: `@apollo/gateway` over the static supergraph, served by Apollo Server on a
 * plain `node:http` server with API-key authentication, CORS, gzip, the IDE pages,
 * `/health` and `/ready`.
 */
export async function startGatewayServer(options: GatewayServerOptions): Promise<RunningGateway> {
  const subgraphUrl = (name: string): string => {
    const url = options.subgraphUrls[name];
    if (!url) throw new Error(`no URL configured for subgraph '${name}'`);
    return url;
  };
  // @apollo/gateway otherwise exports usage metrics to Apollo's servers and probes cloud
  // metadata endpoints at start: off unless the operator sets APOLLO_TELEMETRY_DISABLED=false.
  process.env['APOLLO_TELEMETRY_DISABLED'] ??= 'true';
  const federation = new ApolloGateway({
    supergraphSdl: options.supergraphSdl,
    buildService: ({ name }) => new SignedDataSource(subgraphUrl(name), options.identitySecret),
  });
  const feed: EventFeed | null = options.database ? await startEventFeed({ database: options.database }) : null;
  // Retention: hourly, events older than the retention period go (each instance may run it; it is idempotent).
  const retentionMs = options.eventRetentionMs ?? 7 * 86_400_000;
  const pruning = feed ? setInterval(() => void feed.prune(retentionMs).catch((error: unknown) => console.error('event pruning failed', error)), 3_600_000) : null;
  pruning?.unref();
  // Subscription payloads are resolved by follow-up federated queries through this gateway.
  const followUps = createFollowUpResolver(async (query, variables, identity) => {
    const response = await apollo.executeOperation({ query, variables }, { contextValue: { identity } });
    return response.body.kind === 'single' ? ((response.body.singleResult.data as Record<string, unknown> | null | undefined) ?? null) : null;
  });
  const gateway: ApolloGateway | SubscriptionAwareGateway = feed
    ? new SubscriptionAwareGateway(federation, (apiSchema) => createSubscriptionSchema(apiSchema, { feed, resolveFollowUp: followUps.resolve }))
    : federation;
  const apollo: ApolloServer<GatewayContext> = new ApolloServer<GatewayContext>({
    gateway,
    introspection: true,
    csrfPrevention: true,
    formatError: maskUnexpectedError,
    includeStacktraceInErrorResponses: false,
    plugins: [ApolloServerPluginLandingPageDisabled()],
  });
  await apollo.start();

  const authenticator = createApiKeyAuthenticator({
    peopleUrl: subgraphUrl('people'),
    identitySecret: options.identitySecret,
    cacheTtlMs: options.apiKeyCacheTtlMs,
  });
  const landingPages = createLandingPages();
  const cors = { origins: options.corsOrigins ?? ['*'] };
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  // Signed document links are served by leave; without a leave subgraph there are none.
  const leaveUrl = options.subgraphUrls['leave'];
  const documentsProxy = leaveUrl ? createDocumentsProxy({ leaveUrl, cors }) : null;
  // Both transports register their subscribers here: one per-key limit, one revocation check.
  const registry =
    gateway instanceof SubscriptionAwareGateway
      ? createSubscriberRegistry({
          authenticate: (key, authOptions) => authenticator.authenticate(key, authOptions),
          isRefusal: (error) => error instanceof AuthenticationError,
          recheckIntervalMs: options.subscriptionRecheckMs,
        })
      : null;
  const sse =
    gateway instanceof SubscriptionAwareGateway && registry
      ? createSseHandler({ schema: () => gateway.schema, registry, maxPerKey: options.maxSubscriptionsPerKey ?? 1000 })
      : null;

  async function authenticate(req: http.IncomingMessage): Promise<{ identity: Identity; credential: string }> {
    const credential = credentialOf(req.headers);
    if (!credential) throw new AuthenticationError('send an API key in the X-Api-Key header or as Authorization: Bearer <key>');
    return { identity: await authenticator.authenticate(credential), credential };
  }

  async function ready(): Promise<{ ok: boolean; subgraphs: Record<string, string> }> {
    const entries = await Promise.all(
      Object.keys(options.subgraphUrls).map(async (name) => {
        try {
          const response = await fetch(new URL('/ready', subgraphUrl(name)), { signal: AbortSignal.timeout(2_000) });
          return [name, response.ok ? 'ready' : `HTTP ${response.status}`] as const;
        } catch (error) {
          return [name, `unreachable: ${(error as Error).message}`] as const;
        }
      }),
    );
    return { ok: entries.every(([, status]) => status === 'ready'), subgraphs: Object.fromEntries(entries) };
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    // Before CORS and auth: the proxy answers its own preflights (PUT) and needs no API key.
    if (documentsProxy && (await documentsProxy(req, res))) return;
    if (applyCors(cors, req, res)) return;
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/health') return sendJson(req, res, 200, { status: 'ok' });
    if (path === '/ready') {
      const state = await ready();
      return sendJson(req, res, state.ok ? 200 : 503, { status: state.ok ? 'ready' : 'unavailable', ...state });
    }
    if (landingPages(req, res)) return;
    const toSse = sse !== null && path === SSE_PATH;
    if (path !== '/graphql' && !toSse) return sendJson(req, res, 404, { error: 'not found; the GraphQL endpoint is /graphql' });
    if (req.method !== 'GET' && req.method !== 'POST') {
      return sendGraphQLError(req, res, 405, 'use GET or POST', 'METHOD_NOT_ALLOWED', { Allow: 'GET, POST, OPTIONS' });
    }
    let caller: { identity: Identity; credential: string };
    try {
      caller = await authenticate(req);
    } catch (error) {
      if (!(error instanceof AuthenticationError)) throw error;
      return sendGraphQLError(req, res, 401, error.message, 'UNAUTHENTICATED', { 'WWW-Authenticate': 'Bearer' });
    }
    const { identity, credential } = caller;
    if (toSse) return sse.handle(req, res, identity, credential);
    const body = await readJsonBody(req, maxBodyBytes);
    await executeApollo(apollo, req, res, body, async () => ({ identity }));
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (error instanceof HttpError) return sendGraphQLError(req, res, error.status, error.message, error.code, error.headers);
      console.error('gateway: request failed', error);
      if (!res.headersSent) sendGraphQLError(req, res, 500, 'Internal server error', 'INTERNAL_SERVER_ERROR');
      else res.end();
    });
  });
  const subscriptions =
    gateway instanceof SubscriptionAwareGateway && registry
      ? attachSubscriptionServer({
          httpServer: server,
          schema: () => gateway.schema,
          authenticate: (key) => authenticator.authenticate(key),
          registry,
          maxPerConnection: options.maxSubscriptionsPerConnection,
          maxPerKey: options.maxSubscriptionsPerKey,
        })
      : null;
  const url = await listen(server, options.port ?? 0, options.host ?? '127.0.0.1');
  return {
    url,
    authenticator,
    followUpQueries: (matching) => followUps.count(matching),
    async stop() {
      if (pruning) clearInterval(pruning);
      registry?.close();
      sse?.close();
      await subscriptions?.close();
      await close(server);
      await apollo.stop();
      await feed?.stop();
    },
  };
}
