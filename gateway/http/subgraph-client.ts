import { Agent } from 'undici';

/** Settings of the gateway's HTTP client for subgraph fetches. */
export interface SubgraphClientOptions {
  /** Most open connections per subgraph origin (SUBGRAPH_CONNECTIONS); default 64. */
  readonly connections?: number | undefined;
  /** Longest wait for a TCP connection, ms (SUBGRAPH_CONNECT_TIMEOUT_MS); default 5 000. */
  readonly connectTimeoutMs?: number | undefined;
  /** Longest wait for a subgraph's answer (its headers, then between body chunks), ms (SUBGRAPH_TIMEOUT_MS); default 30 000. */
  readonly timeoutMs?: number | undefined;
  /** How long an idle kept-alive connection stays open, ms; default 10 000 (under the subgraphs' own keep-alive). */
  readonly keepAliveTimeoutMs?: number | undefined;
}

export const DEFAULT_SUBGRAPH_CONNECTIONS = 64;
export const DEFAULT_SUBGRAPH_CONNECT_TIMEOUT_MS = 5_000;
export const DEFAULT_SUBGRAPH_TIMEOUT_MS = 30_000;

/**
 * A subgraph's answer read in full: what concurrent callers of one de-duplicated fetch
 * share. Read-only: each caller parses the bytes into objects of its own, which the
 * gateway's result shaping may then change.
 */
export interface SubgraphAnswer {
  readonly status: number;
  /** Header names lower-cased; repeated headers joined with `, `. */
  readonly headers: ReadonlyMap<string, string>;
  readonly body: Buffer;
}

/** One subgraph request: always a POST of a GraphQL body. */
export interface SubgraphRequest {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** A failed fetch, worded as make-fetch-happen words it (the URL in the message, the cause's code): the follow-up resolver reads the service from the URL. */
class SubgraphFetchError extends Error {
  readonly code: string | undefined;
  constructor(url: string, cause: unknown) {
    const e = cause as { message?: unknown; code?: unknown } | null;
    super(`request to ${url} failed, reason: ${typeof e?.message === 'string' ? e.message : 'connection failed'}`, { cause });
    this.name = 'FetchError';
    this.code = typeof e?.code === 'string' ? e.code : undefined;
  }
}

/** The gateway's subgraph client: one undici pool per subgraph origin, and `close()`. */
export interface SubgraphClient {
  /**
   * Sends one subgraph request and reads its answer in full. Concurrent calls with the same
   * non-null `dedupKey` share one request and its answer; null: never shared. A request
   * that gets no answer (refused, reset, timed out) rejects with an error naming the URL.
   */
  readonly send: (url: string, request: SubgraphRequest, dedupKey: string | null) => Promise<SubgraphAnswer>;
  /** Fetches in flight now that other callers may join (for tests). */
  readonly inFlight: () => number;
  /** Closes every pooled connection (waits for requests in flight). */
  close(): Promise<void>;
}

/**
 * An undici `Agent` (a `Pool` of at most `connections` kept-alive connections per subgraph
 * origin) in place of @apollo/gateway's default make-fetch-happen fetcher, which costs a
 * third of the gateway's CPU (and builds an `Error().stack` per request in agent-base).
 *
 * In-flight de-duplication: fetches given the same non-null key while one is in flight
 * share it; the entry goes as soon as that fetch settles (nothing is cached), and a
 * failure reaches every caller. The caller builds the key from everything that changes the
 * answer (subgraph, signed identity, body) and passes null for what must never be shared
 * (mutations).
 */
export function createSubgraphClient(options: SubgraphClientOptions = {}): SubgraphClient {
  const timeoutMs = options.timeoutMs ?? DEFAULT_SUBGRAPH_TIMEOUT_MS;
  const agent = new Agent({
    connections: options.connections ?? DEFAULT_SUBGRAPH_CONNECTIONS,
    connectTimeout: options.connectTimeoutMs ?? DEFAULT_SUBGRAPH_CONNECT_TIMEOUT_MS,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 10_000,
  });
  const pending = new Map<string, Promise<SubgraphAnswer>>();
  // A subgraph's URL is one of a few: parsed once.
  const targets = new Map<string, { origin: string; path: string }>();
  const targetOf = (url: string) => {
    let target = targets.get(url);
    if (!target) {
      const parsed = new URL(url);
      target = { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
      targets.set(url, target);
    }
    return target;
  };

  async function request(url: string, subgraphRequest: SubgraphRequest): Promise<SubgraphAnswer> {
    try {
      const { origin, path } = targetOf(url);
      const response = await agent.request({ origin, path, method: 'POST', headers: subgraphRequest.headers, body: subgraphRequest.body });
      const body = Buffer.from(await response.body.arrayBuffer());
      const headers = new Map<string, string>();
      for (const [name, value] of Object.entries(response.headers)) {
        if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
      }
      return { status: response.statusCode, headers, body };
    } catch (error) {
      throw new SubgraphFetchError(url, error);
    }
  }

  return {
    send(url, subgraphRequest, dedupKey) {
      if (dedupKey === null) return request(url, subgraphRequest);
      let shared = pending.get(dedupKey);
      if (!shared) {
        shared = request(url, subgraphRequest).finally(() => pending.delete(dedupKey));
        pending.set(dedupKey, shared);
      }
      return shared;
    },
    inFlight: () => pending.size,
    async close() {
      await agent.close();
    },
  };
}
