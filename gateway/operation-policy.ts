import { GraphQLError, Kind, print, validate, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { appError, badInput } from '../subgraphs/shared/errors.ts';
import { rateLimitRefusals } from '../subgraphs/shared/metrics.ts';
import type { Identity } from '../subgraphs/shared/identity.ts';
import { createDocumentMemo } from './document-memo.ts';
import { isTrustedDocumentId, trustedDocumentId } from '../subgraphs/shared/trusted-document-id.ts';
import { organizationRequestLimit, type OrganizationRequestLimits } from '../subgraphs/shared/request-limits.ts';
import { authorizeOperation, selectOperation, violationError, type ScopeViolation } from './auth/authorize-operation.ts';
import type { Caller } from './auth/caller-authenticator.ts';
import type { ScopeRequirements } from './auth/scope-requirements.ts';
import type { TrustedDocumentStore } from './auth/trusted-documents.ts';
import { createApqCredits, type ApqCache, type ApqCredits } from './http/apq.ts';
import type { CostModel } from './cost/cost-model.ts';
import { estimateCost } from './cost/estimate-cost.ts';
import { checkNesting, checkShape, parseWithinLimits, type ShapeLimits } from './cost/shape-limits.ts';
import { checkInputValues } from './input/check-input.ts';
import { MAX_TEXT_NESTING, MAX_VALUE_DEPTH } from '../subgraphs/shared/input-rules.ts';
import { DEFAULT_RATE_LIMITS, type Admission, type RateLimiter, type RequestWindows } from './rate-limit/rate-limiter.ts';

/** A GraphQL request as a client sends it (POST body, or GET parameters). */
export interface OperationRequest {
  readonly query?: unknown;
  readonly operationName?: unknown;
  readonly variables?: unknown;
  readonly extensions?: unknown;
  /** Trusted-document id (`sha256:<hex>`), per the GraphQL-over-HTTP persisted documents proposal. */
  readonly documentId?: unknown;
}

/**
 * Default limits. An operation may cost at most 10 000 points (e.g. 100 departments with a
 * page of who is out in each, about 8 400; 100 people with 100 leave requests each, about
 * 20 000, is refused); a key's budget holds 20 000 points and refills 1 000 a second, so a
 * dashboard can run the heaviest allowed query every 10 s indefinitely, or two at once; an
 * organization makes at most 1 000 requests an hour, as in OrOut's public API.
 */
export const DEFAULT_PROTECTION = { maxCost: 10_000, ...DEFAULT_RATE_LIMITS } as const;

/** How a field the caller may not see is handled: dropped with an error (as Apollo Router), or the whole operation refused. */
export type ScopeMode = 'filter' | 'reject';

export interface OperationPolicyOptions {
  readonly requirements: ScopeRequirements;
  readonly costModel: CostModel;
  readonly shapeLimits: ShapeLimits;
  /** Most an operation may be estimated to cost. */
  readonly maxCost: number;
  readonly scopeMode: ScopeMode;
  readonly limiter: RateLimiter;
  /**
   * Requests per hour of each organization (shared by its keys and tokens): the default and the
   * operator's overrides. A key with a limit of its own is held to the lower of the two.
   */
  readonly requestsPerHour: OrganizationRequestLimits;
  readonly trustedDocuments: TrustedDocumentStore;
  /** Documents registered by automatic persisted queries, per organization. */
  readonly persistedQueries: ApqCache;
  /** Counted APQ misses whose registering request is not counted again; default per instance, 60 s. */
  readonly apqCredits?: ApqCredits;
}

/** An operation refused before execution: its HTTP status, errors and headers. */
export interface Refusal {
  readonly kind: 'refused';
  readonly status: number;
  readonly errors: readonly GraphQLError[];
  readonly headers: Readonly<Record<string, string>>;
  /** The response's `extensions` (the cost report, once the request was counted). */
  readonly extensions?: Readonly<Record<string, unknown>>;
  /** The estimate, when the operation got that far. */
  readonly estimatedCost?: number;
  /** An APQ hash that is not registered (PERSISTED_QUERY_NOT_FOUND): its registering request is not counted again. */
  readonly apqMiss?: string;
}

/** An operation admitted for execution, possibly without the fields the caller may not see. */
export interface Admitted {
  readonly kind: 'admitted';
  /** The schema it was checked against. */
  readonly schema: GraphQLSchema;
  /** The document to execute and its text. */
  readonly document: DocumentNode;
  readonly query: string;
  readonly operation: OperationDefinitionNode;
  readonly operationName: string | null;
  readonly variables: Record<string, unknown> | null;
  readonly violations: readonly ScopeViolation[];
  readonly estimatedCost: number;
  readonly admission: Admission;
  readonly budgetSubject: string;
  /** X-RateLimit-* headers for the response. */
  readonly headers: Readonly<Record<string, string>>;
}

export type PolicyVerdict = Refusal | Admitted;

/**
 * The hourly windows a caller's request counts in: its organization's, with the organization's
 * limit (the operator's override or the default), and, for a key with a limit of its own, also
 * the key's, with the lower of the two. A key's own limit never raises the organization's, and
 * the organization's window holds every request of all its keys and tokens together.
 */
export function requestWindows(caller: Caller, limits: OrganizationRequestLimits): RequestWindows {
  const organization = organizationRequestLimit(limits, caller.identity.orgId);
  const own = caller.policy.requestsPerHour;
  const subject = `org:${caller.identity.orgId}`;
  if (own === null || !caller.identity.keyId) return { subject, limit: organization };
  return { subject, limit: organization, key: { subject: `key:${caller.identity.keyId}`, limit: Math.min(own, organization) } };
}

/** Subject of the cost budget: the key, or the token's user. */
export function budgetSubject(identity: Identity): string {
  return identity.keyId ? `key:${identity.keyId}` : `user:${identity.orgId}:${identity.userId ?? 'service'}`;
}

/** X-RateLimit-* (and, when refused, Retry-After) headers of an admission: of its tighter window. */
export function rateLimitHeaders(admission: Admission): Record<string, string> {
  const headers: Record<string, string> = {
    'X-RateLimit-Limit': String(admission.requests.limit),
    'X-RateLimit-Remaining': String(admission.requests.remaining),
    'X-RateLimit-Reset': String(admission.requests.resetAt),
  };
  if (!admission.allowed && admission.retryAfterSeconds !== undefined) headers['Retry-After'] = String(admission.retryAfterSeconds);
  return headers;
}

function refusal(status: number, errors: readonly GraphQLError[], headers: Record<string, string> = {}): Refusal {
  return { kind: 'refused', status, errors, headers };
}

function withEstimate(estimatedCost: number, status: number, errors: readonly GraphQLError[]): Refusal {
  return { kind: 'refused', status, errors, headers: {}, estimatedCost };
}

/** Longest document text kept in the parse cache (1,000 entries; the checks of a document are kept with it). */
const CACHEABLE_LENGTH = 20_000;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * True for schema introspection: root fields `__schema`/`__type` (and `__typename`), at
 * least one of the first two, as IDEs send. A `{ __typename }` ping is not introspection.
 */
export function isIntrospectionOnly(operation: OperationDefinitionNode): boolean {
  const names = operation.selectionSet.selections.map((s) => (s.kind === Kind.FIELD ? s.name.value : ''));
  return names.every((n) => n === '__schema' || n === '__type' || n === '__typename') && names.some((n) => n !== '__typename');
}

/**
 * The gateway's policy for one operation, the same for HTTP, WebSocket and SSE, in order:
 * the document (trusted documents, automatic persisted queries), the nesting of its text and variables, its shape
 * (tokens, depth, aliases, root fields, directives), validation, its input values (shared
 * input rules: strings, dates, list sizes), scopes, the cost estimate against the maximum, and the hourly
 * request limit with the cost budget (one database statement). Everything before the last
 * step is local to the process, so a hostile document is refused without reaching a
 * subgraph or the database; refused requests still count against the hourly limit.
 */
export function createOperationPolicy(options: OperationPolicyOptions) {
  const apqCredits = options.apqCredits ?? createApqCredits();
  const parsedCache = new Map<string, DocumentNode>();
  const remember = <V>(cache: Map<string, V>, key: string, value: V): V => {
    cache.set(key, value);
    if (cache.size > 1_000) cache.delete(cache.keys().next().value as string);
    return value;
  };

  /**
   * Parses once per text (within the token limit). Only texts up to CACHEABLE_LENGTH are
   * remembered, and errors never are (parsing stops at the token limit anyway): a client
   * sending large distinct documents cannot fill the gateway's memory.
   */
  function parseOnce(query: string): DocumentNode | GraphQLError {
    const cached = parsedCache.get(query);
    if (cached) return cached;
    try {
      const document = parseWithinLimits(query, options.shapeLimits);
      return query.length <= CACHEABLE_LENGTH ? remember(parsedCache, query, document) : document;
    } catch (error) {
      if (!(error instanceof GraphQLError)) throw error;
      return error;
    }
  }

  /**
   * The pure checks of a document (validation, shape, literal and variable values, estimated
   * cost, scopes), computed once per (schema, document, what else they read: operation name,
   * variables, scopes) and reused while the parse cache hands out the same document.
   */
  const once = createDocumentMemo();
  /** The variables part of a check's key: empty without variables; null (not cached) when they cannot be written as JSON. */
  function variablesKey(variables: Readonly<Record<string, unknown>> | null | undefined): string | null {
    if (!variables || Object.keys(variables).length === 0) return '';
    try {
      return JSON.stringify(variables);
    } catch {
      return null;
    }
  }

  /**
   * The query text to run, from `query`, a trusted-document id or an APQ hash, with the hash to
   * register it under (APQ: hash and query sent together); or the refusal.
   */
  async function resolveDocument(caller: Caller, request: OperationRequest, requestId: string | undefined): Promise<{ text: string; register: string | null } | Refusal> {
    const extensions = isRecord(request.extensions) ? request.extensions : {};
    const persisted = isRecord(extensions['persistedQuery']) ? extensions['persistedQuery'] : null;
    if (persisted && persisted['version'] !== 1) {
      return refusal(400, [badInput('extensions.persistedQuery.version', 'INVALID_VALUE', 'must be 1')]);
    }
    const hash = persisted && typeof persisted['sha256Hash'] === 'string' ? `sha256:${persisted['sha256Hash']}` : null;
    const byDocumentId = typeof request.documentId === 'string';
    const id = byDocumentId ? (request.documentId as string) : hash;
    const field = byDocumentId ? 'documentId' : 'extensions.persistedQuery.sha256Hash';
    // graphql-ws requires a query string: an empty one stands for none (a document sent by id).
    const query = typeof request.query === 'string' && request.query !== '' ? request.query : null;
    const trustedOnly = caller.policy.trustedDocumentsOnly;
    const orgId = caller.identity.orgId;
    if (id !== null) {
      if (!isTrustedDocumentId(id)) {
        const shape = byDocumentId ? 'must be sha256: followed by 64 lowercase hex digits' : 'must be 64 lowercase hex digits';
        return refusal(400, [badInput(field, 'INVALID_FORMAT', shape)]);
      }
      if (query !== null && trustedDocumentId(query) !== id) {
        // Apollo Server's answer to a mismatch ("provided sha does not match query"), with the field named.
        return refusal(400, [appError('BAD_USER_INPUT', `${field}: does not match the SHA-256 of query`, { field, rule: 'HASH_MISMATCH', reason: 'PERSISTED_QUERY_HASH_MISMATCH' })]);
      }
      const apqHash = byDocumentId ? null : id.slice('sha256:'.length);
      // Documents registered by APQ are never run for a trusted-documents-only key.
      const registered = !trustedOnly && apqHash !== null ? options.persistedQueries.get(orgId, apqHash) : null;
      if (registered !== null) return { text: registered, register: null };
      // With the query, a key that may send any document needs no lookup: the hash was checked.
      if (!trustedOnly && query !== null) return { text: query, register: apqHash };
      const body = await options.trustedDocuments.find(orgId, id, requestId);
      if (body !== null) return { text: body, register: null };
      if (trustedOnly) {
        const message =
          query !== null && apqHash !== null
            ? `This API key may only run trusted documents: automatic persisted query registration is refused, and ${id} is not registered as a trusted document of this organization`
            : `The document ${id} is not registered as a trusted document of this organization`;
        return refusal(400, [appError('PERSISTED_QUERY_NOT_IN_LIST', message)]);
      }
      // As Apollo Server: HTTP 200, so that Apollo Client's persisted query link sends the query.
      const notFound = new GraphQLError('PersistedQueryNotFound', { extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } });
      if (apqHash === null) return refusal(400, [notFound]);
      return { ...refusal(200, [notFound], { 'Cache-Control': 'private, no-cache, must-revalidate' }), apqMiss: apqHash };
    }
    if (trustedOnly) {
      return refusal(400, [appError('PERSISTED_QUERY_ID_REQUIRED', 'This API key may only run trusted documents: send documentId (or extensions.persistedQuery.sha256Hash) of a registered document')]);
    }
    if (query === null) return refusal(400, [badInput('query', 'REQUIRED', 'a GraphQL document (string) is required')]);
    return { text: query, register: null };
  }

  /** Checks an operation up to, but not including, the rate limits. */
  async function check(caller: Caller, request: OperationRequest, schema: GraphQLSchema, scopeMode: ScopeMode, requestId: string | undefined) {
    const resolved = await resolveDocument(caller, request, requestId);
    if ('kind' in resolved) return resolved;
    const text = resolved.text;
    const operationName = typeof request.operationName === 'string' && request.operationName ? request.operationName : null;
    if (request.variables !== undefined && request.variables !== null && !isRecord(request.variables)) {
      return refusal(400, [badInput('variables', 'INVALID_VALUE', 'must be an object')]);
    }
    const variables = (request.variables as Record<string, unknown> | null | undefined) ?? null;
    // Before the (recursive) parser and before anything walks the variables.
    const nesting = checkNesting(text, variables, MAX_TEXT_NESTING, MAX_VALUE_DEPTH);
    if (nesting) return refusal(400, [nesting]);
    const parsed = parseOnce(text);
    if (parsed instanceof GraphQLError) return refusal(400, [parsed]);
    const shape = once(schema, parsed, 'shape', () => checkShape(parsed, options.shapeLimits));
    if (shape) return refusal(400, [shape]);
    const operation = selectOperation(parsed, operationName);
    if (!operation) {
      const message = operationName ? `Unknown operation named "${operationName}"` : 'Must provide operation name if query contains multiple operations';
      return refusal(400, [new GraphQLError(message, { extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } })]);
    }
    const errors = once(schema, parsed, 'valid', () => validate(schema, parsed));
    if (errors.length > 0) {
      return refusal(400, errors.map((e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })));
    }
    const values = variablesKey(variables);
    const named = `${operationName ?? ''}\u0000${values}`;
    const badValue = once(schema, parsed, values === null ? null : `input\u0000${named}`, () => checkInputValues(schema, parsed, operation, variables));
    if (badValue) return refusal(400, [badValue]);
    // Scopes are all an identity brings to authorization.
    const authorization = once(schema, parsed, `scopes\u0000${operationName ?? ''}\u0000${caller.identity.scopes.join(',')}`, () =>
      authorizeOperation(schema, parsed, operationName, caller.identity, options.requirements),
    );
    if (authorization.violations.length > 0 && (scopeMode === 'reject' || authorization.empty)) {
      return refusal(403, authorization.violations.map(violationError));
    }
    const document = authorization.document;
    const estimatedCost = once(schema, document, values === null ? null : `cost\u0000${named}`, () => estimateCost(schema, document, options.costModel, { operationName, variables }));
    if (estimatedCost > options.maxCost) {
      return withEstimate(estimatedCost, 400, [
        appError('COST_ESTIMATED_TOO_EXPENSIVE', `The operation's estimated cost is ${estimatedCost}; the maximum is ${options.maxCost}. Ask for fewer items (first) or fewer nested lists`, {
          cost: { estimated: estimatedCost, maximum: options.maxCost },
        }),
      ]);
    }
    const executed = authorization.violations.length > 0 ? selectOperation(document, operationName) : operation;
    // Registered once it proved a valid operation of this schema (as Apollo Server does).
    if (resolved.register !== null) options.persistedQueries.set(caller.identity.orgId, resolved.register, text);
    return {
      apqRegistered: resolved.register,
      schema,
      document,
      query: document === parsed ? text : print(document),
      operation: executed ?? operation,
      operationName,
      variables,
      violations: authorization.violations,
      estimatedCost,
    };
  }

  /**
   * Admission of an APQ registration whose miss was counted: charged its estimated cost to the
   * budget like any operation, not counted as a request.
   */
  async function chargeOnly(limits: { requests: RequestWindows; budgetSubject: string }, cost: number): Promise<Admission> {
    const spent = await options.limiter.spend(limits.budgetSubject, cost);
    const { requests } = await options.limiter.peek(limits);
    if (spent.allowed) return { allowed: true, requests, budget: spent.budget };
    return { allowed: false, refusedBy: 'budget', retryAfterSeconds: spent.retryAfterSeconds ?? 1, requests, budget: spent.budget };
  }

  return {
    /**
     * Decides on one operation of `caller` against `schema` (the API schema for HTTP, the
     * schema with subscriptions for WebSocket and SSE). Admitted operations have been
     * counted and charged their estimated cost. `scopeMode` overrides the deployment's;
     * `requestId` (the request being served) goes on the trusted-document lookup.
     */
    async evaluate(caller: Caller, request: OperationRequest, schema: GraphQLSchema, how: { readonly scopeMode?: ScopeMode; readonly requestId?: string } = {}): Promise<PolicyVerdict> {
      const checked = await check(caller, request, schema, how.scopeMode ?? options.scopeMode, how.requestId);
      const refused = 'kind' in checked ? checked : null;
      const passed = 'kind' in checked ? null : checked;
      const estimated = refused ? (refused.estimatedCost ?? null) : (passed?.estimatedCost ?? null);
      const subject = budgetSubject(caller.identity);
      const limits = { requests: requestWindows(caller, options.requestsPerHour), budgetSubject: subject };
      // Schema introspection alone is answered by the gateway from its own schema and IDEs
      // poll it: it is not counted (its shape was checked like any other document). A
      // refused operation is counted as a request but charged nothing.
      const admission =
        passed && isIntrospectionOnly(passed.operation)
          ? await options.limiter.peek(limits)
          : passed?.apqRegistered && apqCredits.take(subject, passed.apqRegistered)
            ? await chargeOnly(limits, passed.estimatedCost)
            : await options.limiter.admit({ ...limits, cost: passed?.estimatedCost ?? 0 });
      // A miss is counted; the request that registers its hash next is then not counted again.
      if (refused?.apqMiss && admission.allowed) apqCredits.grant(subject, refused.apqMiss);
      const headers = rateLimitHeaders(admission);
      // Refused responses report the cost too: nothing ran, nothing was charged.
      const extensions = { cost: { estimated, actual: 0, maximum: options.maxCost, budget: admission.budget } };
      if (!admission.allowed) {
        const byRequests = admission.refusedBy === 'requests';
        const retryAfter = admission.retryAfterSeconds ?? 1;
        const window = admission.requests.window === 'key' ? "this API key's own limit" : "the organization's limit";
        const message = byRequests
          ? `Rate limit exceeded: ${window} of ${admission.requests.limit} requests per hour; retry after ${retryAfter} s`
          : `Cost budget exceeded: this operation needs ${estimated ?? 0} points and ${admission.budget.remaining} remain (restored at ${admission.budget.restoreRate} per second); retry after ${retryAfter} s`;
        // `window` names the hourly window that refused: 'organization' or 'key' (a key's own limit).
        const refusedBy = byRequests ? { limit: 'requests', window: admission.requests.window } : { limit: 'cost' };
        const error = appError('RATE_LIMITED', message, { retryAfter, ...refusedBy, budget: admission.budget });
        rateLimitRefusals.inc({ limit: byRequests ? 'requests' : 'cost' });
        return { ...refusal(429, [error], headers), extensions };
      }
      if ('kind' in checked) return { ...checked, headers: { ...checked.headers, ...headers }, extensions };
      return { kind: 'admitted', ...checked, admission, budgetSubject: subject, headers };
    },
    /** Credits back what an admitted operation was charged beyond its actual cost; the budget after. */
    async settle(admitted: Admitted, actualCost: number): Promise<Admission['budget']> {
      const refund = Math.max(0, admitted.estimatedCost - actualCost);
      return refund > 0 ? options.limiter.settle(admitted.budgetSubject, refund) : admitted.admission.budget;
    },
  };
}

/** The operation policy of a gateway. */
export type OperationPolicy = ReturnType<typeof createOperationPolicy>;
