import { GraphQLError, Kind, parse, type DocumentNode, type GraphQLFormattedError, type SelectionSetNode } from 'graphql';

/**
 * Codes of a failed subgraph fetch, as Apollo Router names them: the subgraph could not be
 * reached or answered a non-GraphQL HTTP error (`SUBREQUEST_HTTP_ERROR`), or its answer was
 * not a GraphQL response (`SUBREQUEST_MALFORMED_RESPONSE`).
 */
export type SubrequestErrorCode = 'SUBREQUEST_HTTP_ERROR' | 'SUBREQUEST_MALFORMED_RESPONSE';

/**
 * A subgraph the gateway needs before it can run an operation (people, for API keys and
 * trusted documents) is unreachable or refuses the gateway: answered 503 SERVICE_UNAVAILABLE
 * with `extensions.service`, never 500.
 */
export class SubgraphUnavailableError extends Error {
  constructor(
    readonly service: string,
    message: string,
  ) {
    super(message);
  }
}

/** Why `service` answered HTTP `status` to the gateway, in words an operator can act on. */
export function refusalReason(service: string, status: number): string {
  if (status === 401) return `${service} refused the gateway's identity signature: IDENTITY_SECRET differs?`;
  return `${service} answered HTTP ${status}`;
}

/**
 * Runs a call to a subgraph's internal route: a network failure or a 401 (the signature was
 * refused) or 5xx answer becomes a SubgraphUnavailableError; other answers are returned.
 */
export async function callInternal(service: string, call: () => Promise<Response>): Promise<Response> {
  let response: Response;
  try {
    response = await call();
  } catch (error) {
    throw new SubgraphUnavailableError(service, `${service} is unreachable (${describeNetworkError(error)})`);
  }
  if (response.status === 401 || response.status >= 500) {
    await response.body?.cancel();
    throw new SubgraphUnavailableError(service, refusalReason(service, response.status));
  }
  return response;
}

/** A short reason for a failed fetch (ECONNREFUSED, timeout, ...) without URLs or stacks. */
function describeNetworkError(error: unknown): string {
  const e = error as { name?: unknown; code?: unknown; cause?: { code?: unknown } } | null;
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'timed out';
  const code = e?.cause?.code ?? e?.code;
  if (typeof code === 'string' && /^[A-Z_]+$/.test(code)) return code;
  return 'connection failed';
}

/** Error thrown by the gateway's data source for a subgraph's non-2xx answer, with its parsed body. */
export class SubgraphHttpError extends GraphQLError {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`HTTP ${status}`);
  }
}

/** Top-level response names of a selection set (inline fragments flattened). */
function responseNames(selectionSet: SelectionSetNode, out: string[] = []): string[] {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      const name = selection.alias?.value ?? selection.name.value;
      if (name !== '__typename' && !out.includes(name)) out.push(name);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      responseNames(selection.selectionSet, out);
    }
  }
  return out;
}

/**
 * The paths (relative to the fetch, as @apollo/gateway expects them from a subgraph) that a
 * failed fetch leaves without data: each root field of a root fetch, or each field asked of
 * each entity (`_entities.<i>.<field>`, which the gateway maps to the entity's place in the
 * response).
 */
export function failedPaths(query: string | undefined, variables: Record<string, unknown> | undefined): (string | number)[][] {
  let document: DocumentNode | undefined;
  try {
    // The query plan's own fetch text: small, and parsed only when a fetch failed.
    document = query ? parse(query) : undefined;
  } catch {
    document = undefined;
  }
  const operation = document?.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
  const roots = operation?.kind === Kind.OPERATION_DEFINITION ? operation.selectionSet : undefined;
  const representations = variables?.['representations'];
  if (Array.isArray(representations)) {
    // An entity fetch: `_entities(representations:) { ... on T { fields } }`; each entity lacks those fields.
    const entities = roots?.selections.find((s) => s.kind === Kind.FIELD && s.name.value === '_entities');
    const fields = entities?.kind === Kind.FIELD && entities.selectionSet ? responseNames(entities.selectionSet) : [];
    return representations.flatMap((_, i) => (fields.length > 0 ? fields.map((field) => ['_entities', i, field]) : [['_entities', i]]));
  }
  const names = roots ? responseNames(roots) : [];
  return names.length > 0 ? names.map((name) => [name]) : [[]];
}

