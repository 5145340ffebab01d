import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient as createSseClient } from 'graphql-sse';
import { createClient } from 'graphql-ws';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { JwtConfig } from '../../../gateway/auth/jwt-config.ts';
import { randomUUID } from 'node:crypto';
import { createTestOrg, startTestGraph, type TestGraph, type TestOrg, type TestUser } from '../../helpers/graph.ts';

const ISSUER = 'https://idp.example.test/';
const AUDIENCE = 'leave-graph';

let jwks: http.Server;
let published: JWK[] = [];
let signing: { privateKey: CryptoKey; kid: string };
let forger: CryptoKey;
let graph: TestGraph;
let org: TestOrg;
let manager: TestUser;

async function token(claims: Record<string, unknown>, options: { expiresInSeconds?: number; key?: CryptoKey; issuedAt?: boolean } = {}): Promise<string> {
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: signing.kid }).setIssuer(ISSUER).setAudience(AUDIENCE);
  if (options.issuedAt ?? true) jwt.setIssuedAt();
  return jwt.setExpirationTime(Math.floor(Date.now() / 1000) + (options.expiresInSeconds ?? 300)).sign(options.key ?? signing.privateKey);
}

async function post(bearer: string, query: string) {
  const res = await fetch(`${graph.gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
    body: JSON.stringify({ query }),
  });
  return { status: res.status, body: (await res.json()) as { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] } };
}

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  signing = { privateKey: pair.privateKey, kid: 'key-1' };
  forger = (await generateKeyPair('RS256')).privateKey;
  published = [{ ...(await exportJWK(pair.publicKey)), kid: 'key-1', alg: 'RS256', use: 'sig' }];
  jwks = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: published }));
  });
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  const jwt: JwtConfig = {
    keys: { kind: 'jwks', url: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`, cooldownMs: 0, cacheMaxAgeMs: 600_000 },
    issuers: [ISSUER],
    audiences: [AUDIENCE],
    algorithms: ['RS256'],
    claims: { org: 'org_id', user: 'sub', role: 'role', scopes: 'scope' },
    clockToleranceSeconds: 0,
    maxLifetimeSeconds: 86_400,
    trustRoleClaim: false,
  };
  graph = await startTestGraph({ protection: { jwt }, subscriptionRecheckMs: 500 });
  org = await createTestOrg(graph.peopleDb);
  manager = await org.addUser({ role: 'MANAGER' });
  await graph.leave.catchUpDirectory();
});
afterAll(async () => {
  await graph.stop();
  await new Promise((resolve) => jwks.close(resolve));
});

