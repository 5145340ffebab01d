import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import { compress, graphqlResponseType, negotiateEncoding } from './negotiation.ts';

/** A response the HTTP layer answers before GraphQL runs (413, 400, 401, ...). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string,
    readonly headers: Record<string, string> = {},
    /** Extra `extensions` of the error (e.g. `field` and `rule` of a BAD_USER_INPUT). */
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** Default largest request body, in bytes. */
export const DEFAULT_MAX_BODY_BYTES = 1_000_000;
/** Bodies smaller than this are sent uncompressed: compression would not pay for itself. */
export const COMPRESS_MIN_BYTES = 1024;

/** Reads a body's raw bytes; 413 above `maxBytes`. */
export async function readBodyBytes(req: http.IncomingMessage, maxBytes = DEFAULT_MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes) throw new HttpError(413, `request body exceeds ${maxBytes} bytes`, 'PAYLOAD_TOO_LARGE');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > maxBytes) throw new HttpError(413, `request body exceeds ${maxBytes} bytes`, 'PAYLOAD_TOO_LARGE');
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

/** Parses body bytes read by {@link readBodyBytes}: 400 for malformed JSON; text when not JSON; empty body: undefined. */
export function parseJsonBody(req: http.IncomingMessage, bytes: Buffer): unknown {
  if (bytes.length === 0) return undefined;
  const text = bytes.toString('utf8');
  const type = req.headers['content-type'] ?? '';
  if (!type.includes('json')) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, 'request body is not valid JSON', 'BAD_REQUEST');
  }
}

/** Reads and parses a JSON body; 413 above `maxBytes`, 400 for malformed JSON. Empty body: undefined. */
export async function readJsonBody(req: http.IncomingMessage, maxBytes = DEFAULT_MAX_BODY_BYTES): Promise<unknown> {
  return parseJsonBody(req, await readBodyBytes(req, maxBytes));
}

/** Adds `field` to the response's Vary header, keeping what is there (CORS's Origin). */
export function addVary(res: http.ServerResponse, field: string): void {
  const current = res.getHeader('Vary');
  const fields = (Array.isArray(current) ? current.join(',') : String(current ?? '')).split(',').map((f) => f.trim()).filter(Boolean);
  if (!fields.some((f) => f.toLowerCase() === field.toLowerCase())) fields.push(field);
  res.setHeader('Vary', fields.join(', '));
}

/**
 * Writes a response, compressed (brotli or gzip, by the Accept-Encoding q-values) when the body
 * is at least COMPRESS_MIN_BYTES. Compression runs off the event loop, so the response may be
 * written after this returns; a compression failure sends the body uncompressed.
 */
export function send(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: string | Buffer,
): void {
  const buf = typeof body === 'string' ? Buffer.from(body) : body;
  addVary(res, 'Accept-Encoding');
  const coding = buf.length >= COMPRESS_MIN_BYTES ? negotiateEncoding(req.headers['accept-encoding']) : null;
  const write = (payload: Buffer, extra: Record<string, string>): void => {
    if (res.headersSent || res.destroyed) return;
    res.writeHead(status, { ...headers, ...extra, 'Content-Length': String(payload.length) });
    res.end(req.method === 'HEAD' ? undefined : payload);
  };
  if (coding === null) return write(buf, {});
  compress(buf, coding).then(
    (compressed) => write(compressed, { 'Content-Encoding': coding }),
    () => write(buf, {}),
  );
}

/** Sends `{ errors: [...] }` with an `extensions.code`, as GraphQL clients expect. */
export function sendGraphQLError(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  status: number,
  message: string,
  code: string,
  headers: Record<string, string> = {},
  extensions: Record<string, unknown> = {},
): void {
  const body = JSON.stringify({ errors: [{ message, extensions: { ...extensions, code } }] });
  addVary(res, 'Accept');
  send(req, res, status, { 'Content-Type': graphqlResponseType(req), ...headers }, body);
}

/** Sends a small JSON document. */
export function sendJson(req: http.IncomingMessage, res: http.ServerResponse, status: number, value: unknown): void {
  send(req, res, status, { 'Content-Type': 'application/json; charset=utf-8' }, JSON.stringify(value));
}

/**
 * Runs one GraphQL-over-HTTP request through Apollo Server (whose standalone server would
 * hide the `node:http` server the WebSocket server needs to share). `search` replaces the
 * URL's query string (a GET request whose operation the gateway rewrote).
 */
export async function executeApollo<TContext extends BaseContext>(
  apollo: ApolloServer<TContext>,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  body: unknown,
  context: () => Promise<TContext>,
  extraHeaders: Record<string, string> = {},
  search?: string,
): Promise<void> {
  await sendApolloResult(req, res, await runApollo(apollo, req, body, context, search), extraHeaders);
}

/** The result of one GraphQL-over-HTTP request run through Apollo Server. */
export type ApolloHttpResult = Awaited<ReturnType<ApolloServer['executeHTTPGraphQLRequest']>>;

/** Runs one GraphQL-over-HTTP request through Apollo Server without answering it (see executeApollo). */
export async function runApollo<TContext extends BaseContext>(
  apollo: ApolloServer<TContext>,
  req: http.IncomingMessage,
  body: unknown,
  context: () => Promise<TContext>,
  search?: string,
): Promise<ApolloHttpResult> {
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  const url = new URL(req.url ?? '/', 'http://localhost');
  return apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: search ?? url.search, body },
    context,
  });
}

/** Answers a request with Apollo Server's result (streamed for incremental delivery). */
export async function sendApolloResult(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  result: ApolloHttpResult,
  extraHeaders: Record<string, string> = {},
): Promise<void> {
  const out: Record<string, string> = { ...extraHeaders };
  for (const [key, value] of result.headers) out[key] = value;
  // Apollo Server picks the Content-Type by the Accept header (GraphQL over HTTP) but says nothing of it to caches.
  addVary(res, 'Accept');
  if (result.body.kind === 'complete') {
    send(req, res, result.status ?? 200, out, result.body.string);
    return;
  }
  // Incremental delivery (@defer): stream chunks as they come.
  res.writeHead(result.status ?? 200, out);
  for await (const chunk of result.body.asyncIterator) res.write(chunk);
  res.end();
}

/**
 * How long an idle keep-alive connection is kept open. Longer than the clients' own idle
 * timeouts (the gateway's subgraph fetcher, undici's 4 s, load balancers' 60 s), so the
 * server never closes a socket a client is about to reuse (which the client sees as
 * ECONNRESET on its next request).
 */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/** Listens on `port` (0: any free port) and `host`; resolves to the base URL. */
export async function listen(server: http.Server, port: number, host: string): Promise<string> {
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  // Must exceed keepAliveTimeout, or a request arriving on a reused socket can time out early.
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${shownHost}:${address.port}`;
}

/** Closes the server, ending idle keep-alive sockets so shutdown does not hang. */
export async function close(server: http.Server): Promise<void> {
  await new Promise<void>((resolve) => {
    // Keep-alive connections become idle as their last response is sent: close them as they do.
    const idle = setInterval(() => server.closeIdleConnections(), 50);
    server.close(() => {
      clearInterval(idle);
      resolve();
    });
    server.closeIdleConnections();
  });
}
