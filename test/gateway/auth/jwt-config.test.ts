import { describe, expect, it } from 'vitest';
import { readJwtConfig } from '../../../gateway/auth/jwt-config.ts';
import { ConfigError } from '../../../subgraphs/shared/config.ts';

const SECRET = 's'.repeat(32);
const JWKS = { JWT_JWKS_URL: 'https://idp.example/.well-known/jwks.json', JWT_ISSUER: 'https://idp.example/', JWT_AUDIENCE: 'leave-graph' };
const HMAC = { JWT_SECRET: SECRET, JWT_ISSUER: 'https://idp.example/', JWT_AUDIENCE: 'leave-graph' };

/** The ConfigError that reading `env` throws (fails the test when none is thrown). */
function configError(env: Record<string, string>): ConfigError {
  try {
    readJwtConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('readJwtConfig', () => {
  it('should return null when neither JWT_JWKS_URL nor JWT_SECRET is set', () => {
    expect(readJwtConfig({})).toBeNull();
    expect(readJwtConfig({ JWT_JWKS_URL: '', JWT_SECRET: '', JWT_ISSUER: 'x' })).toBeNull();
  });

  it('should refuse JWT_JWKS_URL and JWT_SECRET together', () => {
    const error = configError({ ...JWKS, JWT_SECRET: SECRET });
    expect(error.message).toContain('JWT_JWKS_URL');
    expect(error.message).toContain('JWT_SECRET');
  });

  it('should apply the defaults for a JWKS URL', () => {
    expect(readJwtConfig(JWKS)).toEqual({
      keys: { kind: 'jwks', url: 'https://idp.example/.well-known/jwks.json', cooldownMs: 30_000, cacheMaxAgeMs: 600_000 },
      issuers: ['https://idp.example/'],
      audiences: ['leave-graph'],
      algorithms: ['RS256', 'ES256', 'PS256', 'EdDSA'],
      claims: { org: 'org_id', user: 'sub', role: 'role', scopes: 'scope' },
      clockToleranceSeconds: 30,
      maxLifetimeSeconds: 86_400,
      trustRoleClaim: false,
    });
  });

  it('should apply the defaults for a shared secret', () => {
    const config = readJwtConfig(HMAC);
    expect(config?.keys).toEqual({ kind: 'secret', secret: SECRET });
    expect(config?.algorithms).toEqual(['HS256']);
    expect(config?.clockToleranceSeconds).toBe(30);
  });

  it('should read every variable when set', () => {
    const config = readJwtConfig({
      ...JWKS,
      JWT_ISSUER: 'https://a.example/, https://b.example/',
      JWT_AUDIENCE: 'api,graph',
      JWT_ALGORITHMS: 'ES384, RS512',
      JWT_CLAIM_ORG: 'https://leave.example/org_id',
      JWT_CLAIM_USER: 'app.user',
      JWT_CLAIM_ROLE: 'https://leave.example/role',
      JWT_CLAIM_SCOPES: 'permissions',
      JWT_CLOCK_TOLERANCE_SECONDS: '0',
      JWT_JWKS_COOLDOWN_MS: '5000',
      JWT_JWKS_CACHE_MAX_AGE_MS: '60000',
      JWT_MAX_LIFETIME_SECONDS: '3600',
      JWT_TRUST_ROLE_CLAIM: 'true',
    });
    expect(config).toEqual({
      keys: { kind: 'jwks', url: 'https://idp.example/.well-known/jwks.json', cooldownMs: 5_000, cacheMaxAgeMs: 60_000 },
      issuers: ['https://a.example/', 'https://b.example/'],
      audiences: ['api', 'graph'],
      algorithms: ['ES384', 'RS512'],
      claims: { org: 'https://leave.example/org_id', user: 'app.user', role: 'https://leave.example/role', scopes: 'permissions' },
      clockToleranceSeconds: 0,
      maxLifetimeSeconds: 3_600,
      trustRoleClaim: true,
    });
  });

  it('should refuse a JWT_SECRET shorter than 32 bytes and count bytes, not characters', () => {
    expect(configError({ ...HMAC, JWT_SECRET: 's'.repeat(31) }).message).toMatch(/^JWT_SECRET must have at least 32 bytes/);
    expect(readJwtConfig({ ...HMAC, JWT_SECRET: 'é'.repeat(16) })?.keys).toEqual({ kind: 'secret', secret: 'é'.repeat(16) });
    expect(configError({ ...HMAC, JWT_SECRET: 'é'.repeat(15) }).message).toContain('JWT_SECRET');
  });

  it('should require JWT_ISSUER and JWT_AUDIENCE when JWTs are on', () => {
    expect(configError({ JWT_JWKS_URL: JWKS.JWT_JWKS_URL, JWT_AUDIENCE: 'a' }).message).toMatch(/^JWT_ISSUER is required/);
    expect(configError({ JWT_SECRET: SECRET, JWT_ISSUER: 'i' }).message).toMatch(/^JWT_AUDIENCE is required/);
    expect(configError({ ...HMAC, JWT_AUDIENCE: ' , ' }).message).toMatch(/^JWT_AUDIENCE must list at least one value/);
  });

  it('should refuse algorithms that do not fit the key source, and none', () => {
    expect(configError({ ...JWKS, JWT_ALGORITHMS: 'RS256,HS256' }).message).toMatch(/^JWT_ALGORITHMS: "HS256" cannot be used with JWT_JWKS_URL/);
    expect(configError({ ...HMAC, JWT_ALGORITHMS: 'RS256' }).message).toMatch(/^JWT_ALGORITHMS: "RS256" cannot be used with JWT_SECRET/);
    expect(configError({ ...JWKS, JWT_ALGORITHMS: 'none' }).message).toMatch(/^JWT_ALGORITHMS: "none"/);
    expect(configError({ ...HMAC, JWT_ALGORITHMS: 'hs256' }).message).toMatch(/^JWT_ALGORITHMS: "hs256"/);
    expect(readJwtConfig({ ...HMAC, JWT_ALGORITHMS: 'HS512,HS384' })?.algorithms).toEqual(['HS512', 'HS384']);
  });

  it('should refuse a JWT_JWKS_URL that is not an http(s) URL', () => {
    expect(configError({ ...JWKS, JWT_JWKS_URL: 'idp.example/jwks' }).message).toMatch(/^JWT_JWKS_URL must be an absolute/);
    expect(configError({ ...JWKS, JWT_JWKS_URL: 'ftp://idp.example/jwks' }).message).toMatch(/^JWT_JWKS_URL must be an absolute/);
  });

  it.each([
    ['JWT_CLOCK_TOLERANCE_SECONDS', '301'],
    ['JWT_CLOCK_TOLERANCE_SECONDS', '-1'],
    ['JWT_CLOCK_TOLERANCE_SECONDS', 'thirty'],
    ['JWT_JWKS_COOLDOWN_MS', '1.5'],
    ['JWT_JWKS_COOLDOWN_MS', '3600001'],
    ['JWT_JWKS_CACHE_MAX_AGE_MS', '999'],
    ['JWT_JWKS_CACHE_MAX_AGE_MS', 'soon'],
    ['JWT_MAX_LIFETIME_SECONDS', '59'],
    ['JWT_MAX_LIFETIME_SECONDS', '2592001'],
  ])('should refuse %s=%s naming the variable', (name, value) => {
    expect(configError({ ...JWKS, [name]: value }).message).toMatch(new RegExp(`^${name} must be an integer from`));
  });

  it('should read JWT_TRUST_ROLE_CLAIM as true or false and refuse anything else naming the variable', () => {
    expect(readJwtConfig({ ...JWKS, JWT_TRUST_ROLE_CLAIM: 'false' })?.trustRoleClaim).toBe(false);
    expect(readJwtConfig({ ...JWKS, JWT_TRUST_ROLE_CLAIM: '1' })?.trustRoleClaim).toBe(true);
    expect(configError({ ...JWKS, JWT_TRUST_ROLE_CLAIM: 'yes' }).message).toBe('JWT_TRUST_ROLE_CLAIM must be true or false, got "yes"');
  });

  it('should refuse an empty claim name naming the variable', () => {
    for (const name of ['JWT_CLAIM_ORG', 'JWT_CLAIM_USER', 'JWT_CLAIM_ROLE', 'JWT_CLAIM_SCOPES']) {
      expect(configError({ ...HMAC, [name]: '  ' }).message).toMatch(new RegExp(`^${name} must name a claim`));
    }
  });
});
