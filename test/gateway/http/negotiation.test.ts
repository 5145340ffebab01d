import zlib from 'node:zlib';
import type http from 'node:http';
import { describe, expect, it } from 'vitest';
import { compress, graphqlResponseType, negotiateEncoding, parsePreferences } from '../../../subgraphs/shared/negotiation.ts';

const withAccept = (accept: string | undefined) => ({ headers: accept === undefined ? {} : { accept } }) as http.IncomingMessage;

describe('Accept-Encoding', () => {
  it('should parse q-values, treating a malformed one as unacceptable', () => {
    expect(parsePreferences('gzip;q=0.5, br, identity;q=0, x;q=abc, y;q=1.5')).toEqual([
      { value: 'gzip', q: 0.5 },
      { value: 'br', q: 1 },
      { value: 'identity', q: 0 },
      { value: 'x', q: 0 },
      { value: 'y', q: 0 },
    ]);
  });

  it.each([
    [undefined, null],
    ['', null],
    ['identity', null],
    ['gzip', 'gzip'],
    ['gzip, deflate, br', 'br'],
    ['br;q=0.5, gzip', 'gzip'],
    ['br;q=0, gzip', 'gzip'],
    ['gzip;q=0, br;q=0', null],
    ['gzip;q=0, *', 'br'],
    ['*;q=0', null],
    ['*', 'br'],
    ['x-gzip', 'gzip'],
    ['BR;Q=0.9, GZIP;Q=0.8', 'br'],
  ] as const)('%s → %s', (header, expected) => {
    expect(negotiateEncoding(header)).toBe(expected);
  });

  it('should compress off the event loop, to output the decoders read back', async () => {
    const body = Buffer.from(JSON.stringify({ data: Array.from({ length: 500 }, (_, i) => ({ id: i, name: `person ${i}` })) }));
    const br = await compress(body, 'br');
    const gz = await compress(body, 'gzip');
    expect(zlib.brotliDecompressSync(br).equals(body)).toBe(true);
    expect(zlib.gunzipSync(gz).equals(body)).toBe(true);
    expect(br.length).toBeLessThan(body.length / 4);
  });
});

describe('Accept (GraphQL over HTTP)', () => {
  it.each([
    [undefined, 'application/json'],
    ['application/json', 'application/json'],
    ['*/*', 'application/json'],
    ['application/graphql-response+json', 'application/graphql-response+json'],
    ['application/graphql-response+json, application/json;q=0.9', 'application/graphql-response+json'],
    ['application/json, application/graphql-response+json;q=0.5', 'application/json'],
    ['application/graphql-response+json;q=0, application/json', 'application/json'],
    ['text/html', 'application/json'],
    ['application/json, application/graphql-response+json', 'application/json'],
    ['application/graphql-response+json, application/json', 'application/graphql-response+json'],
    ['application/graphql-response+json, */*', 'application/graphql-response+json'],
  ] as const)('%s → %s', (accept, expected) => {
    expect(graphqlResponseType(withAccept(accept))).toBe(`${expected}; charset=utf-8`);
  });
});
