import crypto from 'node:crypto';
import http from 'node:http';
import { ApolloGateway, type GraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { createSubgraphClient, type SubgraphAnswer, type SubgraphClient, type SubgraphClientOptions } from './http/subgraph-client.ts';
import { failedPaths, formatGatewayError, refusalReason, SubgraphHttpError, SubgraphUnavailableError, subgraphFailureResponse } from './http/subgraph-failure.ts';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { maskUnexpectedError, requestIdPlugin } from '../subgraphs/shared/errors.ts';
import { graphqlResponseType } from '../subgraphs/shared/negotiation.ts';
import {
  addVary,
  close,
  DEFAULT_MAX_BODY_BYTES,
  executeApollo,
  HttpError,
  runApollo,
  sendApolloResult,
  listen,
  send,
  sendGraphQLError,
  sendJson,
} from '../subgraphs/shared/http.ts';
import { signIdentity } from '../subgraphs/shared/identity.ts';
import { REQUEST_ID_HEADER, requestIdOf, serviceLogger } from '../subgraphs/shared/logger.ts';
import { countError, errorMetricsPlugin, operationLabel, requestDuration, subgraphFetchDuration, trackSubscriptions } from '../subgraphs/shared/metrics.ts';
import { contextFromHeaders, inSpan, SpanKind, traceIdOf, tracingEnabled, withTraceHeaders } from '../subgraphs/shared/tracing.ts';
import { migrateSchema } from '../subgraphs/shared/database.ts';
import { AuthenticationError, createApiKeyAuthenticator, credentialOf, type ApiKeyAuthenticator } from './auth/api-key-authenticator.ts';
import { createCallerAuthenticator, type Caller } from './auth/caller-authenticator.ts';
import { createJwtAuthenticator, JwksUnavailableError } from './auth/jwt-authenticator.ts';
import { createPersonVerifier } from './auth/person-verifier.ts';
import type { JwtConfig } from './auth/jwt-config.ts';
import { readScopeRequirements, stripSecurityDirectives } from './auth/scope-requirements.ts';
import { createTrustedDocumentStore } from './auth/trusted-documents.ts';
import { createApqCache } from './http/apq.ts';
import { costModelFromSdl } from './cost/cost-model.ts';
import { createCostReportPlugin } from './cost/cost-report-plugin.ts';
import { DEFAULT_SHAPE_LIMITS, type ShapeLimits } from './cost/shape-limits.ts';
import { GATEWAY_SCHEMA, gatewayMigrations } from './db/migrations/index.ts';
import { clientIp } from './http/client-ip.ts';
import {
  createDatabaseIdempotencyStore,
  createMemoryIdempotencyStore,
  idempotencyScope,
  isReplayable,
  readIdempotencyKey,
  REPLAYED_HEADER,
  requestFingerprint,
} from './http/idempotency.ts';
import { operationSearch, readOperationRequest } from './http/operation-request.ts';
import { createOperationPolicy, DEFAULT_PROTECTION, type ScopeMode } from './operation-policy.ts';
import { createBatchedRateStore } from './rate-limit/batched-rate-store.ts';
import { createMemoryRateStore } from './rate-limit/memory-rate-store.ts';
import { createRateLimiter, type RateLimits, type RateStore } from './rate-limit/rate-limiter.ts';
import { createRedisRateStore } from './rate-limit/redis-rate-store.ts';
import type { AccessRecord, GatewayContext } from './context.ts';
import { applyCors } from './http/cors.ts';
import { createDocumentsProxy } from './http/documents-proxy.ts';
import { createLandingPages } from './landing-page/landing-pages.ts';
import type { DatabaseHandle } from '../subgraphs/shared/database.ts';
import type { GraphQLError, GraphQLSchema } from 'graphql';
import { startEventFeed, type EventFeed } from './subscriptions/event-feed.ts';
import { classifyFollowUp, createFollowUpResolver, followUpErrorsPlugin } from './subscriptions/follow-up-resolver.ts';
import { createFollowUpPreparer } from './subscriptions/follow-up-preparer.ts';
import { createSubscriberRegistry } from './subscriptions/subscriber-registry.ts';
import { SubscriptionAwareGateway } from './subscriptions/subscription-gateway.ts';
import { createSubscriptionSchema, DEFAULT_EVENT_RETRY, SUBSCRIPTIONS_SDL } from './subscriptions/subscription-schema.ts';
import { chargeEvents } from './subscriptions/event-charges.ts';
import { authorizeOperation } from './auth/authorize-operation.ts';
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
  /**
   * Longest a subscriber's event is retried while its follow-up cannot be resolved (a
   * subgraph down), holding back its later events, ms; then the subscription ends with the
   * cursor to resume from. Default 60 000.
   */
  readonly subscriptionEventHoldMs?: number | undefined;
  /** First wait between retries of such an event, ms (doubled up to 5 000); default 250. */
  readonly subscriptionRetryDelayMs?: number | undefined;
  /**
   * The database whose outbox feeds subscriptions and, on PostgreSQL without `redisUrl`, holds
   * the rate limits shared by every gateway instance (counted in memory, flushed in batches);
   * on PGlite (one process) or without a database the limits are kept in memory.
   */
  readonly database?: DatabaseHandle | undefined;
  /** Redis for the rate limits (REDIS_URL): exact across instances, one script per admission. */
  readonly redisUrl?: string | undefined;
  /** A rate store to use instead (tests: gateways of one process sharing one exact store); closed with the gateway. */
  readonly rateStore?: RateStore | undefined;
  /** JWT verification; null or absent: API keys only. */
  readonly jwt?: JwtConfig | null | undefined;
  /** Shape limits (depth, aliases, root fields, tokens, directives); defaults DEFAULT_SHAPE_LIMITS. */
  readonly shapeLimits?: Partial<ShapeLimits> | undefined;
  /** Most an operation may be estimated to cost; default DEFAULT_PROTECTION.maxCost. */
  readonly maxCost?: number | undefined;
  /** Fields refused for lack of scope: dropped with an error (`filter`, default) or the whole operation refused (`reject`). */
  readonly scopeMode?: ScopeMode | undefined;
  /** Requests per hour (per organization, or per key with its own limit) and the cost budget; defaults DEFAULT_PROTECTION. */
  readonly rateLimits?: Partial<RateLimits> | undefined;
  /**
   * The operator's hourly request limits by organization id, over `rateLimits.requestsPerHour`
   * (RATE_LIMIT_PER_HOUR_BY_ORG). A key's own limit may only lower its organization's.
   */
  readonly requestsPerHourByOrganization?: ReadonlyMap<string, number> | undefined;
  /** Reverse proxies in front of the gateway whose X-Forwarded-For is trusted; default 0. */
  readonly trustedProxyHops?: number | undefined;
  /** Automatic persisted queries kept per organization on this instance (APQ_CACHE_SIZE); default 1 000, 0: none. */
  readonly apqCacheSize?: number | undefined;
  /** Most bytes of APQ documents on this instance over all organizations (APQ_CACHE_MAX_BYTES); default 50 000 000. */
  readonly apqCacheMaxBytes?: number | undefined;
  /** Request headers browsers may send (CORS_ALLOW_HEADERS); default DEFAULT_CORS_ALLOW_HEADERS. */
  readonly corsAllowHeaders?: readonly string[] | undefined;
  /** Clock of the rate limits, epoch ms (for tests); default Date.now. */
  readonly now?: (() => number) | undefined;
  /**
   * Whether identical subgraph queries in flight at once, for one identity, share one fetch
   * (SUBGRAPH_DEDUP); default true. Mutations (and every fetch of a mutation's plan) never do.
   */
  readonly subgraphDedup?: boolean | undefined;
  /** Pool size and timeouts of the subgraph client (one undici pool per subgraph origin). */
  readonly subgraphClient?: SubgraphClientOptions | undefined;
}