describe('JWTs at the gateway', () => {
  it('should accept a token signed by a key of the JWKS and act as its user, role and scopes', async () => {
    const bearer = await token({ sub: manager.id, org_id: org.id, role: 'manager', scope: 'read:people read:leave' });
    const res = await post(bearer, '{ me { id role } leaveTypes { totalCount } }');
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data).toEqual({ me: { id: manager.id, role: 'MANAGER' }, leaveTypes: { totalCount: 0 } });
  });

  it('should refuse a forged token (same kid, another private key) with 401', async () => {
    const forged = await token({ sub: manager.id, org_id: org.id, role: 'ADMIN', scope: 'admin' }, { key: forger });
    const res = await post(forged, '{ me { id } }');
    expect(res.status).toBe(401);
    expect(res.body.errors?.[0]).toMatchObject({ message: 'JWT signature is invalid', extensions: { code: 'UNAUTHENTICATED' } });
  });

  it("should apply the token's scopes field by field", async () => {
    const bearer = await token({ sub: manager.id, org_id: org.id, role: 'MANAGER', scope: 'read:leave' });
    const res = await post(bearer, '{ users { totalCount } leaveTypes { totalCount } }');
    expect(res.body.data).toEqual({ users: null, leaveTypes: { totalCount: 0 } });
    expect(res.body.errors?.map((e) => e.extensions?.['field'])).toEqual(['Query.users']);
  });

  it('should accept a new signing key after rotation (its kid unknown until the JWKS is fetched again)', async () => {
    const next = await generateKeyPair('RS256');
    published = [...published, { ...(await exportJWK(next.publicKey)), kid: 'key-2', alg: 'RS256', use: 'sig' }];
    const previous = signing;
    signing = { privateKey: next.privateKey, kid: 'key-2' };
    try {
      const res = await post(await token({ sub: manager.id, org_id: org.id, scope: 'read:people' }), '{ me { id } }');
      expect(res.status).toBe(200);
    } finally {
      signing = previous;
    }
  });

  it('should close a WebSocket subscription when its token expires', async () => {
    const bearer = await token({ sub: manager.id, org_id: org.id, role: 'MANAGER', scope: 'read:leave' }, { expiresInSeconds: 2 });
    const client = createClient({
      url: `${graph.gateway.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${bearer}` },
      retryAttempts: 0,
    });
    const closed = new Promise<{ code: number; reason: string }>((resolve) => client.on('closed', (event) => resolve(event as { code: number; reason: string })));
    const errors: unknown[] = [];
    client.subscribe({ query: 'subscription { leaveRequestEvents { cursor } }' }, { next: () => undefined, error: (e) => errors.push(e), complete: () => undefined });
    const event = await closed;
    expect(event.code).toBe(4401);
    expect(event.reason).toContain('token expired');
    await client.dispose();
  });

  it('should deliver events over SSE, then end the stream when its token expires', async () => {
    const bearer = await token({ sub: manager.id, org_id: org.id, role: 'MANAGER', scope: 'read:leave' }, { expiresInSeconds: 3 });
    const client = createSseClient({ url: `${graph.gateway.url}/graphql/stream`, headers: { authorization: `Bearer ${bearer}` }, retryAttempts: 0 });
    const received: unknown[] = [];
    let delivered: () => void = () => undefined;
    const first = new Promise<void>((resolve) => (delivered = resolve));
    const ended = new Promise<string>((resolve) => {
      client.subscribe(
        { query: 'subscription { leaveRequestEvents { type leaveRequest { startDate } } }' },
        {
          next: (value) => {
            received.push(value);
            delivered();
          },
          error: () => resolve('error'),
          complete: () => resolve('complete'),
        },
      );
    });
    await new Promise((r) => setTimeout(r, 300));
    const type = await graph.gql<{ createLeaveType: { id: string } }>(org.admin.key, 'mutation { createLeaveType(input: { name: "Annual", code: "AL", defaultEntitlement: 25 }) { id } }');
    const created = await graph.gql(manager.key, 'mutation($t: ID!) { createLeaveRequest(input: { leaveTypeId: $t, startDate: "2026-12-14", endDate: "2026-12-14" }) { id } }', {
      t: type.body.data?.createLeaveType.id,
    });
    expect(created.body.errors).toBeUndefined();
    await first;
    expect(received[0]).toEqual({ data: { leaveRequestEvents: { type: 'CREATED', leaveRequest: { startDate: '2026-12-14' } } } });
    expect(['error', 'complete']).toContain(await ended);
    client.dispose();
  });

  it('should refuse to subscribe without the scope the subscription field requires', async () => {
    const bearer = await token({ sub: manager.id, org_id: org.id, role: 'MANAGER', scope: 'read:people' });
    const client = createClient({
      url: `${graph.gateway.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${bearer}` },
      retryAttempts: 0,
    });
    const errors = await new Promise<readonly { extensions?: Record<string, unknown> }[]>((resolve) => {
      client.subscribe({ query: 'subscription { leaveRequestEvents { cursor } }' }, {
        next: () => undefined,
        error: (e) => resolve(e as { extensions?: Record<string, unknown> }[]),
        complete: () => resolve([]),
      });
    });
    expect(errors[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', field: 'Subscription.leaveRequestEvents', requiredScopes: [['read:leave']] });
    await client.dispose();
  });
});

