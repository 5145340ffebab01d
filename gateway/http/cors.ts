import type http from 'node:http';

export interface CorsOptions {
  /** Allowed origins; `['*']` allows any (safe here: credentials travel in headers, never cookies). */
  readonly origins: readonly string[];
}

/** What a preflight allows on one route; default the GraphQL endpoint's. */
export interface CorsRoute {
  readonly methods: string;
  readonly allowedHeaders: string;
}

const ALLOWED_HEADERS = 'content-type, x-api-key, authorization, apollo-require-preflight, x-apollo-operation-name, apollographql-client-name, apollographql-client-version, idempotency-key';
const EXPOSED_HEADERS = 'x-ratelimit-limit, x-ratelimit-remaining, x-ratelimit-reset, retry-after, idempotent-replayed';

/**
 * Sets CORS headers for an allowed origin. Answers preflight (OPTIONS) requests itself
 * and returns true for them; returns false otherwise so the request goes on.
 */
export function applyCors(
  options: CorsOptions,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  route: CorsRoute = { methods: 'GET, POST, OPTIONS', allowedHeaders: ALLOWED_HEADERS },
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
