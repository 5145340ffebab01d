import { signIdentity } from '../../subgraphs/shared/identity.ts';

/** How long a call to a subgraph's internal route may take. */
const INTERNAL_TIMEOUT_MS = 5_000;

/**
 * POSTs `body` as JSON to an internal route of the subgraph at `graphqlUrl` (e.g.
 * `/internal/verify-api-key`), signed as the gateway itself (no caller identity).
 */
export function postInternal(graphqlUrl: string, path: string, body: unknown, identitySecret: string): Promise<Response> {
  return fetch(new URL(path, graphqlUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signIdentity(null, identitySecret) },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(INTERNAL_TIMEOUT_MS),
  });
}
