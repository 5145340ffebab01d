import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyPrefix, generateApiKeySecret, hashApiKeySecret } from '../../../subgraphs/shared/api-key-format.ts';
import { verifyApiKey } from '../../../subgraphs/people/api-key-verification.ts';
import { insertApiKey } from '../../../subgraphs/people/db/repositories/api-keys.ts';
import { insertOrganization } from '../../../subgraphs/people/db/repositories/organizations.ts';
import { createKey, createTestOrg, startTestGraph, type TestGraph, type TestOrg } from '../../helpers/graph.ts';
import { peopleClient, type PeopleClient } from './people-client.ts';

let graph: TestGraph;
let people: PeopleClient;
let live: TestOrg;
let sandboxId: string;

beforeAll(async () => {
  graph = await startTestGraph({ apiKeyCacheTtlMs: 0 });
  people = peopleClient(graph);
  live = await createTestOrg(graph.peopleDb, 'Verified Org');
  sandboxId = (await insertOrganization(graph.peopleDb, { name: 'Verified Org (sandbox)', time_zone: 'Europe/London', country: 'GB', sandbox_of: live.id })).id;
});
afterAll(() => graph.stop());

describe('the verdict of a valid key', () => {
  it("should carry a LIVE key's allowlist, hourly limit and trusted-documents flag", async () => {
    const key = await createKey(graph.peopleDb, live.id, live.admin.id, ['read:people'], {
      ipAllowlist: ['203.0.113.0/24', '2001:db8::/32'],
      requestsPerHour: 120,
      trustedDocumentsOnly: true,
    });
    expect(await people.verify(key.secret)).toEqual({
      valid: true,
      expiresAt: null,
      identity: { orgId: live.id, userId: live.admin.id, role: 'ADMIN', scopes: ['read:people'], keyId: key.id, authMethod: 'api-key' },
      policy: { mode: 'live', ipAllowlist: ['203.0.113.0/24', '2001:db8::/32'], requestsPerHour: 120, trustedDocumentsOnly: true },
    });
  });

  it('should carry the default policy of a key created without one', async () => {
    const key = await createKey(graph.peopleDb, live.id, null);
    expect(await people.verify(key.secret)).toMatchObject({
      valid: true,
      policy: { mode: 'live', ipAllowlist: [], requestsPerHour: null, trustedDocumentsOnly: false },
    });
  });

  it('should verify a test key of a sandbox as that sandbox, with a test policy', async () => {
    const key = await createKey(graph.peopleDb, sandboxId, null, ['admin'], { mode: 'test', requestsPerHour: 30 });
    expect(key.secret).toMatch(/^lv_test_/);
    const verdict = await verifyApiKey(graph.peopleDb, apiKeyPrefix(key.secret), hashApiKeySecret(key.secret));
    expect(verdict).toMatchObject({
      valid: true,
      identity: { orgId: sandboxId, userId: null, role: 'ADMIN', keyId: key.id },
      policy: { mode: 'test', ipAllowlist: [], requestsPerHour: 30, trustedDocumentsOnly: false },
    });
  });
});

describe('mode mismatches', () => {
  /** A key row whose secret marker, stored mode and organization are given independently. */
  async function keyWith(marker: 'live' | 'test', mode: 'live' | 'test', orgId: string): Promise<string> {
    const secret = generateApiKeySecret(marker);
    await insertApiKey(graph.peopleDb, {
      org_id: orgId,
      user_id: null,
      name: `${marker} secret, ${mode} row`,
      prefix: apiKeyPrefix(secret),
      secret_hash: hashApiKeySecret(secret),
      scopes: ['admin'],
      mode,
    });
    return secret;
  }

  it.each<[string, 'live' | 'test', 'live' | 'test', 'live' | 'sandbox']>([
    ['a lv_test_ secret of a test key in a live organization', 'test', 'test', 'live'],
    ['a lv_test_ secret of a live key in a live organization', 'test', 'live', 'live'],
    ['a lv_live_ secret of a live key in a sandbox organization', 'live', 'live', 'sandbox'],
    ['a lv_live_ secret of a test key in a sandbox organization', 'live', 'test', 'sandbox'],
    ['a lv_test_ secret of a live key in a sandbox organization', 'test', 'live', 'sandbox'],
    ['a lv_live_ secret of a test key in a live organization', 'live', 'test', 'live'],
  ])('should refuse %s', async (_, marker, mode, org) => {
    const secret = await keyWith(marker, mode, org === 'live' ? live.id : sandboxId);
    const verdict = await people.verify(secret);
    expect(verdict.valid).toBe(false);
    expect(!verdict.valid && verdict.reason).toMatch(/^API key mode mismatch/);
    // The gateway answers such a key like any refused one.
    const res = await graph.gql(secret, '{ organization { id } }');
    expect(res.status).toBe(401);
    expect(res.body.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
  });

  it('should not record a use of a refused key', async () => {
    const secret = await keyWith('test', 'test', live.id);
    await people.verify(secret);
    const row = await graph.peopleDb.selectFrom('api_keys').select('last_used_at').where('prefix', '=', apiKeyPrefix(secret)).executeTakeFirstOrThrow();
    expect(row.last_used_at).toBeNull();
  });

  it('should still accept keys whose marker, mode and organization agree', async () => {
    expect((await people.verify(await keyWith('live', 'live', live.id))).valid).toBe(true);
    expect((await people.verify(await keyWith('test', 'test', sandboxId))).valid).toBe(true);
  });
});

describe('the verify-api-key route', () => {
  it('should answer 400 to a malformed request and 401 to an unsigned one', async () => {
    expect((await people.internal('/internal/verify-api-key', { prefix: 'lv_live_abcd' })).status).toBe(400);
    const key = await createKey(graph.peopleDb, live.id, null);
    const body = { prefix: apiKeyPrefix(key.secret), secretHash: hashApiKeySecret(key.secret).toString('base64url') };
    const unsigned = await people.internal('/internal/verify-api-key', body, {});
    expect(unsigned.status).toBe(401);
    expect(JSON.stringify(unsigned.body)).not.toContain(key.id);
  });
});
