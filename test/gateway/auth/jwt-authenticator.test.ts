import http from 'node:http';
import { CompactSign, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { AuthenticationError } from '../../../gateway/auth/api-key-authenticator.ts';
import { createJwtAuthenticator, JwksUnavailableError, looksLikeJwt, type JwtAuthenticator } from '../../../gateway/auth/jwt-authenticator.ts';
import type { JwtConfig } from '../../../gateway/auth/jwt-config.ts';
import { close, listen } from '../../../subgraphs/shared/http.ts';

const ISSUER = 'https://idp.example/';
const AUDIENCE = 'leave-graph';
const ORG = '6f1c2d3e-4a5b-4c6d-8e7f-90a1b2c3d4e5';
const USER = '0a9b8c7d-6e5f-4a3b-9c2d-1e0f2a3b4c5d';
const HMAC_SECRET = 'an-hmac-secret-of-at-least-32-bytes!';

interface SigningKey {
  readonly kid: string | undefined;
  readonly alg: string;
  readonly privateKey: CryptoKey;
  readonly jwk: JWK;
}

async function signingKey(alg: string, kid: string | undefined): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  const jwk = await exportJWK(publicKey);
  return { kid, alg, privateKey, jwk: kid === undefined ? jwk : { ...jwk, kid, alg, use: 'sig' } };
}

let rsa: SigningKey;
let rsaNext: SigningKey;
let rsaForged: SigningKey;
let ec: SigningKey;
let ps: SigningKey;
let ed: SigningKey;
let anonymousA: SigningKey;
let anonymousB: SigningKey;

// A stand-in identity provider: serves what `published` holds and counts the fetches of /jwks.json.
let published: JWK[] = [];
let fetches = 0;
const server = http.createServer((req, res) => {
  if (req.url === '/jwks.json') {
    fetches += 1;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: published }));
  } else if (req.url === '/anonymous.json') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [anonymousA.jwk, anonymousB.jwk] }));
  } else {
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end('upstream trouble');
  }
});
let baseUrl = '';

beforeAll(async () => {
  [rsa, rsaNext, rsaForged, ec, ps, ed, anonymousA, anonymousB] = await Promise.all([
    signingKey('RS256', 'rsa-1'),
    signingKey('RS256', 'rsa-2'),
    signingKey('RS256', 'rsa-1'),
    signingKey('ES256', 'ec-1'),
    signingKey('PS256', 'ps-1'),
    signingKey('EdDSA', 'ed-1'),
    signingKey('RS256', undefined),
    signingKey('RS256', undefined),
  ]);
  baseUrl = await listen(server, 0, '127.0.0.1');
});
afterAll(() => close(server));
beforeEach(() => {
  published = [rsa.jwk, ec.jwk, ps.jwk, ed.jwk];
  fetches = 0;
});
afterEach(() => {
  vi.useRealTimers();
});

function jwksConfig(overrides: Partial<JwtConfig> = {}, keys: Partial<Extract<JwtConfig['keys'], { kind: 'jwks' }>> = {}): JwtConfig {
  return {
    keys: { kind: 'jwks', url: `${baseUrl}/jwks.json`, cooldownMs: 30_000, cacheMaxAgeMs: 600_000, ...keys },
    issuers: [ISSUER],
    audiences: [AUDIENCE],
    algorithms: ['RS256', 'ES256', 'PS256', 'EdDSA'],
    claims: { org: 'org_id', user: 'sub', role: 'role', scopes: 'scope' },
    clockToleranceSeconds: 30,
    maxLifetimeSeconds: 86_400,
    // The claim-mapping tests below read the role claim; the default (people's role) is tested on its own.
    trustRoleClaim: true,
    ...overrides,
  };
}

function secretConfig(overrides: Partial<JwtConfig> = {}): JwtConfig {
  return { ...jwksConfig(overrides), keys: { kind: 'secret', secret: HMAC_SECRET }, algorithms: ['HS256'], ...overrides };
}

interface TokenOptions {
  /** Claims merged over the defaults; `undefined` removes a default claim. */
  readonly claims?: Record<string, unknown>;
  /** Seconds from now; null: no `exp`. */
  readonly expiresIn?: number | null;
  readonly notBeforeIn?: number;
}

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

