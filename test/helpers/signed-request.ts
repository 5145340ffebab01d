import { signIdentity, type Identity } from '../../subgraphs/shared/identity.ts';

/** Options of {@link postSigned}. */
export interface SignedPostOptions {
  /** Path on the subgraph; default `/graphql`. */
  readonly path?: string;
  /** The subgraph the headers are signed for; default the one posted to. */
  readonly audience?: string;
  /** The body the headers are signed for; default the one sent. */
  readonly signedBody?: string;
  /** Signing time, epoch ms; default now. */
  readonly now?: number;
  /** Headers sent in place of the signature (`{}` sends none). */
  readonly headers?: Record<string, string>;
}

/**
 * POSTs `payload` as JSON to the subgraph `subgraph` (its name) at `baseUrl`, signed as the
 * gateway signs: for `identity` (null: the gateway itself), that subgraph and the exact
 * bytes sent. The options sign for something else, to test refusals.
 */
export async function postSigned(
  baseUrl: string,
  subgraph: string,
  identity: Identity | null,
  secret: string,
  payload: unknown,
  options: SignedPostOptions = {},
): Promise<Response> {
  const body = JSON.stringify(payload);
  const signed =
    options.headers ?? signIdentity(identity, secret, { audience: options.audience ?? subgraph, body: options.signedBody ?? body }, options.now);
  return fetch(`${baseUrl}${options.path ?? '/graphql'}`, { method: 'POST', headers: { 'content-type': 'application/json', ...signed }, body });
}