export interface RunningGateway {
  readonly url: string;
  /** The authenticator, exposed for tests and metrics. */
  readonly authenticator: ApiKeyAuthenticator;
  /** Requests sent to subgraphs for operations (for tests proving a refusal reached none). */
  readonly subgraphRequests: () => number;
  /** Follow-up federated queries run to resolve subscription payloads, all or those whose text contains `matching` (for tests and benchmarks). */
  readonly followUpQueries: (matching?: string) => number;
  /** Follow-up queries planned ahead of their first event, when their selection was first subscribed (for tests). */
  readonly preparedFollowUps: () => number;
  /** Subscriptions of this instance that hold an event-feed listener (released when they end). */
  readonly eventListeners: () => number;
  stop(): Promise<void>;
}

const log = serviceLogger('gateway');

/** The key of an identity among de-duplicated fetches: everything the subgraphs' visibility rules read. One per request's identity object. */
const identityKeys = new WeakMap<object, string>();
function identityKey(identity: GatewayContext['identity'] | null): string {
  if (!identity) return '';
  let key = identityKeys.get(identity);
  if (key === undefined) {
    key = JSON.stringify(identity);
    identityKeys.set(identity, key);
  }
  return key;
}

const isSuccess = (status: number): boolean => status >= 200 && status < 300;

