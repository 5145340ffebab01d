import { signIdentity } from '../../subgraphs/shared/identity.ts';

/** How long a call to a subgraph's internal route may take. */
const INTERNAL_TIMEOUT_MS = 5_000;

/**
 * POSTs `body` as JSON to an internal route of the subgraph at `graphqlUrl` (e.g.
 * `/internal/verify-api-key`), signed as the gateway itself (no caller identity) for that
 * subgraph (`audience`, default `people`, which serves today's internal routes) and for
 * the exact bytes sent.
 */
export function postInternal(graphqlUrl: string, path: string, body: unknown, identitySecret: string, audience = 'people'): Promise<Response> {
  const text = JSON.stringify(body);
  return fetch(new URL(path, graphqlUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signIdentity(null, identitySecret, { audience, body: text }) },
    body: text,
    signal: AbortSignal.timeout(INTERNAL_TIMEOUT_MS),
  });
}
