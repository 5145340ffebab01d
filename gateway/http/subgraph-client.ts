import { Agent } from 'undici';
import type { RemoteGraphQLDataSource } from '@apollo/gateway';

type Fetcher = RemoteGraphQLDataSource['fetcher'];
type FetcherRequestInit = NonNullable<Parameters<Fetcher>[1]>;
type FetcherResponse = Awaited<ReturnType<Fetcher>>;
type FetcherHeaders = FetcherResponse['headers'];

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

/** A subgraph's answer read in full: what concurrent callers of one de-duplicated fetch share. */
interface BufferedAnswer {
  readonly url: string;
  readonly status: number;
  readonly headers: ReadonlyMap<string, string>;
  readonly body: Buffer;
}

/** Read-only headers of a buffered answer (lower-cased names), as @apollo/gateway reads them. */
class AnswerHeaders implements FetcherHeaders {
  constructor(private readonly map: Map<string, string>) {}
  append(name: string, value: string): void {
    const key = name.toLowerCase();
    const prior = this.map.get(key);
    this.map.set(key, prior === undefined ? value : `${prior}, ${value}`);
  }
  delete(name: string): void {
    this.map.delete(name.toLowerCase());
  }
  get(name: string): string | null {
    return this.map.get(name.toLowerCase()) ?? null;
  }
  has(name: string): boolean {
    return this.map.has(name.toLowerCase());
  }
  set(name: string, value: string): void {
    this.map.set(name.toLowerCase(), value);
  }
  entries(): Iterator<[string, string]> {
    return this.map.entries();
  }
  keys(): Iterator<string> {
    return this.map.keys();
  }
  values(): Iterator<string> {
    return this.map.values();
  }
  [Symbol.iterator](): Iterator<[string, string]> {
    return this.map.entries();
  }
}

/**
 * One caller's view of a buffered answer: its own headers and body state, the bytes shared.
 * Not Node's `Response`: each would wrap the shared bytes in a web stream of its own, per
 * caller of a shared fetch, and a constructed one cannot carry the `url` that the fetcher's
 * response type has (@apollo/gateway's default `errorFromResponse` reports it).
 */
class AnswerResponse implements FetcherResponse {
  bodyUsed = false;
  readonly redirected = false;
  readonly headers: AnswerHeaders;
  constructor(private readonly answer: BufferedAnswer) {
    this.headers = new AnswerHeaders(new Map(answer.headers));
  }
  get url(): string {
    return this.answer.url;
  }
  get status(): number {
    return this.answer.status;
  }
  get ok(): boolean {
    return this.answer.status >= 200 && this.answer.status < 300;
  }
  get statusText(): string {
    return '';
  }
  private consume(): Buffer {
    if (this.bodyUsed) throw new TypeError('the body of this response was already read');
    this.bodyUsed = true;
    return this.answer.body;
  }
  async arrayBuffer(): Promise<ArrayBuffer> {
    const body = this.consume();
    return body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer;
  }
  async text(): Promise<string> {
    return this.consume().toString('utf8');
  }
  async json(): Promise<unknown> {
    return JSON.parse(await this.text()) as unknown;
  }
  clone(): FetcherResponse {
    return new AnswerResponse(this.answer);
  }
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

/** The gateway's subgraph client: a fetcher per subgraph over one undici pool per origin, and `close()`. */
export interface SubgraphClient {
  /**
   * Sends one subgraph request (as @apollo/gateway's fetcher would). Concurrent calls with
   * the same non-null `dedupKey` share one request and its answer; null: never shared.
   */
  readonly fetch: (url: string, init: FetcherRequestInit, dedupKey: string | null) => Promise<FetcherResponse>;
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
  const pending = new Map<string, Promise<BufferedAnswer>>();

  async function send(url: string, init: FetcherRequestInit): Promise<BufferedAnswer> {
    try {
      const target = new URL(url);
      const response = await agent.request({
        origin: target.origin,
        path: `${target.pathname}${target.search}`,
        method: (init.method ?? 'GET') as 'POST',
        headers: init.headers,
        body: init.body ?? null,
        signal: init.signal as AbortSignal | undefined,
      });
      const body = Buffer.from(await response.body.arrayBuffer());
      const headers = new Map<string, string>();
      for (const [name, value] of Object.entries(response.headers)) {
        if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
      }
      return { url, status: response.statusCode, headers, body };
    } catch (error) {
      throw new SubgraphFetchError(url, error);
    }
  }

  return {
    async fetch(url, init, dedupKey) {
      if (dedupKey === null) return new AnswerResponse(await send(url, init));
      let shared = pending.get(dedupKey);
      if (!shared) {
        shared = send(url, init).finally(() => pending.delete(dedupKey));
        pending.set(dedupKey, shared);
      }
      return new AnswerResponse(await shared);
    },
    inFlight: () => pending.size,
    async close() {
      await agent.close();
    },
  };
}