function payloadOf(options: TokenOptions): JWTPayload {
  const payload: Record<string, unknown> = {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: USER,
    org_id: ORG,
    role: 'manager',
    scope: 'read:leave write:leave',
    iat: nowSeconds(),
    ...options.claims,
  };
  const expiresIn = options.expiresIn === undefined ? 600 : options.expiresIn;
  if (expiresIn !== null) payload['exp'] = nowSeconds() + expiresIn;
  if (options.notBeforeIn !== undefined) payload['nbf'] = nowSeconds() + options.notBeforeIn;
  return Object.fromEntries(Object.entries(payload).filter(([, value]) => value !== undefined));
}

/** A token signed by `key`, with its kid (or `kid` given here). */
function sign(key: SigningKey, options: TokenOptions & { kid?: string } = {}): Promise<string> {
  const kid = options.kid ?? key.kid;
  return new SignJWT(payloadOf(options)).setProtectedHeader(kid === undefined ? { alg: key.alg } : { alg: key.alg, kid }).sign(key.privateKey);
}

function signHmac(secret: string, options: TokenOptions & { alg?: string } = {}): Promise<string> {
  return new SignJWT(payloadOf(options)).setProtectedHeader({ alg: options.alg ?? 'HS256' }).sign(new TextEncoder().encode(secret));
}

/** The message of the AuthenticationError that `token` is refused with. */
async function refusal(auth: JwtAuthenticator, token: string): Promise<string> {
  const error: unknown = await auth.authenticate(token).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AuthenticationError);
  return (error as AuthenticationError).message;
}

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('looksLikeJwt', () => {
  it('should accept three base64url segments and nothing else', async () => {
    expect(looksLikeJwt(await sign(rsa))).toBe(true);
    expect(looksLikeJwt(`${b64({ alg: 'none' })}.${b64({ sub: USER })}.`)).toBe(true);
    expect(looksLikeJwt('lv_live_0123456789abcdefghijABCDEFGHIJ01')).toBe(false);
    expect(looksLikeJwt('abc.def')).toBe(false);
    expect(looksLikeJwt('abc.def.ghi.jkl')).toBe(false);
    expect(looksLikeJwt('abc=.def.ghi')).toBe(false);
    expect(looksLikeJwt('a+c.def.ghi')).toBe(false);
    expect(looksLikeJwt(`${'a'.repeat(20_000)}.b.c`)).toBe(false);
  });
});

