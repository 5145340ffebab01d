import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { CheckedUrl } from './url-safety.ts';

/** What one HTTP attempt produced. */
export interface SendResult {
  readonly status: number | null;
  /** The first `maxResponseBytes` of the body, as text. */
  readonly body: string | null;
  readonly error: string | null;
  readonly durationMs: number;
}

export interface SendOptions {
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
}

/**
 * POSTs `body` to a checked URL, connecting to the address that was checked (the lookup is
 * pinned, so a DNS answer that changes after the check cannot redirect the connection).
 * Redirects are not followed (a 3xx is a failure); the response body is read up to the
 * limit and the connection then dropped; the whole exchange is bounded by the timeout.
 */
export function sendRequest(target: CheckedUrl, headers: Record<string, string>, body: string, options: SendOptions): Promise<SendResult> {
  const started = performance.now();
  const lookup: LookupFunction = (_host, opts, callback) => {
    if (opts.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };
  const transport = target.url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: Omit<SendResult, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...result, durationMs: Math.round(performance.now() - started) });
    };
    const request = transport.request(
      target.url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        lookup,
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const done = () => {
          const text = Buffer.concat(chunks).subarray(0, options.maxResponseBytes).toString('utf8');
          finish({ status: response.statusCode ?? null, body: text, error: null });
          response.destroy();
        };
        response.on('data', (chunk: Buffer) => {
          if (size >= options.maxResponseBytes) return;
          chunks.push(chunk);
          size += chunk.length;
          if (size >= options.maxResponseBytes) done();
        });
        response.on('end', done);
        response.on('error', (error) => finish({ status: response.statusCode ?? null, body: null, error: error.message }));
      },
    );
    const timer = setTimeout(() => {
      finish({ status: null, body: null, error: `timed out after ${options.timeoutMs} ms` });
      request.destroy();
    }, options.timeoutMs);
    request.on('error', (error) => finish({ status: null, body: null, error: error.message }));
    request.end(body);
  });
}
