import { signIdentity } from '../../subgraphs/shared/identity.ts';
import { REQUEST_ID_HEADER } from '../../subgraphs/shared/logger.ts';
import { withTraceHeaders } from '../../subgraphs/shared/tracing.ts';

/** How long a call to a subgraph's internal route may take. */
const INTERNAL_TIMEOUT_MS = 5_000;

/**
 * POSTs `body` as JSON to an internal route of the subgraph at `graphqlUrl` (e.g.
 * `/internal/verify-api-key`), signed as the gateway itself (no caller identity) for that
 * subgraph (`audience`, default `people`, which serves today's internal routes) and for
 * the exact bytes sent. Carries `requestId` (the id of the request being served, if any) and the trace context.
 */
export function postInternal(graphqlUrl: string, path: string, body: unknown, identitySecret: string, options: { audience?: string; requestId?: string | undefined } = {}): Promise<Response> {
  const text = JSON.stringify(body);
  const requestId = options.requestId;
  const headers = withTraceHeaders({ 'content-type': 'application/json', ...signIdentity(null, identitySecret, { audience: options.audience ?? 'people', body: text }) });
  if (requestId) headers[REQUEST_ID_HEADER] = requestId;
  return fetch(new URL(path, graphqlUrl), {
    method: 'POST',
    headers,
    body: text,
    signal: AbortSignal.timeout(INTERNAL_TIMEOUT_MS),
  });
}
