import type http from 'node:http';

export interface CorsOptions {
  /** Allowed origins; `['*']` allows any (safe here: credentials travel in headers, never cookies). */
  readonly origins: readonly string[];
  /** Request headers a preflight of the GraphQL endpoint allows; default DEFAULT_CORS_ALLOW_HEADERS. */
  readonly allowHeaders?: readonly string[] | undefined;
}

/** What a preflight allows on one route; default the GraphQL endpoint's. */
export interface CorsRoute {
  readonly methods: string;
  readonly allowedHeaders: string;
}

/**
 * Request headers browsers may send to the GraphQL endpoint by default (CORS_ALLOW_HEADERS):
 * the credentials, Apollo Client's, Idempotency-Key, a request id and the W3C Trace Context and
 * Baggage headers that browser tracing (OpenTelemetry) adds.
 */
export const DEFAULT_CORS_ALLOW_HEADERS: readonly string[] = [
  'content-type',
  'accept',
  'x-api-key',
  'authorization',
  'apollo-require-preflight',
  'x-apollo-operation-name',
  'apollographql-client-name',
  'apollographql-client-version',
  'idempotency-key',
  'x-request-id',
  'traceparent',
  'tracestate',
  'baggage',
];
const EXPOSED_HEADERS = 'x-ratelimit-limit, x-ratelimit-remaining, x-ratelimit-reset, retry-after, idempotent-replayed';

/**
 * Sets CORS headers for an allowed origin. Answers preflight (OPTIONS) requests itself
 * and returns true for them; returns false otherwise so the request goes on.
 */
export function applyCors(
  options: CorsOptions,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  route: CorsRoute = { methods: 'GET, POST, OPTIONS', allowedHeaders: (options.allowHeaders ?? DEFAULT_CORS_ALLOW_HEADERS).join(', ') },
): boolean {
  const origin = req.headers.origin;
  const any = options.origins.includes('*');
  const allowed = origin !== undefined && (any || options.origins.includes(origin));
  if (allowed) {
    res.setHeader('Access-Control-Allow-Origin', any ? '*' : origin);
    if (!any) res.setHeader('Vary', 'Origin');
    res.setHeader('Access-Control-Expose-Headers', EXPOSED_HEADERS);
  }
  if (req.method !== 'OPTIONS') return false;
  if (allowed) {
    res.setHeader('Access-Control-Allow-Methods', route.methods);
    res.setHeader('Access-Control-Allow-Headers', route.allowedHeaders);
    res.setHeader('Access-Control-Max-Age', '600');
  }
  res.writeHead(allowed ? 204 : 403);
  res.end();
  return true;
}
