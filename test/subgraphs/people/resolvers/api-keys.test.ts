import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey, createTestOrg, startTestGraph, type TestGraph, type TestOrg, type TestUser } from '../../../helpers/graph.ts';
import { dataOf, errorOf, expectError } from '../../../helpers/assertions.ts';

const CACHE_TTL_MS = 200;
let graph: TestGraph;
let org: TestOrg;
let other: TestOrg;
let admin: string;
let manager: TestUser;
let employee: TestUser;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface ApiKeyNode {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  active: boolean;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  user: { id: string } | null;
  createdBy: { id: string } | null;
}
const API_KEY = 'id name prefix scopes active expiresAt revokedAt lastUsedAt user { id } createdBy { id }';
const CREATE_KEY = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { ${API_KEY} } } }`;
const REVOKE_KEY = `mutation($id: ID!) { revokeApiKey(id: $id) { ${API_KEY} } }`;
const LIST_KEYS = `query($status: ActivityStatus) { apiKeys(status: $status, first: 100) { totalCount nodes { ${API_KEY} } } }`;
const SERVICE_PROBE = '{ me { id } organization { name } }';

async function createApiKey(key: string, input: Record<string, unknown>) {
  return graph.gql<{ createApiKey: { secret: string; apiKey: ApiKeyNode } }>(key, CREATE_KEY, { input: { name: 'Test key', scopes: ['read:people'], ...input } });
}

async function listKeys(all = false): Promise<ApiKeyNode[]> {
  return dataOf(await graph.gql<{ apiKeys: { nodes: ApiKeyNode[] } }>(admin, LIST_KEYS, { status: all ? 'ALL' : 'ACTIVE' })).apiKeys.nodes;
}

beforeAll(async () => {
  graph = await startTestGraph({ apiKeyCacheTtlMs: CACHE_TTL_MS });
  org = await createTestOrg(graph.peopleDb, 'Keys Org');
  other = await createTestOrg(graph.peopleDb, 'Other Org');
  admin = org.admin.key;
  manager = await org.addUser({ role: 'MANAGER', firstName: 'Mona', lastName: 'Manager' });
  employee = await org.addUser({ role: 'EMPLOYEE', firstName: 'Eve', lastName: 'Employee', managerId: manager.id });
});
afterAll(() => graph.stop());

describe('createApiKey', () => {
  let secret: string;
  let created: ApiKeyNode;

  beforeAll(async () => {
    const res = await createApiKey(admin, { name: ' Payroll sync ', scopes: ['read:people', 'read:leave', 'read:people'] });
    ({ secret, apiKey: created } = dataOf(res).createApiKey);
  });

  it('should return a secret of the documented shape, once, with the key metadata', () => {
    expect(secret).toMatch(/^lv_live_[0-9A-Za-z]{32}$/);
    expect(created).toMatchObject({
      name: 'Payroll sync',
      prefix: secret.slice(0, 12),
      scopes: ['read:people', 'read:leave'],
      active: true,
      expiresAt: null,
      revokedAt: null,
      lastUsedAt: null,
      user: null,
      createdBy: { id: org.admin.id },
    });
  });

  it('should store only a 32-byte SHA-256 hash of the secret', async () => {
    const row = await graph.peopleDb.selectFrom('api_keys').selectAll().where('id', '=', created.id).executeTakeFirstOrThrow();
    // PGlite gives bytea as a Uint8Array, pg as a Buffer.
    expect(row.secret_hash).toBeInstanceOf(Uint8Array);
    const hash = Buffer.from(row.secret_hash);
    expect(hash).toHaveLength(32);
    expect(hash.equals(createHash('sha256').update(secret).digest())).toBe(true);
    expect(row.prefix).toBe(secret.slice(0, 12));
    const random = secret.slice(12);
    for (const [column, value] of Object.entries(row)) {
      const bytes = value instanceof Uint8Array ? Buffer.from(value) : undefined;
      const renderings = bytes
        ? [bytes.toString('utf8'), bytes.toString('hex'), bytes.toString('base64'), bytes.toString('base64url')]
        : [value instanceof Date ? value.toISOString() : JSON.stringify(value) ?? ''];
      for (const text of renderings) {
        expect(text, column).not.toContain(secret);
        expect(text, column).not.toContain(random);
      }
    }
  });

  it('should let the new service key through the gateway, with no user', async () => {
    const res = await graph.gql<{ me: null; organization: { name: string } }>(secret, SERVICE_PROBE);
    expect(res.status).toBe(200);
    expect(dataOf(res)).toEqual({ me: null, organization: { name: 'Keys Org' } });
  });

  it('should list the key with its prefix and no secret', async () => {
    const res = await graph.gql(admin, LIST_KEYS, { status: 'ACTIVE' });
    expect(JSON.stringify(res.body)).not.toContain(secret.slice(12));
    const listed = (await listKeys()).find((k) => k.id === created.id);
    expect(listed).toMatchObject({ name: 'Payroll sync', prefix: secret.slice(0, 12), active: true });
    const noSecret = await graph.gql(admin, '{ apiKeys { nodes { secret } } }');
    expect(errorOf(noSecret).extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
    const type = await graph.gql<{ __type: { fields: { name: string }[] } }>(admin, '{ __type(name: "ApiKey") { fields { name } } }');
    const fields = dataOf(type).__type.fields.map((f) => f.name);
    expect(fields).toContain('prefix');
    expect(fields.filter((f) => /secret|hash/i.test(f))).toEqual([]);
  });

  it('should act as the user a key is given to', async () => {
    const res = await createApiKey(admin, { userId: employee.id, scopes: ['read:leave'] });
    const { secret: userSecret, apiKey } = dataOf(res).createApiKey;
    expect(apiKey.user).toEqual({ id: employee.id });
    const me = await graph.gql<{ me: { id: string; role: string } }>(userSecret, '{ me { id role } }');
    expect(dataOf(me).me).toEqual({ id: employee.id, role: 'EMPLOYEE' });
  });

  it('should accept an expiry in the future', async () => {
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
    const res = await createApiKey(admin, { expiresAt });
    const { secret: expiring, apiKey } = dataOf(res).createApiKey;
    expect(apiKey).toMatchObject({ expiresAt, active: true });
    expect((await graph.gql(expiring, SERVICE_PROBE)).status).toBe(200);
  });

  it.each([
    ['an unknown scope', () => ({ scopes: ['read:people', 'read:everything'] }), 'input.scopes'],
    ['no scopes', () => ({ scopes: [] }), 'input.scopes'],
    ['an expiry in the past', () => ({ expiresAt: new Date(Date.now() - 60_000).toISOString() }), 'input.expiresAt'],
    ['a user of another organization', () => ({ userId: other.admin.id }), 'input.userId'],
    ['an unknown user', () => ({ userId: randomUUID() }), 'input.userId'],
    ['an empty name', () => ({ name: ' ' }), 'input.name'],
    ['a name over 100 characters', () => ({ name: 'k'.repeat(101) }), 'input.name'],
  ])('should refuse %s with BAD_USER_INPUT', async (_, input, field) => {
    const before = await graph.peopleDb.selectFrom('api_keys').select('id').execute();
    const res = await createApiKey(admin, input());
    expectError(res, 'BAD_USER_INPUT', field);
    expect(JSON.stringify(res.body)).not.toMatch(/lv_live_/);
    expect(await graph.peopleDb.selectFrom('api_keys').select('id').execute()).toHaveLength(before.length);
  });

  it('should refuse a user of another organization exactly like an unknown user', async () => {
    const unknown = randomUUID();
    const withOther = expectError(await createApiKey(admin, { userId: other.admin.id }), 'BAD_USER_INPUT');
    const withUnknown = expectError(await createApiKey(admin, { userId: unknown }), 'BAD_USER_INPUT');
    expect(JSON.stringify(withOther).replaceAll(other.admin.id, '<id>')).toBe(JSON.stringify(withUnknown).replaceAll(unknown, '<id>'));
  });
});

describe('rotation and revocation', () => {
  it('should keep two live keys working, and stop a revoked one once the cache expires', async () => {
    const first = dataOf(await createApiKey(admin, { name: 'Old key' })).createApiKey;
    const second = dataOf(await createApiKey(admin, { name: 'New key' })).createApiKey;
    for (const key of [first, second]) {
      const res = await graph.gql(key.secret, SERVICE_PROBE);
      expect(res.status).toBe(200);
    }

    const revoked = dataOf(await graph.gql<{ revokeApiKey: ApiKeyNode }>(admin, REVOKE_KEY, { id: first.apiKey.id })).revokeApiKey;
    expect(revoked).toMatchObject({ id: first.apiKey.id, active: false, revokedAt: expect.any(String) });
    await sleep(CACHE_TTL_MS + 100);

    const refused = await graph.gql(first.secret, SERVICE_PROBE);
    expect(refused.status).toBe(401);
    expect(errorOf(refused).extensions?.['code']).toBe('UNAUTHENTICATED');
    expect(refused.headers.get('www-authenticate')).toMatch(/Bearer/);
    const still = await graph.gql<{ organization: { name: string } }>(second.secret, SERVICE_PROBE);
    expect(still.status).toBe(200);
    expect(dataOf(still).organization.name).toBe('Keys Org');

    expect((await listKeys(false)).map((k) => k.id)).not.toContain(first.apiKey.id);
    expect((await listKeys(true)).find((k) => k.id === first.apiKey.id)).toMatchObject({ active: false });

    // Revoking again keeps the first revocation time.
    const again = dataOf(await graph.gql<{ revokeApiKey: ApiKeyNode }>(admin, REVOKE_KEY, { id: first.apiKey.id })).revokeApiKey;
    expect(again.revokedAt).toBe(revoked.revokedAt);
  });

  it('should answer NOT_FOUND for an unknown key or a key of another organization', async () => {
    const otherKey = await createKey(graph.peopleDb, other.id, null);
    expectError(await graph.gql(admin, REVOKE_KEY, { id: randomUUID() }), 'NOT_FOUND');
    expectError(await graph.gql(admin, REVOKE_KEY, { id: otherKey.id }), 'NOT_FOUND');
    expectError(await graph.gql(admin, REVOKE_KEY, { id: 'not-an-id' }), 'NOT_FOUND');
    const row = await graph.peopleDb.selectFrom('api_keys').select('revoked_at').where('id', '=', otherKey.id).executeTakeFirstOrThrow();
    expect(row.revoked_at).toBeNull();
    expect((await graph.gql(otherKey.secret, SERVICE_PROBE)).status).toBe(200);
  });

  it('should record lastUsedAt when a key is used', async () => {
    const { secret, apiKey } = dataOf(await createApiKey(admin, { name: 'Usage' })).createApiKey;
    expect(apiKey.lastUsedAt).toBeNull();
    const startedAt = Date.now();
    expect((await graph.gql(secret, SERVICE_PROBE)).status).toBe(200);
    const listed = (await listKeys()).find((k) => k.id === apiKey.id);
    expect(listed?.lastUsedAt).not.toBeNull();
    expect(Date.parse(listed!.lastUsedAt!)).toBeGreaterThanOrEqual(startedAt - 1000);
  });
});

describe('apiKeys pagination', () => {
  it('should page through keys newest first, without duplicates or gaps', async () => {
    const solo = await createTestOrg(graph.peopleDb, 'Paging Keys Org');
    for (let i = 0; i < 6; i++) dataOf(await createApiKey(solo.admin.key, { name: `Key ${i}` }));
    type Page = { apiKeys: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: { id: string; createdAt: string }[] } };
    const query = 'query($after: String) { apiKeys(first: 3, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { id createdAt } } }';
    const seen: { id: string; createdAt: string }[] = [];
    let after: string | null = null;
    for (let i = 0; i < 5; i++) {
      const page: Page['apiKeys'] = dataOf(await graph.gql<Page>(solo.admin.key, query, { after })).apiKeys;
      expect(page.totalCount).toBe(7);
      seen.push(...page.nodes);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    const ids = seen.map((k) => k.id);
    expect(new Set(ids).size).toBe(ids.length);
    const stored = await graph.peopleDb.selectFrom('api_keys').select('id').where('org_id', '=', solo.id).execute();
    expect([...ids].sort()).toEqual(stored.map((r) => r.id).sort());
    const times = seen.map((k) => Date.parse(k.createdAt));
    expect(times).toEqual([...times].sort((x, y) => y - x));
  });
});

describe('permissions', () => {
  const roles = ['EMPLOYEE', 'MANAGER'] as const;
  const operations: [string, (keyId: string) => [string, Record<string, unknown>]][] = [
    ['createApiKey', () => [CREATE_KEY, { input: { name: 'Sneaky', scopes: ['admin'] } }]],
    ['apiKeys', () => [LIST_KEYS, { status: 'ALL' }]],
    ['revokeApiKey', (keyId) => [REVOKE_KEY, { id: keyId }]],
  ];

  it.each(roles.flatMap((role) => operations.map(([name, build]) => [role, name, build] as const)))(
    'should refuse %s callers %s with FORBIDDEN',
    async (role, _name, build) => {
      const target = await createKey(graph.peopleDb, org.id, null);
      const [query, variables] = build(target.id);
      const res = await graph.gql(role === 'EMPLOYEE' ? employee.key : manager.key, query, variables);
      expectError(res, 'FORBIDDEN');
      expect(JSON.stringify(res.body)).not.toMatch(/lv_live_/);
      const row = await graph.peopleDb.selectFrom('api_keys').select('revoked_at').where('id', '=', target.id).executeTakeFirstOrThrow();
      expect(row.revoked_at).toBeNull();
      expect(await graph.peopleDb.selectFrom('api_keys').select('id').where('name', '=', 'Sneaky').execute()).toEqual([]);
    },
  );
});

describe('without a verdict cache', () => {
  let uncached: TestGraph;
  beforeAll(async () => {
    uncached = await startTestGraph({ apiKeyCacheTtlMs: 0 });
  });
  afterAll(() => uncached.stop());

  it('should refuse a key as soon as it has expired', async () => {
    const solo = await createTestOrg(uncached.peopleDb, 'Expiring Org');
    const key = await createKey(uncached.peopleDb, solo.id, null);
    expect((await uncached.gql(key.secret, SERVICE_PROBE)).status).toBe(200);
    await uncached.peopleDb
      .updateTable('api_keys')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('id', '=', key.id)
      .execute();
    const refused = await uncached.gql(key.secret, SERVICE_PROBE);
    expect(refused.status).toBe(401);
    expect(errorOf(refused).extensions?.['code']).toBe('UNAUTHENTICATED');
    // Other keys of the organization are unaffected.
    expect((await uncached.gql(solo.admin.key, SERVICE_PROBE)).status).toBe(200);
  });

  it('should refuse a key that was never issued', async () => {
    const res = await uncached.gql(`lv_live_${'A'.repeat(32)}`, SERVICE_PROBE);
    expect(res.status).toBe(401);
    expect(errorOf(res).extensions?.['code']).toBe('UNAUTHENTICATED');
  });
});

describe('scopes of people writes', () => {
  it('should refuse people writes and key management to an admin key without write:people or admin scopes', async () => {
    const graph = await startTestGraph({ apiKeyCacheTtlMs: 0 });
    try {
      const org = await createTestOrg(graph.peopleDb);
      const readOnly = await createKey(graph.peopleDb, org.id, null, ['read:people']);
      const writer = await createKey(graph.peopleDb, org.id, null, ['write:people']);
      const create = `mutation { createDepartment(input: { name: "Ops" }) { name } }`;
      const denied = await graph.gql(readOnly.secret, create);
      expect(denied.body.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
      expect(denied.body.errors?.[0]?.message).toContain('write:people');
      expect((await graph.gql(writer.secret, create)).body.data).toEqual({ createDepartment: { name: 'Ops' } });
      const keyDenied = await graph.gql(writer.secret, `mutation { createApiKey(input: { name: "x", scopes: ["admin"] }) { secret } }`);
      expect(keyDenied.body.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
      // Refused by the gateway (the SDL's @requiresScopes) or by people's own check, whichever runs first.
      expect(keyDenied.body.errors?.[0]?.message).toMatch(/admin scope|scope admin/);
    } finally {
      await graph.stop();
    }
  });
});
