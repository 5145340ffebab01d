import { afterEach, describe, expect, it } from 'vitest';
import { captureLogs, prettyLine, REDACTED, requestIdOf, serviceLogger, type CapturedLogs } from '../../../subgraphs/shared/logger.ts';

let capture: CapturedLogs | null = null;
afterEach(() => {
  capture?.restore();
  capture = null;
});

describe('logger', () => {
  it('should write one JSON record per line with the level name, an ISO time and the service', () => {
    capture = captureLogs();
    serviceLogger('people').info({ orgId: 'o1' }, 'hello');
    const [record] = capture.records();
    expect(record).toMatchObject({ level: 'info', service: 'people', orgId: 'o1', msg: 'hello' });
    expect(String(record?.['time'])).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('should redact keys, tokens, signatures, secrets and signed links at the top level, in headers and in the objects that carry them', () => {
    capture = captureLogs();
    serviceLogger('gateway').warn(
      {
        apiKey: 'lk_live_secret1',
        token: 'jwt-secret2',
        headers: { authorization: 'Bearer secret3', 'x-api-key': 'secret4', 'x-leave-signature': 'secret5', 'x-leave-identity': 'secret6', accept: 'application/json' },
        endpoint: { secret: 'whsec_secret7', url: 'https://hooks.example.com/' },
        document: { downloadUrl: 'https://graph.example.com/documents/1?signature=secret8' },
      },
      'careful',
    );
    const text = capture.text();
    for (const secret of ['secret1', 'secret2', 'secret3', 'secret4', 'secret5', 'secret6', 'secret7', 'secret8']) expect(text).not.toContain(secret);
    const [record] = capture.records();
    expect(record).toMatchObject({ apiKey: REDACTED, token: REDACTED, headers: { authorization: REDACTED, 'x-api-key': REDACTED, accept: 'application/json' }, endpoint: { secret: REDACTED, url: 'https://hooks.example.com/' } });
  });

  it('should not write records below the level', () => {
    capture = captureLogs('warn');
    serviceLogger('leave').info('quiet');
    serviceLogger('leave').warn('loud');
    expect(capture.records().map((r) => r['msg'])).toEqual(['loud']);
  });

  it('should format a record as one readable line with its fields and the error stack below', () => {
    const line = prettyLine(JSON.stringify({ level: 'warn', time: '2026-12-02T10:11:12.345Z', service: 'gateway', msg: 'request', status: 200, path: '/graphql', err: { type: 'Error', message: 'boom', stack: 'Error: boom\n    at x' } }), false);
    expect(line).toBe('10:11:12.345 WARN  gateway  request  status=200 path=/graphql\n    Error: boom\n        at x\n');
    expect(prettyLine('not json', false)).toBe('not json');
  });
});

describe('requestIdOf', () => {
  it('should keep a safe X-Request-Id and replace an unsafe or missing one by a new UUID', () => {
    expect(requestIdOf({ 'x-request-id': 'abc-123_x.y:z' })).toBe('abc-123_x.y:z');
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    for (const bad of ['', 'a b', 'x\ny', 'a'.repeat(129), '<script>', 'ü']) expect(requestIdOf({ 'x-request-id': bad })).toMatch(uuid);
    expect(requestIdOf({})).toMatch(uuid);
    expect(requestIdOf({ 'x-request-id': ['a', 'b'] })).toMatch(uuid);
    expect(requestIdOf({ 'x-request-id': 'a'.repeat(128) })).toBe('a'.repeat(128));
  });
});
