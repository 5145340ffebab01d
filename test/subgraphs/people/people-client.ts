import { apiKeyPrefix, hashApiKeySecret } from '../../../subgraphs/shared/api-key-format.ts';
import type { Identity } from '../../../subgraphs/shared/identity.ts';
import { postSigned } from '../../helpers/signed-request.ts';
import type { ApiKeyVerdict } from '../../../subgraphs/people/api-key-verification.ts';
import type { GraphQLBody, TestGraph } from '../../helpers/graph.ts';

/**
 * Calls the people subgraph the way the gateway does, without the gateway: the key is
 * verified through `/internal/verify-api-key` and its identity signed onto the request. The
 * people suites use it for fields the checked-in supergraph may not carry yet.
 */
export interface PeopleClient {
  /** The verdict of `/internal/verify-api-key` for `secret`. */
  verify(secret: string): Promise<ApiKeyVerdict>;
  /** The identity `secret` verifies as; throws when it is refused. */
  identityOf(secret: string): Promise<Identity>;
  /** Runs an operation on the people subgraph as the caller of `secret`. */
  gql<T = Record<string, unknown>>(secret: string, query: string, variables?: Record<string, unknown>): Promise<{ status: number; body: GraphQLBody<T> }>;
  /** Runs an operation on the people subgraph as `identity`. */
  gqlAs<T = Record<string, unknown>>(identity: Identity, query: string, variables?: Record<string, unknown>): Promise<{ status: number; body: GraphQLBody<T> }>;
  /** POSTs `body` to an internal route, signed as the gateway itself (`headers` replace the signature). */
  internal(path: string, body: unknown, headers?: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }>;
}

export function peopleClient(graph: TestGraph): PeopleClient {
  async function post(path: string, identity: Identity | null, body: unknown, headers?: Record<string, string>) {
    const response = await postSigned(graph.people.url, 'people', identity, graph.identitySecret, body, { path, ...(headers ? { headers } : {}) });
    return { status: response.status, body: (await response.json()) as never };
  }
  const client: PeopleClient = {
    internal: (path, body, headers) => post(path, null, body, headers),
    async verify(secret) {
      const res = await client.internal('/internal/verify-api-key', {
        prefix: apiKeyPrefix(secret),
        secretHash: hashApiKeySecret(secret).toString('base64url'),
      });
      if (res.status !== 200) throw new Error(`verification answered ${res.status}: ${JSON.stringify(res.body)}`);
      return res.body as unknown as ApiKeyVerdict;
    },
    async identityOf(secret) {
      const verdict = await client.verify(secret);
      if (!verdict.valid) throw new Error(`key refused: ${verdict.reason}`);
      return verdict.identity;
    },
    gqlAs: (identity, query, variables) => post('/graphql', identity, { query, variables }),
    async gql(secret, query, variables) {
      return client.gqlAs(await client.identityOf(secret), query, variables);
    },
  };
  return client;
}
