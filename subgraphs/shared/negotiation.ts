import type http from 'node:http';
import zlib from 'node:zlib';

/** One entry of an Accept or Accept-Encoding header: its value (lower case) and q-value (0 to 1). */
export interface Preference {
  readonly value: string;
  readonly q: number;
}

/**
 * Parses a header of comma-separated values with optional `;q=` weights (RFC 9110 §12.4.2).
 * A missing q is 1; a malformed one makes the entry unacceptable (q 0) rather than preferred.
 */
export function parsePreferences(header: string | undefined): Preference[] {
  if (!header) return [];
  return header
    .split(',')
    .map((part) => {
      const [value = '', ...params] = part.split(';').map((piece) => piece.trim());
      let q = 1;
      for (const param of params) {
        const [name, raw] = param.split('=').map((piece) => piece.trim());
        if (name?.toLowerCase() !== 'q') continue;
        q = raw !== undefined && /^(0(\.\d{0,3})?|1(\.0{0,3})?)$/.test(raw) ? Number(raw) : 0;
      }
      return { value: value.toLowerCase(), q };
    })
    .filter((entry) => entry.value !== '');
}

/** The q-value `preferences` give `value`: its own entry's, else the wildcard's (`*`, or `type/*` for media types), else 0. */
function qualityOf(preferences: readonly Preference[], value: string, wildcards: readonly string[]): number {
  const own = preferences.find((entry) => entry.value === value);
  if (own) return own.q;
  for (const wildcard of wildcards) {
    const entry = preferences.find((candidate) => candidate.value === wildcard);
    if (entry) return entry.q;
  }
  return 0;
}

/** Content codings the servers produce, preferred first on a tie. */
export type ContentCoding = 'br' | 'gzip';

/**
 * The coding to answer with for an Accept-Encoding header: the acceptable one (q > 0) with the
 * highest q-value, brotli on a tie; `*` stands for codings not named; null for identity (no
 * header, nothing acceptable, or only `identity`).
 */
export function negotiateEncoding(header: string | undefined): ContentCoding | null {
  const preferences = parsePreferences(header);
  let best: { coding: ContentCoding; q: number } | null = null;
  for (const coding of ['br', 'gzip'] as const) {
    const q = qualityOf(preferences, coding, coding === 'gzip' ? ['x-gzip', '*'] : ['*']);
    if (q > 0 && (best === null || q > best.q)) best = { coding, q };
  }
  return best?.coding ?? null;
}

/** Compresses `body` on the libuv thread pool (never blocking the event loop). */
export function compress(body: Buffer, coding: ContentCoding): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const done = (error: Error | null, result: Buffer): void => (error ? reject(error) : resolve(result));
    if (coding === 'br') {
      // Quality 4: close to gzip -6 in speed, smaller output; the default 11 is for static assets.
      zlib.brotliCompress(body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length } }, done);
    } else {
      zlib.gzip(body, { level: 6 }, done);
    }
  });
}

/** The GraphQL-over-HTTP response media type. */
export const GRAPHQL_RESPONSE_JSON = 'application/graphql-response+json';

/**
 * The Content-Type of a GraphQL response to `req` (GraphQL over HTTP), chosen as Apollo Server
 * chooses for its own answers: `application/graphql-response+json` when the Accept header
 * gives it a higher q-value than `application/json`, or the same q-value and names it more
 * specifically (`application/json` only through a wildcard) or first; else `application/json`
 * (also with no Accept header, or one naming neither).
 */
export function graphqlResponseType(req: http.IncomingMessage): string {
  const preferences = parsePreferences(req.headers.accept);
  const official = qualityOf(preferences, GRAPHQL_RESPONSE_JSON, []);
  const legacy = qualityOf(preferences, 'application/json', ['application/*', '*/*']);
  const position = (value: string): number => {
    const index = preferences.findIndex((entry) => entry.value === value);
    return index === -1 ? Number.POSITIVE_INFINITY : index;
  };
  const prefersOfficial = official > legacy || (official > 0 && official === legacy && position(GRAPHQL_RESPONSE_JSON) < position('application/json'));
  return prefersOfficial ? `${GRAPHQL_RESPONSE_JSON}; charset=utf-8` : 'application/json; charset=utf-8';
}