describe('createJwtAuthenticator with a JWKS', () => {
  it('should accept a valid RS256 token and map its claims to an identity', async () => {
    const auth = createJwtAuthenticator(jwksConfig());
    const token = await sign(rsa, { claims: { scope: 'read:leave write:leave approve:leave' } });
    const exp = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()).exp as number;
    await expect(auth.authenticate(token)).resolves.toEqual({
      identity: { orgId: ORG, userId: USER, role: 'MANAGER', scopes: ['read:leave', 'write:leave', 'approve:leave'], keyId: null, authMethod: 'jwt' },
      expiresAt: exp * 1000,
      roleClaimed: true,
    });
    expect(fetches).toBe(1);
    await auth.authenticate(await sign(rsa));
    expect(fetches).toBe(1);
  });

  it.each([
    ['ES256', () => ec],
    ['PS256', () => ps],
    ['EdDSA', () => ed],
  ])('should accept a %s token', async (_alg, key) => {
    const auth = createJwtAuthenticator(jwksConfig());
    const { identity } = await auth.authenticate(await sign(key()));
    expect(identity).toMatchObject({ orgId: ORG, userId: USER, authMethod: 'jwt' });
  });

  it('should refuse a token signed with another private key under a known kid', async () => {
    const auth = createJwtAuthenticator(jwksConfig());
    expect(await refusal(auth, await sign(rsaForged))).toBe('JWT signature is invalid');
  });

  it('should refuse a token whose payload was altered after signing', async () => {
    const auth = createJwtAuthenticator(jwksConfig());
    const [header, , signature] = (await sign(rsa, { claims: { role: 'employee' } })).split('.');
    const altered = `${header}.${b64(payloadOf({ claims: { role: 'admin' } }))}.${signature}`;
    expect(await refusal(auth, altered)).toBe('JWT signature is invalid');
  });

  it('should refuse a wrong issuer, a wrong audience, and a token without either', async () => {
    const auth = createJwtAuthenticator(jwksConfig());
    expect(await refusal(auth, await sign(rsa, { claims: { iss: 'https://evil.example/' } }))).toBe('JWT issuer is not accepted');
    expect(await refusal(auth, await sign(rsa, { claims: { aud: 'another-api' } }))).toBe('JWT audience is not accepted');
    expect(await refusal(auth, await sign(rsa, { claims: { iss: undefined } }))).toBe('JWT has no iss claim');
    expect(await refusal(auth, await sign(rsa, { claims: { aud: undefined } }))).toBe('JWT has no aud claim');
  });

  it('should accept any configured issuer and an audience list that names ours', async () => {
    const auth = createJwtAuthenticator(jwksConfig({ issuers: ['https://old.example/', ISSUER] }));
    await expect(auth.authenticate(await sign(rsa, { claims: { aud: ['other', AUDIENCE] } }))).resolves.toBeDefined();
  });

  it('should refuse an expired token beyond the clock tolerance and accept one within it', async () => {
    const auth = createJwtAuthenticator(jwksConfig({ clockToleranceSeconds: 30 }));
    expect(await refusal(auth, await sign(rsa, { expiresIn: -60 }))).toBe('JWT expired');
    await expect(auth.authenticate(await sign(rsa, { expiresIn: -10 }))).resolves.toBeDefined();
    const strict = createJwtAuthenticator(jwksConfig({ clockToleranceSeconds: 0 }));
    expect(await refusal(strict, await sign(rsa, { expiresIn: -10 }))).toBe('JWT expired');
  });

  it('should check expiry against the injected clock', async () => {
    let t = Date.now();
    const auth = createJwtAuthenticator(jwksConfig({ clockToleranceSeconds: 0 }), { now: () => t });
    const token = await sign(rsa, { expiresIn: 600 });
    await expect(auth.authenticate(token)).resolves.toBeDefined();
    t += 601_000;
    expect(await refusal(auth, token)).toBe('JWT expired');
  });

  it('should refuse a token that is not yet valid beyond the clock tolerance', async () => {
    const auth = createJwtAuthenticator(jwksConfig({ clockToleranceSeconds: 30 }));
    expect(await refusal(auth, await sign(rsa, { notBeforeIn: 120 }))).toBe('JWT is not yet valid (nbf)');
    await expect(auth.authenticate(await sign(rsa, { notBeforeIn: 10 }))).resolves.toBeDefined();
  });

  it('should ignore the role claim unless the operator trusts it (the role then comes from people)', async () => {
    const untrusted = createJwtAuthenticator(jwksConfig({ trustRoleClaim: false }));
    for (const role of ['ADMIN', 'superuser', undefined]) {
      const result = await untrusted.authenticate(await sign(rsa, { claims: { role } }));
      expect(result.roleClaimed).toBe(false);
    }
    const trusted = createJwtAuthenticator(jwksConfig({ trustRoleClaim: true }));
    expect(await trusted.authenticate(await sign(rsa, { claims: { role: 'ADMIN' } }))).toMatchObject({ roleClaimed: true, identity: { role: 'ADMIN' } });
    // Trusted, but the token carries no role: people's role decides.
    expect((await trusted.authenticate(await sign(rsa, { claims: { role: undefined } }))).roleClaimed).toBe(false);
  });

  it('should refuse a token whose exp - iat exceeds the maximum lifetime, and accept one at the maximum', async () => {
    const auth = createJwtAuthenticator(jwksConfig({ maxLifetimeSeconds: 3_600 }));
    await expect(auth.authenticate(await sign(rsa, { expiresIn: 3_600 }))).resolves.toBeDefined();
    expect(await refusal(auth, await sign(rsa, { expiresIn: 3_601 }))).toBe('JWT lives too long: exp - iat is 3601 s, the most accepted is 3600 s');
    // Until the year 3000, as in the report that found it.
    const year3000 = Math.floor(Date.UTC(3000, 0, 1) / 1000) - nowSeconds();
    expect(await refusal(createJwtAuthenticator(jwksConfig()), await sign(rsa, { expiresIn: year3000 }))).toMatch(/^JWT lives too long: exp - iat is \d+ s, the most accepted is 86400 s$/);
  });

  it('should measure exp - now for a token without iat', async () => {
    const auth = createJwtAuthenticator(jwksConfig({ maxLifetimeSeconds: 3_600 }));
    await expect(auth.authenticate(await sign(rsa, { claims: { iat: undefined }, expiresIn: 3_500 }))).resolves.toBeDefined();
    expect(await refusal(auth, await sign(rsa, { claims: { iat: undefined }, expiresIn: 7_200 }))).toMatch(/^JWT lives too long: exp - now is 7\d{3} s/);
    // An old iat does not help a token that still has long to live: exp - iat is larger still.
    expect(await refusal(auth, await sign(rsa, { claims: { iat: nowSeconds() - 10 }, expiresIn: 3_595 }))).toMatch(/exp - iat is 3605 s/);
  });

  it('should refuse a token without exp', async () => {
    const auth = createJwtAuthenticator(jwksConfig());
    expect(await refusal(auth, await sign(rsa, { expiresIn: null }))).toBe('JWT has no exp claim: only expiring tokens are accepted');
  });

  it('should refuse an unsigned token (alg none) without fetching keys', async () => {
    const auth = createJwtAuthenticator(jwksConfig());
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(payloadOf({ claims: { role: 'admin' } }))}.`;
    expect(await refusal(auth, unsigned)).toMatch(/^JWT algorithm is not accepted/);
    expect(fetches).toBe(0);
  });

  it('should refuse an HS256 token signed with the public key when keys come from a JWKS', async () => {
    const auth = createJwtAuthenticator(jwksConfig());
    const token = await signHmac(JSON.stringify(rsa.jwk));
    expect(await refusal(auth, token)).toMatch(/^JWT algorithm is not accepted/);
  });

  it('should refuse an algorithm the JWKS can verify but the configuration does not accept', async () => {
    const auth = createJwtAuthenticator(jwksConfig({ algorithms: ['RS256'] }));
    expect(await refusal(auth, await sign(ec))).toBe('JWT algorithm is not accepted (accepted: RS256)');
  });

  it('should refuse malformed tokens', async () => {
    const auth = createJwtAuthenticator(jwksConfig());
    expect(await refusal(auth, 'not a token')).toBe('malformed JWT');
    expect(await refusal(auth, 'abc.def.ghi')).toBe('malformed JWT');
    expect(await refusal(auth, `${b64({ alg: 'RS256', kid: 'rsa-1' })}.${b64(payloadOf({}))}.%%%`)).toBe('malformed JWT');
  });

  it('should accept a token with a rotated-in kid after refetching the key set', async () => {
    const auth = createJwtAuthenticator(jwksConfig({}, { cooldownMs: 0 }));
    await auth.authenticate(await sign(rsa));
    expect(fetches).toBe(1);
    published = [rsa.jwk, rsaNext.jwk];
    const { identity } = await auth.authenticate(await sign(rsaNext));
    expect(identity.userId).toBe(USER);
    expect(fetches).toBe(2);
    await auth.authenticate(await sign(rsaNext));
    expect(fetches).toBe(2);
  });

  it('should refetch for an unknown kid at most once per cooldown', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const t0 = Date.now();
    const auth = createJwtAuthenticator(jwksConfig({}, { cooldownMs: 30_000 }));
    await auth.authenticate(await sign(rsa));
    expect(fetches).toBe(1);

    vi.setSystemTime(t0 + 31_000);
    expect(await refusal(auth, await sign(rsa, { kid: 'ghost' }))).toBe('JWT signing key is not known (kid)');
    expect(fetches).toBe(2);
    vi.setSystemTime(t0 + 40_000);
    expect(await refusal(auth, await sign(rsa, { kid: 'ghost' }))).toBe('JWT signing key is not known (kid)');
    expect(fetches).toBe(2);

    // Even a key published meanwhile waits for the cooldown: callers cannot force fetches.
    published = [rsa.jwk, rsaNext.jwk];
    vi.setSystemTime(t0 + 45_000);
    expect(await refusal(auth, await sign(rsaNext))).toBe('JWT signing key is not known (kid)');
    expect(fetches).toBe(2);
    vi.setSystemTime(t0 + 62_000);
    await expect(auth.authenticate(await sign(rsaNext))).resolves.toBeDefined();
    expect(fetches).toBe(3);
  });

  it('should refetch a known key set once it is older than the cache max age', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const t0 = Date.now();
    const auth = createJwtAuthenticator(jwksConfig({}, { cacheMaxAgeMs: 60_000 }));
    await auth.authenticate(await sign(rsa));
    vi.setSystemTime(t0 + 59_000);
    await auth.authenticate(await sign(rsa));
    expect(fetches).toBe(1);
    // A key removed at the IdP stops working once the cached set expires.
    published = [rsaNext.jwk];
    vi.setSystemTime(t0 + 61_000);
    expect(await refusal(auth, await sign(rsa))).toBe('JWT signing key is not known (kid)');
    expect(fetches).toBe(2);
  });

  it('should share one fetch between concurrent first requests', async () => {
    const auth = createJwtAuthenticator(jwksConfig());
    const tokens = await Promise.all([sign(rsa), sign(ec), sign(ps), sign(rsa)]);
    await Promise.all(tokens.map((token) => auth.authenticate(token)));
    expect(fetches).toBe(1);
  });

  it('should try every key of a set without kids and accept the one that verifies', async () => {
    const auth = createJwtAuthenticator(jwksConfig({}, { url: `${baseUrl}/anonymous.json` }));
    await expect(auth.authenticate(await sign(anonymousB))).resolves.toMatchObject({ identity: { orgId: ORG } });
    await expect(auth.authenticate(await sign(anonymousA))).resolves.toMatchObject({ identity: { orgId: ORG } });
    const forged = await new SignJWT(payloadOf({})).setProtectedHeader({ alg: 'RS256' }).sign(rsaForged.privateKey);
    expect(await refusal(auth, forged)).toBe('JWT signature is invalid');
  });

  it('should report an unreachable key set as JwksUnavailableError, not as a refusal', async () => {
    const auth = createJwtAuthenticator(jwksConfig({}, { url: `${baseUrl}/broken.json` }));
    const error: unknown = await auth.authenticate(await sign(rsa)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JwksUnavailableError);
    expect(error).not.toBeInstanceOf(AuthenticationError);
  });
});

describe('createJwtAuthenticator with a shared secret', () => {
  it('should accept an HS256 token signed with the secret', async () => {
    const auth = createJwtAuthenticator(secretConfig());
    const { identity } = await auth.authenticate(await signHmac(HMAC_SECRET, { claims: { role: 'ADMIN', scope: 'admin' } }));
    expect(identity).toEqual({ orgId: ORG, userId: USER, role: 'ADMIN', scopes: ['admin'], keyId: null, authMethod: 'jwt' });
  });

  it('should refuse a token signed with another secret', async () => {
    const auth = createJwtAuthenticator(secretConfig());
    expect(await refusal(auth, await signHmac('another-secret-also-at-least-32-bytes'))).toBe('JWT signature is invalid');
  });

  it('should refuse an HMAC algorithm that is not configured', async () => {
    const auth = createJwtAuthenticator(secretConfig({ algorithms: ['HS512'] }));
    await expect(auth.authenticate(await signHmac(HMAC_SECRET, { alg: 'HS512' }))).resolves.toBeDefined();
    expect(await refusal(auth, await signHmac(HMAC_SECRET, { alg: 'HS256' }))).toMatch(/^JWT algorithm is not accepted/);
  });

  it('should refuse a signed payload that is not a JSON object', async () => {
    const auth = createJwtAuthenticator(secretConfig());
    const token = await new CompactSign(new TextEncoder().encode('[1,2]')).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(HMAC_SECRET));
    expect(await refusal(auth, token)).toBe('malformed JWT');
  });

  it('should refuse an RS256 token when only the secret is configured', async () => {
    const auth = createJwtAuthenticator(secretConfig());
    expect(await refusal(auth, await sign(rsa))).toMatch(/^JWT algorithm is not accepted/);
  });
});

describe('createJwtAuthenticator claim mapping', () => {
  const auth = (claims?: Partial<JwtConfig['claims']>): JwtAuthenticator =>
    createJwtAuthenticator(secretConfig(claims ? { claims: { ...secretConfig().claims, ...claims } } : {}));

  it('should read custom claim names exactly, URLs and dotted names included', async () => {
    const custom = auth({ org: 'https://leave.example/org_id', user: 'https://leave.example/user_id', role: 'app.role', scopes: 'permissions' });
    const token = await signHmac(HMAC_SECRET, {
      claims: {
        sub: 'auth0|123',
        org_id: undefined,
        role: undefined,
        scope: undefined,
        'https://leave.example/org_id': ORG,
        'https://leave.example/user_id': USER,
        'app.role': 'Admin',
        permissions: ['read:people', 'write:people'],
      },
    });
    const { identity } = await custom.authenticate(token);
    expect(identity).toEqual({ orgId: ORG, userId: USER, role: 'ADMIN', scopes: ['read:people', 'write:people'], keyId: null, authMethod: 'jwt' });
    // A dotted name is one claim, not a path into nested objects.
    const nested = await signHmac(HMAC_SECRET, { claims: { 'https://leave.example/org_id': ORG, 'https://leave.example/user_id': USER, app: { role: 'ADMIN' } } });
    expect((await custom.authenticate(nested)).identity.role).toBe('EMPLOYEE');
  });

  it('should read scopes from a space-separated string, keeping only known scopes once', async () => {
    const { identity } = await auth().authenticate(await signHmac(HMAC_SECRET, { claims: { scope: '  read:leave openid read:leave  write:time profile ' } }));
    expect(identity.scopes).toEqual(['read:leave', 'write:time']);
  });

  it('should read scopes from an array and treat a missing claim as no scopes', async () => {
    const fromArray = await auth({ scopes: 'scp' }).authenticate(await signHmac(HMAC_SECRET, { claims: { scp: ['read:boarding', 'offline_access'] } }));
    expect(fromArray.identity.scopes).toEqual(['read:boarding']);
    const none = await auth().authenticate(await signHmac(HMAC_SECRET, { claims: { scope: undefined } }));
    expect(none.identity.scopes).toEqual([]);
  });

  it('should refuse a scopes claim that is neither a string nor an array of strings', async () => {
    for (const scope of [42, ['read:leave', 7], { read: true }]) {
      expect(await refusal(auth(), await signHmac(HMAC_SECRET, { claims: { scope } }))).toBe('JWT claim scope must be a space-separated string or an array of strings');
    }
  });

  it('should map roles case-insensitively, default to EMPLOYEE and refuse unknown roles', async () => {
    const a = auth();
    expect((await a.authenticate(await signHmac(HMAC_SECRET, { claims: { role: 'mAnAgEr' } }))).identity.role).toBe('MANAGER');
    expect((await a.authenticate(await signHmac(HMAC_SECRET, { claims: { role: undefined } }))).identity.role).toBe('EMPLOYEE');
    expect(await refusal(a, await signHmac(HMAC_SECRET, { claims: { role: 'superuser' } }))).toBe('JWT claim role must be one of ADMIN, MANAGER, EMPLOYEE');
    expect(await refusal(a, await signHmac(HMAC_SECRET, { claims: { role: ['ADMIN'] } }))).toBe('JWT claim role must be a string');
  });

  it('should require the organization claim as a UUID', async () => {
    const a = auth();
    expect(await refusal(a, await signHmac(HMAC_SECRET, { claims: { org_id: 'acme' } }))).toBe('JWT claim org_id must be a UUID');
    expect(await refusal(a, await signHmac(HMAC_SECRET, { claims: { org_id: 12 } }))).toBe('JWT claim org_id must be a UUID');
    expect(await refusal(a, await signHmac(HMAC_SECRET, { claims: { org_id: undefined } }))).toBe('JWT has no org_id claim');
    const upper = await a.authenticate(await signHmac(HMAC_SECRET, { claims: { org_id: ORG.toUpperCase() } }));
    expect(upper.identity.orgId).toBe(ORG);
  });

  it('should require the user claim as a UUID: a token always acts as a user', async () => {
    const a = auth();
    expect(await refusal(a, await signHmac(HMAC_SECRET, { claims: { sub: undefined } }))).toBe('JWT has no sub claim');
    expect(await refusal(a, await signHmac(HMAC_SECRET, { claims: { sub: 'google-oauth2|1234' } }))).toBe('JWT claim sub must be a UUID');
  });
});