/** True for a GraphQL response body (an object with an `errors` array or a `data` member). */
function isGraphQLBody(body: unknown): body is { data?: unknown; errors?: GraphQLFormattedError[] } {
  if (typeof body !== 'object' || body === null) return false;
  const b = body as { data?: unknown; errors?: unknown };
  return Array.isArray(b.errors) || 'data' in b;
}

/**
 * What the gateway reports for a subgraph fetch that threw: a subgraph's own GraphQL errors
 * on a 4xx (e.g. a variable it refused) pass through with their codes; anything else is one
 * `SUBREQUEST_HTTP_ERROR` or `SUBREQUEST_MALFORMED_RESPONSE` per affected field, naming the
 * service and the field's path, with no URL, body or stack.
 */
export function subgraphFailureResponse(
  service: string,
  error: unknown,
  paths: (string | number)[][],
): { data?: Record<string, unknown> | null; errors: GraphQLFormattedError[] } {
  let code: SubrequestErrorCode = 'SUBREQUEST_HTTP_ERROR';
  let reason: string;
  let status: number | undefined;
  if (error instanceof SubgraphHttpError) {
    status = error.status;
    if (error.status < 500 && error.status !== 401 && isGraphQLBody(error.body) && Array.isArray(error.body.errors) && error.body.errors.length > 0) {
      const data = error.body.data;
      return {
        ...(typeof data === 'object' ? { data: data as Record<string, unknown> | null } : {}),
        errors: error.body.errors.map((e) => ({ ...e, extensions: { ...e.extensions, service } })),
      };
    }
    reason = refusalReason(service, error.status);
  } else if (error instanceof SyntaxError || (error instanceof Error && /JSON|invalid-json/i.test(`${error.message} ${(error as { type?: string }).type ?? ''}`))) {
    code = 'SUBREQUEST_MALFORMED_RESPONSE';
    reason = `${service} did not answer with a GraphQL response`;
  } else {
    reason = `${service} is unreachable (${describeNetworkError(error)})`;
  }
  const message = `The ${service} service failed: ${reason}`;
  return {
    errors: paths.map((path) => ({
      message,
      ...(path.length > 0 ? { path } : {}),
      extensions: { code, service, reason, ...(status !== undefined ? { http: { status } } : {}) },
    })),
  };
}

const SUBREQUEST_CODES: ReadonlySet<unknown> = new Set(['SUBREQUEST_HTTP_ERROR', 'SUBREQUEST_MALFORMED_RESPONSE']);

/**
 * The gateway's `formatError`: subgraph-fetch failures pass through; every other error goes
 * through `mask` (known codes pass, the rest become INTERNAL_SERVER_ERROR). An error that came
 * from a subgraph names it in `extensions.service` (as Apollo Router does) instead of
 * @apollo/gateway's `serviceName`.
 */
export function formatGatewayError(
  mask: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError,
): (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError {
  return (formatted, error) => {
    const { serviceName, ...extensions } = formatted.extensions ?? {};
    const service = typeof extensions['service'] === 'string' ? extensions['service'] : typeof serviceName === 'string' ? serviceName : undefined;
    if (SUBREQUEST_CODES.has(extensions['code'])) {
      const { stacktrace: _stack, ...rest } = extensions;
      return { ...formatted, extensions: rest };
    }
    const masked = mask({ ...formatted, extensions }, error);
    return service === undefined ? masked : { ...masked, extensions: { ...masked.extensions, service } };
  };
}
