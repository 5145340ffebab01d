import type http from 'node:http';
import { describe, expect, it } from 'vitest';
import { applyCors, DEFAULT_CORS_ALLOW_HEADERS } from '../../../gateway/http/cors.ts';

function preflight(options: Parameters<typeof applyCors>[0]) {
  const headers: Record<string, string> = {};
  let status = 0;
  const req = { method: 'OPTIONS', headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST' } } as unknown as http.IncomingMessage;
  const res = {
    setHeader: (name: string, value: string) => (headers[name.toLowerCase()] = value),
    writeHead: (code: number) => (status = code),
    end: () => undefined,
  } as unknown as http.ServerResponse;
  expect(applyCors(options, req, res)).toBe(true);
  return { status, headers };
}

describe('CORS allowed request headers', () => {
  it('should allow the default list, tracing headers included', () => {
    const { status, headers } = preflight({ origins: ['*'] });
    expect(status).toBe(204);
    expect(headers['access-control-allow-headers']).toBe(DEFAULT_CORS_ALLOW_HEADERS.join(', '));
    expect(DEFAULT_CORS_ALLOW_HEADERS).toEqual(expect.arrayContaining(['traceparent', 'tracestate', 'baggage', 'idempotency-key', 'x-request-id']));
  });

  it('should allow exactly the configured list', () => {
    const { headers } = preflight({ origins: ['https://app.example.com'], allowHeaders: ['content-type', 'x-api-key', 'x-tenant-hint'] });
    expect(headers['access-control-allow-headers']).toBe('content-type, x-api-key, x-tenant-hint');
    expect(headers['vary']).toBe('Origin');
  });
});