/** A subgraph's answer body as JSON, or a SyntaxError (reported as SUBREQUEST_MALFORMED_RESPONSE). */
function parseAnswer(answer: SubgraphAnswer): unknown {
  const type = answer.headers.get('content-type') ?? '';
  if (!type.startsWith('application/json') && !type.startsWith('application/graphql-response+json')) throw new SyntaxError(`expected a JSON response body, got ${type || 'no content type'}`);
  return JSON.parse(answer.body.toString('utf8')) as unknown;
}

/**
 * A subgraph's data source, in place of @apollo/gateway's RemoteGraphQLDataSource: sends a
 * fetch of the query plan over the undici client, with the caller's identity in the signed
 * headers the subgraph verifies (the signature binds the subgraph's name and the body's
 * bytes), the request id and the trace context. A fetch that fails is answered as errors
 * naming this service and the fields left without data, never thrown.
 */
class SignedDataSource implements GraphQLDataSource<GatewayContext> {
  constructor(
    private readonly service: string,
    private readonly url: string,
    private readonly secret: string,
    private readonly onSend: () => void,
    private readonly client: SubgraphClient,
    private readonly dedup: boolean,
  ) {}

  async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    const context = options.context as Partial<GatewayContext>;
    // A follow-up being prepared is planned only: nothing is sent, nothing counted.
    if (context.planOnly) return { data: null };
    try {
      return await this.send(options, context);
    } catch (error) {
      return subgraphFailureResponse(this.service, error, failedPaths(options.request.query, options.request.variables));
    }
  }

  private async send(options: GraphQLDataSourceProcessOptions<GatewayContext>, context: Partial<GatewayContext>): Promise<GatewayGraphQLResponse> {
    const { query, variables, operationName, extensions } = options.request;
    if (!query) throw new Error('a fetch of the query plan has no query');
    this.onSend();
    const body = JSON.stringify({ query, variables, operationName, extensions });
    const identity = context.identity ?? null;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    // Headers the gateway itself adds to a fetch (none unless usage reporting asks for traces).
    for (const [name, value] of options.request.http?.headers ?? []) headers[name] = value;
    if (context.requestId) headers[REQUEST_ID_HEADER] = context.requestId;
    Object.assign(headers, signIdentity(identity, this.secret, { audience: this.service, body }));
    // Only the fetches of a query's plan are shared: a mutation's (its writes, and the reads
    // after them) never are. Shared only with fetches to the same subgraph, for the same
    // identity, of the same document and variables (the body).
    const shareable = this.dedup && 'incomingRequestContext' in options && options.incomingRequestContext.operation?.operation === 'query';
    const dedupKey = shareable ? `${this.service}\n${identityKey(identity)}\n${body}` : null;
    const started = performance.now();
    let outcome = 'network_error';
    // A client span per fetch; its traceparent continues the trace in the subgraph.
    const answer = await inSpan(`subgraph ${this.service}`, { kind: SpanKind.CLIENT, attributes: { 'leave.subgraph': this.service, 'http.request.method': 'POST', 'url.full': this.url } }, async (span) => {
      const received = await this.client.send(this.url, { headers: withTraceHeaders(headers), body }, dedupKey);
      outcome = isSuccess(received.status) ? 'ok' : 'http_error';
      span?.setAttribute('http.response.status_code', received.status);
      return received;
    }).finally(() => subgraphFetchDuration.observe({ subgraph: this.service, outcome }, (performance.now() - started) / 1000));
    if (!isSuccess(answer.status)) {
      let errorBody: unknown;
      try {
        errorBody = parseAnswer(answer);
      } catch {
        errorBody = undefined;
      }
      throw new SubgraphHttpError(answer.status, errorBody);
    }
    const parsed = parseAnswer(answer);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new SyntaxError('expected a JSON object as the response body');
    return parsed as GatewayGraphQLResponse;
  }
}

