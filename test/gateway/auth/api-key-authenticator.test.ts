import http from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuthenticationError, createApiKeyAuthenticator, credentialOf, MAX_CACHE_TTL_MS, type ApiKeyAuthenticator } from '../../../gateway/auth/api-key-authenticator.ts';
import { generateApiKeySecret } from '../../../subgraphs/shared/api-key-format.ts';
import { verifyIdentity, type Identity } from '../../../subgraphs/shared/identity.ts';
import { close, listen, parseJsonBody, readBodyBytes } from '../../../subgraphs/shared/http.ts';

const SECRET = 'x'.repeat(40);
const identity: Identity = { orgId: 'org-1', userId: 'user-1', role: 'ADMIN', scopes: ['admin'], keyId: 'key-1', authMethod: 'api-key' };

// A stand-in for the people subgraph's verification route: answers what `verdict` says and counts calls.
let verdict: unknown = { valid: true, identity, expiresAt: null };
let calls = 0;
let lastBody: unknown;
let signed = true;
const server = http.createServer((req, res) => {
  void readBodyBytes(req).then((bytes) => {
    calls += 1;
    lastBody = parseJsonBody(req, bytes);
    signed = verifyIdentity(req.headers, SECRET, { audience: 'people', body: bytes }).ok;
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(verdict));
    }, 20);
  });
});
let peopleUrl = '';
beforeAll(async () => {
  peopleUrl = `${await listen(server, 0, '127.0.0.1')}/graphql`;
});
afterAll(() => close(server));
beforeEach(() => {
  calls = 0;
  verdict = { valid: true, identity, expiresAt: null };
});

/** The identity a key acts as, through the authenticator's verification. */
const identityOf = (auth: ApiKeyAuthenticator, key: string) => auth.verify(key).then((verified) => verified.identity);

describe('createApiKeyAuthenticator', () => {
  it('should send only the prefix and a hash, signed as the gateway', async () => {
    const key = generateApiKeySecret();
    const auth = createApiKeyAuthenticator({ peopleUrl, identitySecret: SECRET });
    await expect(identityOf(auth, key)).resolves.toEqual(identity);
    expect(signed).toBe(true);
    expect(JSON.stringify(lastBody)).not.toContain(key);
    expect(lastBody).toMatchObject({ prefix: key.slice(0, 12) });
  });

  it('should cache a verdict for the TTL and ask again after it', async () => {
    let t = 1_000_000;
    const auth = createApiKeyAuthenticator({ peopleUrl, identitySecret: SECRET, cacheTtlMs: 30_000, now: () => t });
    const key = generateApiKeySecret();
    await identityOf(auth, key);
    t += 29_999;
    await identityOf(auth, key);
    expect(calls).toBe(1);
    verdict = { valid: false, reason: 'API key revoked' };
    t += 2;
    await expect(identityOf(auth, key)).rejects.toThrow('API key revoked');
    expect(calls).toBe(2);
  });

  it('should never cache longer than 60 seconds, whatever is configured', async () => {
    let t = 0;
    const auth = createApiKeyAuthenticator({ peopleUrl, identitySecret: SECRET, cacheTtlMs: 3_600_000, now: () => t });
    const key = generateApiKeySecret();
    await identityOf(auth, key);
    verdict = { valid: false, reason: 'API key revoked' };
    t += MAX_CACHE_TTL_MS - 1;
    await expect(identityOf(auth, key)).resolves.toEqual(identity);
    t += 1;
    await expect(identityOf(auth, key)).rejects.toBeInstanceOf(AuthenticationError);
  });

  it('should not cache a key past its own expiry', async () => {
    let t = Date.parse('2030-01-01T00:00:00Z');
    verdict = { valid: true, identity, expiresAt: '2030-01-01T00:00:10Z' };
    const auth = createApiKeyAuthenticator({ peopleUrl, identitySecret: SECRET, now: () => t });
    const key = generateApiKeySecret();
    await identityOf(auth, key);
    t += 10_000;
    verdict = { valid: false, reason: 'API key expired' };
    await expect(identityOf(auth, key)).rejects.toThrow('API key expired');
    expect(calls).toBe(2);
  });

  it('should share one verification between concurrent requests with the same key', async () => {
    const auth = createApiKeyAuthenticator({ peopleUrl, identitySecret: SECRET });
    const key = generateApiKeySecret();
    await Promise.all(Array.from({ length: 10 }, () => identityOf(auth, key)));
    expect(calls).toBe(1);
    expect(auth.verifications).toBe(1);
  });

  it('should refuse a malformed key without asking the people subgraph', async () => {
    const auth = createApiKeyAuthenticator({ peopleUrl, identitySecret: SECRET });
    await expect(identityOf(auth, 'lv_live_short')).rejects.toThrow('malformed API key');
    await expect(identityOf(auth, `orro_live_${'a'.repeat(32)}`)).rejects.toThrow('malformed API key');
    expect(calls).toBe(0);
  });
});

describe('credentialOf', () => {
  it('should read X-Api-Key first, then a Bearer token, else nothing', () => {
    expect(credentialOf({ 'x-api-key': ' k1 ', authorization: 'Bearer k2' })).toBe('k1');
    expect(credentialOf({ authorization: 'bearer   k2' })).toBe('k2');
    expect(credentialOf({ authorization: 'Basic abc' })).toBeUndefined();
    expect(credentialOf({})).toBeUndefined();
  });
});