describe('JWTs and the people they name', () => {
  it("should act with the person's stored role, not the token's role claim", async () => {
    const employee = await org.addUser({ role: 'EMPLOYEE' });
    const bearer = await token({ sub: employee.id, org_id: org.id, role: 'ADMIN', scope: 'admin' });
    const me = await post(bearer, '{ me { id role } }');
    expect(me.body.data).toEqual({ me: { id: employee.id, role: 'EMPLOYEE' } });
    const tag = await post(bearer, 'mutation { createTag(input: { name: "Claimed admin" }) { id } }');
    expect(tag.body.data).toBeNull();
    expect(tag.body.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    const keys = await post(bearer, '{ apiKeys { totalCount } }');
    expect(keys.body.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    // The control: the same operations as a person whose stored role is ADMIN.
    const admin = await token({ sub: org.admin.id, org_id: org.id, role: 'EMPLOYEE', scope: 'admin' });
    const allowed = await post(admin, 'mutation { createTag(input: { name: "Real admin" }) { id } }');
    expect(allowed.body.errors).toBeUndefined();
  });

  it('should refuse with 401 a token naming a person unknown in its organization', async () => {
    const other = await createTestOrg(graph.peopleDb);
    for (const claims of [
      { sub: randomUUID(), org_id: org.id },
      // A real person, but of another organization than the token names.
      { sub: other.admin.id, org_id: org.id },
    ]) {
      const res = await post(await token({ ...claims, scope: 'read:people' }), '{ me { id } }');
      expect(res.status).toBe(401);
      expect(res.body.errors?.[0]).toMatchObject({
        message: 'the person this JWT names is not a user of its organization',
        extensions: { code: 'UNAUTHENTICATED' },
      });
    }
  });

  it("should refuse with 401 a deactivated person's token", async () => {
    const leaver = await org.addUser({ role: 'MANAGER' });
    const bearer = await token({ sub: leaver.id, org_id: org.id, scope: 'read:people' });
    const deactivated = await graph.gql(org.admin.key, 'mutation($id: ID!) { deactivateUser(id: $id) { active } }', { id: leaver.id });
    expect(deactivated.body.data).toEqual({ deactivateUser: { active: false } });
    const res = await post(bearer, '{ me { id } }');
    expect(res.status).toBe(401);
    expect(res.body.errors?.[0]).toMatchObject({ message: 'the person this JWT names has been deactivated', extensions: { code: 'UNAUTHENTICATED' } });
  });

  it('should close an open WebSocket subscription once its person is deactivated', async () => {
    const leaver = await org.addUser({ role: 'MANAGER' });
    const bearer = await token({ sub: leaver.id, org_id: org.id, scope: 'read:leave' });
    const client = createClient({
      url: `${graph.gateway.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${bearer}` },
      retryAttempts: 0,
    });
    let closedAt = 0;
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      client.on('closed', (event) => {
        closedAt = Date.now();
        resolve(event as { code: number; reason: string });
      }),
    );
    let subscribed: () => void = () => undefined;
    const open = new Promise<void>((resolve) => (subscribed = resolve));
    client.on('connected', () => subscribed());
    client.subscribe({ query: 'subscription { leaveRequestEvents { cursor } }' }, { next: () => undefined, error: () => undefined, complete: () => undefined });
    await open;
    // Open for a few re-checks first: the person is still active.
    await new Promise((r) => setTimeout(r, 1_200));
    expect(closedAt).toBe(0);
    const deactivatedAt = Date.now();
    await graph.gql(org.admin.key, 'mutation($id: ID!) { deactivateUser(id: $id) { active } }', { id: leaver.id });
    const event = await closed;
    expect(closedAt).toBeGreaterThanOrEqual(deactivatedAt);
    expect(event.code).toBe(4401);
    expect(event.reason).toContain('deactivated');
    await client.dispose();
  });

  it('should refuse a token that lives longer than 24 hours (exp - iat), and one until the year 3000', async () => {
    const claims = { sub: manager.id, org_id: org.id, scope: 'read:people' };
    expect((await post(await token(claims, { expiresInSeconds: 86_400 }), '{ me { id } }')).status).toBe(200);
    const day = await post(await token(claims, { expiresInSeconds: 86_401 }), '{ me { id } }');
    expect(day.status).toBe(401);
    expect(day.body.errors?.[0]?.message).toBe('JWT lives too long: exp - iat is 86401 s, the most accepted is 86400 s');
    const year3000 = Math.floor(Date.UTC(3000, 0, 1) / 1000 - Date.now() / 1000);
    expect((await post(await token(claims, { expiresInSeconds: year3000 }), '{ me { id } }')).status).toBe(401);
  });

  it('should measure exp - now for a token without iat', async () => {
    const claims = { sub: manager.id, org_id: org.id, scope: 'read:people' };
    expect((await post(await token(claims, { expiresInSeconds: 3_600, issuedAt: false }), '{ me { id } }')).status).toBe(200);
    const res = await post(await token(claims, { expiresInSeconds: 2 * 86_400, issuedAt: false }), '{ me { id } }');
    expect(res.status).toBe(401);
    expect(res.body.errors?.[0]?.message).toMatch(/^JWT lives too long: exp - now is \d+ s/);
  });
});