/**
 * The gateway: `@apollo/gateway` over the static supergraph, served by Apollo Server on a
 * plain `node:http` server with API-key authentication, CORS, compression (brotli, gzip), the IDE pages,
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
  let subgraphRequests = 0;
  const subgraphClient = createSubgraphClient(options.subgraphClient);
  const dedup = options.subgraphDedup ?? true;
  const federation = new ApolloGateway({
    // @apollo/gateway refuses `for: SECURITY` features; the policy below enforces them.
    supergraphSdl: stripSecurityDirectives(options.supergraphSdl),
    buildService: ({ name }) => new SignedDataSource(name, subgraphUrl(name), options.identitySecret, () => (subgraphRequests += 1), subgraphClient, dedup),
  });
  // The API schema operations arriving over HTTP are checked against.
  let apiSchema: GraphQLSchema | null = null;
  federation.onSchemaLoadOrUpdate(({ apiSchema: loaded }) => {
    apiSchema = loaded;
  });
  if (options.database) await migrateSchema(options.database, GATEWAY_SCHEMA, gatewayMigrations);
  const limits = { ...DEFAULT_PROTECTION, ...options.rateLimits };
  const limiter = createRateLimiter({
    store: options.rateStore
      ?? (options.redisUrl
      ? createRedisRateStore(options.redisUrl)
      : options.database?.kind === 'postgres'
        ? createBatchedRateStore(options.database)
        : createMemoryRateStore()),
    budget: { maximum: limits.budgetMaximum, restorePerSecond: limits.restorePerSecond },
    now: options.now,
  });
  const maxCost = options.maxCost ?? DEFAULT_PROTECTION.maxCost;
  const costModel = costModelFromSdl([options.supergraphSdl, SUBSCRIPTIONS_SDL]);
  const requirements = readScopeRequirements([options.supergraphSdl, SUBSCRIPTIONS_SDL]);
  const policy = createOperationPolicy({
    requirements,
    costModel,
    shapeLimits: { ...DEFAULT_SHAPE_LIMITS, ...options.shapeLimits },
    maxCost,
    scopeMode: options.scopeMode ?? 'filter',
    limiter,
    requestsPerHour: { perHour: limits.requestsPerHour, byOrganization: options.requestsPerHourByOrganization ?? new Map() },
    trustedDocuments: createTrustedDocumentStore({ peopleUrl: subgraphUrl('people'), identitySecret: options.identitySecret }),
    persistedQueries: createApqCache({ entriesPerOrganization: options.apqCacheSize, maxBytes: options.apqCacheMaxBytes }),
  });
  const feed: EventFeed | null = options.database ? await startEventFeed({ database: options.database }) : null;
  // Retention: hourly, events older than the retention period go (each instance may run it; it is idempotent).
  const retentionMs = options.eventRetentionMs ?? 7 * 86_400_000;
  const pruning = feed ? setInterval(() => void feed.prune(retentionMs).catch((error: unknown) => log.error({ err: error }, 'event pruning failed')), 3_600_000) : null;
  pruning?.unref();
  // Idempotency keys: in the gateway schema (shared by every instance) or, without a database, in memory.
  const idempotency = options.database ? createDatabaseIdempotencyStore(options.database) : createMemoryIdempotencyStore();
  const now = options.now ?? Date.now;
  const idempotencyPruning = setInterval(() => void idempotency.prune(now()).catch((error: unknown) => log.error({ err: error }, 'idempotency key pruning failed')), 3_600_000);
  idempotencyPruning.unref();
  // Subscription payloads are resolved by follow-up federated queries through this gateway,
  // under the same scopes as the subscription (checked again per event: a follow-up with a
  // refused field delivers nothing).
  // A network failure's message names the URL it failed on: the subgraph configured there.
  const serviceOfMessage = (message: string): string | null =>
    Object.entries(options.subgraphUrls).find(([, url]) => message.includes(url))?.[0] ?? null;
  const followUps = createFollowUpResolver(async (document, variables, identity) => {
    const schema = apiSchema;
    if (!schema) return { kind: 'failed', code: 'SERVICE_UNAVAILABLE', service: null, message: 'the schema is not loaded yet' };
    if (authorizeOperation(schema, document, null, identity, requirements).violations.length > 0) return { kind: 'invisible' };
    // The raw errors (before masking) tell a visibility answer from a failure, and name the service.
    const followUpErrors: GraphQLError[] = [];
    // A follow-up serves every subscriber of one selection: its own request id, on the subgraphs' access lines.
    const requestId = crypto.randomUUID();
    log.debug({ requestId, orgId: identity.orgId }, 'subscription follow-up');
    const response = await inSpan('subscription follow-up', {}, () => apollo.executeOperation({ query: document, variables }, { contextValue: { identity, followUpErrors, requestId } }));
    if (response.body.kind !== 'single') return { kind: 'failed', code: 'SERVICE_UNAVAILABLE', service: null, message: 'unexpected incremental response' };
    return classifyFollowUp(response.body.singleResult.data as Record<string, unknown> | null | undefined, followUpErrors, serviceOfMessage);
  });
  // A new selection's follow-up is parsed, validated and planned when it is first subscribed, not on its first event's delivery path.
  const followUpPlans = createFollowUpPreparer(
    (document, variables, identity) => apollo.executeOperation({ query: document, variables }, { contextValue: { identity, planOnly: true } }),
    () => apiSchema,
  );
  // Each delivered event is charged its actual cost to the subscriber's budget, once per key and selection group.
  const resolveFollowUp = chargeEvents({ resolve: followUps.resolve, limiter, costModel, schema: () => apiSchema });
  const retry = {
    ...DEFAULT_EVENT_RETRY,
    ...(options.subscriptionEventHoldMs !== undefined ? { holdMs: options.subscriptionEventHoldMs } : {}),
    ...(options.subscriptionRetryDelayMs !== undefined ? { firstDelayMs: options.subscriptionRetryDelayMs } : {}),
  };
  const gateway: ApolloGateway | SubscriptionAwareGateway = feed
    ? new SubscriptionAwareGateway(federation, (loaded) => createSubscriptionSchema(loaded, { feed, resolveFollowUp, retry, prepareFollowUp: followUpPlans.prepare }))
    : federation;
  const apollo: ApolloServer<GatewayContext> = new ApolloServer<GatewayContext>({
    gateway,
    introspection: true,
    csrfPrevention: true,
    formatError: formatGatewayError(maskUnexpectedError),
    includeStacktraceInErrorResponses: false,
    // The process stops on signals itself (stopOnSignals): Apollo's own handler would re-send the signal.
    stopOnTerminationSignals: false,
    plugins: [ApolloServerPluginLandingPageDisabled(), createCostReportPlugin({ policy, costModel, maxCost }), followUpErrorsPlugin, errorMetricsPlugin('gateway'), requestIdPlugin<GatewayContext>((_request, context) => context.requestId)],
  });
  await apollo.start();

  const authenticator = createApiKeyAuthenticator({
    peopleUrl: subgraphUrl('people'),
    identitySecret: options.identitySecret,
    cacheTtlMs: options.apiKeyCacheTtlMs,
  });
  const callers = createCallerAuthenticator(
    authenticator,
    options.jwt
      ? {
          tokens: createJwtAuthenticator(options.jwt, { now: options.now }),
          // A JWT's person is verified like a key: cached as long, re-checked on open streams.
          people: createPersonVerifier({ peopleUrl: subgraphUrl('people'), identitySecret: options.identitySecret, cacheTtlMs: options.apiKeyCacheTtlMs }),
        }
      : null,
  );
  const trustedProxyHops = options.trustedProxyHops ?? 0;
  const landingPages = createLandingPages();
  const cors = { origins: options.corsOrigins ?? ['*'], allowHeaders: options.corsAllowHeaders };
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  // Signed document links are served by leave; without a leave subgraph there are none.
  const leaveUrl = options.subgraphUrls['leave'];
  const documentsProxy = leaveUrl ? createDocumentsProxy({ leaveUrl, cors }) : null;
  // Both transports register their subscribers here: one per-key limit, one revocation check.
  const registry =
    gateway instanceof SubscriptionAwareGateway
      ? createSubscriberRegistry({
          authenticate: (credential, authOptions) => callers.authenticate(credential, authOptions),
          isRefusal: (error) => error instanceof AuthenticationError,
          recheckIntervalMs: options.subscriptionRecheckMs,
        })
      : null;
  const sse =
    gateway instanceof SubscriptionAwareGateway && registry
      ? createSseHandler({ schema: () => gateway.schema, registry, policy, maxPerKey: options.maxSubscriptionsPerKey ?? 1000 })
      : null;

  async function authenticate(req: http.IncomingMessage, requestId: string): Promise<Caller> {
    const credential = credentialOf(req.headers);
    if (!credential) throw new AuthenticationError('send an API key in the X-Api-Key header, or an API key or JWT as Authorization: Bearer <credential>');
    return callers.authenticate(credential, { ip: clientIp(req, trustedProxyHops), requestId });
  }

  async function ready(): Promise<{ ok: boolean; subgraphs: Record<string, string> }> {
    const entries = await Promise.all(
      Object.keys(options.subgraphUrls).map(async (name) => {
        try {
          // Signed as the gateway: a subgraph with another IDENTITY_SECRET answers 401, and the gateway is not ready.
          const response = await fetch(new URL('/ready', subgraphUrl(name)), { headers: signIdentity(null, options.identitySecret, { audience: name, body: '' }), signal: AbortSignal.timeout(2_000) });
          await response.body?.cancel();
          return [name, response.ok ? 'ready' : refusalReason(name, response.status)] as const;
        } catch (error) {
          return [name, `unreachable: ${(error as Error).message}`] as const;
        }
      }),
    );
    return { ok: entries.every(([, status]) => status === 'ready'), subgraphs: Object.fromEntries(entries) };
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, path: string, requestId: string, access: AccessRecord): Promise<void> {
    // Before CORS and auth: the proxy answers its own preflights (PUT) and needs no API key.
    if (documentsProxy && (await documentsProxy(req, res, requestId))) return;
    if (applyCors(cors, req, res)) return;
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
    let caller: Caller;
    try {
      caller = await authenticate(req, requestId);
    } catch (error) {
      if (error instanceof JwksUnavailableError) return sendGraphQLError(req, res, 503, 'The token signing keys cannot be fetched; retry shortly', 'SERVICE_UNAVAILABLE', { 'Retry-After': '5' });
      if (!(error instanceof AuthenticationError)) throw error;
      countError('gateway', 'UNAUTHENTICATED');
      return sendGraphQLError(req, res, 401, error.message, 'UNAUTHENTICATED', { 'WWW-Authenticate': 'Bearer' });
    }
    access.orgId = caller.identity.orgId;
    access.keyId = caller.identity.keyId;
    if (toSse) return sse.handle(req, res, caller);
    const request = await readOperationRequest(req, maxBodyBytes);
    const schema = apiSchema;
    if (!schema) return sendGraphQLError(req, res, 503, 'The gateway is still loading its schema', 'SERVICE_UNAVAILABLE', { 'Retry-After': '1' });
    const verdict = await policy.evaluate(caller, request, schema, { requestId });
    if (verdict.estimatedCost !== undefined) access.estimatedCost = verdict.estimatedCost;
    if (verdict.kind === 'refused') {
      for (const error of verdict.errors) countError('gateway', error.extensions['code']);
      const body = JSON.stringify({ errors: verdict.errors.map((e) => e.toJSON()), extensions: verdict.extensions });
      addVary(res, 'Accept');
      return send(req, res, verdict.status, { 'Content-Type': graphqlResponseType(req), ...verdict.headers }, body);
    }
    const operation = { query: verdict.query, operationName: verdict.operationName, variables: verdict.variables };
    const search = req.method === 'GET' ? operationSearch(operation) : undefined;
    access.operation = verdict.operationName ?? verdict.operation.name?.value ?? null;
    const context = async (): Promise<GatewayContext> => ({ identity: caller.identity, admitted: verdict, requestId, access });
    // Queries and subscriptions ignore Idempotency-Key; a mutation with one runs at most once per key.
    const idempotencyKey = verdict.operation.operation === 'mutation' && req.method === 'POST' ? readIdempotencyKey(req.headers) : null;
    if (idempotencyKey === null) {
      await executeApollo(apollo, req, res, req.method === 'GET' ? undefined : operation, context, verdict.headers, search);
      return;
    }
    const scope = idempotencyScope(caller.identity, idempotencyKey);
    const claim = await idempotency.claim(scope, requestFingerprint(operation), now());
    if (claim.kind === 'replay') {
      addVary(res, 'Accept');
      return send(req, res, claim.answer.status, { 'Content-Type': graphqlResponseType(req), ...verdict.headers, [REPLAYED_HEADER]: 'true' }, claim.answer.body);
    }
    if (claim.kind === 'mismatch') {
      return sendGraphQLError(req, res, 409, 'Idempotency-Key: this key was first used with another operation or other variables; use a new key for a new request', 'CONFLICT', verdict.headers, { field: 'Idempotency-Key', rule: 'IDEMPOTENCY_KEY_REUSED' });
    }
    if (claim.kind === 'running') {
      return sendGraphQLError(req, res, 409, 'Idempotency-Key: the first request with this key is still running; retry shortly for its answer', 'CONFLICT', { ...verdict.headers, 'Retry-After': '1' }, { field: 'Idempotency-Key', rule: 'IDEMPOTENCY_KEY_IN_FLIGHT' });
    }
    let result: Awaited<ReturnType<typeof runApollo>>;
    try {
      result = await runApollo(apollo, req, operation, context);
    } catch (error) {
      await idempotency.release(scope).catch((releaseError: unknown) => log.error({ err: releaseError, requestId }, 'idempotency key release failed'));
      throw error;
    }
    const status = result.status ?? 200;
    const keep = result.body.kind === 'complete' && isReplayable(status, result.body.string);
    // The mutation ran: its answer goes out even if remembering it fails.
    await (keep && result.body.kind === 'complete' ? idempotency.complete(scope, { status, body: result.body.string }) : idempotency.release(scope)).catch((storeError: unknown) =>
      log.error({ err: storeError, requestId }, 'idempotency key could not be stored'),
    );
    await sendApolloResult(req, res, result, verdict.headers);
  }

  const server = http.createServer((req, res) => {
    const started = performance.now();
    // The client's X-Request-Id when it is safe, else a new one: answered, logged, sent to every subgraph fetch.
    const requestId = requestIdOf(req.headers);
    res.setHeader('X-Request-Id', requestId);
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const access: AccessRecord = {};
    res.once('close', () => {
      const durationMs = Math.round((performance.now() - started) * 10) / 10;
      const status = res.statusCode;
      if (path === '/graphql') requestDuration.observe({ service: 'gateway', operation: operationLabel(access.operation), status: String(status) }, durationMs / 1000);
      // Probes come every few seconds: their lines are debug.
      const level = path === '/health' || path === '/ready' ? 'debug' : status >= 500 ? 'warn' : 'info';
      log[level](
        {
          requestId,
          method: req.method,
          path,
          status,
          durationMs,
          operation: access.operation,
          orgId: access.orgId,
          keyId: access.keyId,
          cost: access.estimatedCost,
          actualCost: access.actualCost,
          traceId: access.traceId,
          aborted: res.writableFinished ? undefined : true,
        },
        'request',
      );
    });
    const run = async (): Promise<void> => {
      try {
        await handle(req, res, path, requestId, access);
      } catch (error) {
        if (error instanceof HttpError) return sendGraphQLError(req, res, error.status, error.message, error.code, error.headers, error.extensions);
        if (error instanceof SubgraphUnavailableError) {
          log.error({ requestId, subgraph: error.service, reason: error.message }, 'subgraph unavailable');
          if (res.headersSent) return void res.end();
          return sendGraphQLError(req, res, 503, `The gateway cannot serve requests now: ${error.message}`, 'SERVICE_UNAVAILABLE', { 'Retry-After': '5' }, { service: error.service });
        }
        log.error({ err: error, requestId }, 'request failed');
        if (!res.headersSent) sendGraphQLError(req, res, 500, 'Internal server error', 'INTERNAL_SERVER_ERROR');
        else res.end();
      }
    };
    // The gateway's own calls for this request (key verification, trusted documents) carry its id: handle passes it on.
    if (!tracingEnabled() || path !== '/graphql') return void run();
    // One trace per operation (continuing the client's traceparent, if it sent one).
    void inSpan(`gateway ${req.method ?? 'POST'} /graphql`, { kind: SpanKind.SERVER, parent: contextFromHeaders(req.headers), attributes: { 'leave.service': 'gateway', 'http.request.method': req.method ?? 'POST', 'url.path': path } }, async (span) => {
      access.traceId = traceIdOf(span);
      await run();
      span?.setAttribute('http.response.status_code', res.statusCode);
      if (access.operation) span?.setAttribute('graphql.operation.name', access.operation);
    });
  });
  const subscriptions =
    gateway instanceof SubscriptionAwareGateway && registry
      ? attachSubscriptionServer({
          httpServer: server,
          schema: () => gateway.schema,
          authenticate: (credential, ip) => callers.authenticate(credential, { ip }),
          clientIp: (request) => clientIp(request, trustedProxyHops),
          policy,
          registry,
          maxPerConnection: options.maxSubscriptionsPerConnection,
          maxPerKey: options.maxSubscriptionsPerKey,
        })
      : null;
  const untrackSubscriptions = registry ? trackSubscriptions(() => registry.countByTransport()) : null;
  const url = await listen(server, options.port ?? 0, options.host ?? '127.0.0.1');
  return {
    url,
    authenticator,
    subgraphRequests: () => subgraphRequests,
    followUpQueries: (matching) => followUps.count(matching),
    preparedFollowUps: () => followUpPlans.prepared(),
    eventListeners: () => feed?.listenerCount ?? 0,
    async stop() {
      if (pruning) clearInterval(pruning);
      clearInterval(idempotencyPruning);
      untrackSubscriptions?.();
      registry?.close();
      sse?.close();
      await subscriptions?.close();
      await close(server);
      await apollo.stop();
      await limiter.close();
      await feed?.stop();
      await subgraphClient.close();
    },
  };
}
