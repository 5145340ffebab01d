import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastEventId as newestEventId, readEvents } from '../../../../subgraphs/shared/outbox.ts';
import { createKey, createTestOrg, startTestGraph, type TestGraph, type TestOrg, type TestUser } from '../../../helpers/graph.ts';
import { dataOf, expectError } from '../../../helpers/assertions.ts';
import { peopleClient, type PeopleClient } from '../people-client.ts';

// Key policies, TEST keys and sandbox organizations, called on the people subgraph as the
// gateway would call it (the checked-in supergraph is recomposed separately).

let graph: TestGraph;
let people: PeopleClient;
let org: TestOrg;
let other: TestOrg;
let admin: string;
let manager: TestUser;
let employee: TestUser;

interface ApiKeyNode {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  mode: 'LIVE' | 'TEST';
  ipAllowlist: string[];
  requestsPerHour: number | null;
  trustedDocumentsOnly: boolean;
  active: boolean;
  revokedAt: string | null;
  user: { id: string } | null;
  createdBy: { id: string } | null;
}
const API_KEY = 'id name prefix scopes mode ipAllowlist requestsPerHour trustedDocumentsOnly active revokedAt user { id } createdBy { id }';
const CREATE_KEY = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { ${API_KEY} } } }`;
const UPDATE_KEY = `mutation($id: ID!, $input: UpdateApiKeyInput!) { updateApiKey(id: $id, input: $input) { ${API_KEY} } }`;
const REVOKE_KEY = `mutation($id: ID!) { revokeApiKey(id: $id) { ${API_KEY} } }`;
const LIST_KEYS = `{ apiKeys(status: ALL, first: 100) { totalCount nodes { ${API_KEY} } } }`;
const ORGANIZATION = '{ organization { id name timeZone country leaveYearStartMonth isSandbox sandbox { id name timeZone country leaveYearStartMonth isSandbox sandbox { id } } } }';

type Created = { secret: string; apiKey: ApiKeyNode };

async function createApiKey(key: string, input: Record<string, unknown>) {
  return people.gql<{ createApiKey: Created }>(key, CREATE_KEY, { input: { name: 'Policy key', scopes: ['read:people'], ...input } });
}
async function created(key: string, input: Record<string, unknown>): Promise<Created> {
  return dataOf(await createApiKey(key, input)).createApiKey;
}
async function updateApiKey(key: string, id: string, input: Record<string, unknown>) {
  return people.gql<{ updateApiKey: ApiKeyNode }>(key, UPDATE_KEY, { id, input });
}
const keyRow = (id: string) => graph.peopleDb.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const sandboxesOf = (orgId: string) => graph.peopleDb.selectFrom('organizations').selectAll().where('sandbox_of', '=', orgId).execute();
const countRows = async (table: 'api_keys' | 'organizations') => (await graph.peopleDb.selectFrom(table).select('id').execute()).length;
const lastEventId = () => newestEventId(graph.database.handle.root);

beforeAll(async () => {
  graph = await startTestGraph();
  people = peopleClient(graph);
  org = await createTestOrg(graph.peopleDb, 'Policy Org');
  other = await createTestOrg(graph.peopleDb, 'Other Policy Org');
  admin = org.admin.key;
  manager = await org.addUser({ role: 'MANAGER' });
  employee = await org.addUser({ role: 'EMPLOYEE', managerId: manager.id });
});
afterAll(() => graph.stop());

describe('createApiKey policies', () => {
  it('should give a key the defaults: LIVE, any address, the organization limit, any document', async () => {
    const { secret, apiKey } = await created(admin, {});
    expect(secret).toMatch(/^lv_live_[0-9A-Za-z]{32}$/);
    expect(apiKey).toMatchObject({ mode: 'LIVE', ipAllowlist: [], requestsPerHour: null, trustedDocumentsOnly: false, createdBy: { id: org.admin.id } });
    expect(await keyRow(apiKey.id)).toMatchObject({ org_id: org.id, mode: 'live', ip_allowlist: [], requests_per_hour: null, trusted_documents_only: false });
  });

  it('should store a normalised, de-duplicated allowlist, the hourly limit and the trusted-documents flag', async () => {
    const { apiKey } = await created(admin, {
      ipAllowlist: [' 203.0.113.7 ', '10.1.2.3/8', '2001:DB8:0::/32', '10.0.0.0/8'],
      requestsPerHour: 500,
      trustedDocumentsOnly: true,
    });
    expect(apiKey).toMatchObject({ mode: 'LIVE', ipAllowlist: ['203.0.113.7/32', '10.0.0.0/8', '2001:db8::/32'], requestsPerHour: 500, trustedDocumentsOnly: true });
    expect(await keyRow(apiKey.id)).toMatchObject({
      ip_allowlist: ['203.0.113.7/32', '10.0.0.0/8', '2001:db8::/32'],
      requests_per_hour: 500,
      trusted_documents_only: true,
    });
  });

  it('should accept the limits of each rule', async () => {
    const fifty = Array.from({ length: 50 }, (_, i) => `192.0.2.${i}`);
    expect((await created(admin, { ipAllowlist: fifty, requestsPerHour: 1 })).apiKey).toMatchObject({ ipAllowlist: fifty.map((ip) => `${ip}/32`), requestsPerHour: 1 });
    expect((await created(admin, { requestsPerHour: 1_000_000 })).apiKey.requestsPerHour).toBe(1_000_000);
  });

  it.each<[string, () => Record<string, unknown>, string, string]>([
    ['an allowlist entry that is not an address', () => ({ ipAllowlist: ['10.0.0.0/8', 'office'] }), 'input.ipAllowlist[1]', 'must be an IP address or CIDR range'],
    ['an allowlist prefix out of range', () => ({ ipAllowlist: ['10.0.0.0/33'] }), 'input.ipAllowlist[0]', 'from 0 to 32'],
    ['an allowlist entry with a zone id', () => ({ ipAllowlist: ['fe80::1%eth0'] }), 'input.ipAllowlist[0]', 'must be an IP address or CIDR range'],
    ['51 allowlist entries', () => ({ ipAllowlist: Array.from({ length: 51 }, (_, i) => `198.51.100.${i}`) }), 'input.ipAllowlist', 'must have at most 50 entries'],
    ['a limit of 0 requests per hour', () => ({ requestsPerHour: 0 }), 'input.requestsPerHour', 'must be an integer from 1 to 1000000'],
    ['a limit over 1 000 000 requests per hour', () => ({ requestsPerHour: 1_000_001 }), 'input.requestsPerHour', 'must be an integer from 1 to 1000000'],
    ['a TEST key acting as a user', () => ({ mode: 'TEST', userId: employee.id }), 'input.userId', 'must be omitted for a TEST key'],
    ['an explicit null mode', () => ({ mode: null }), 'input.mode', 'must not be null'],
    ['an explicit null trustedDocumentsOnly', () => ({ trustedDocumentsOnly: null }), 'input.trustedDocumentsOnly', 'must not be null'],
  ])('should refuse %s with BAD_USER_INPUT, storing nothing', async (_, input, field, rule) => {
    const keys = await countRows('api_keys');
    const organizations = await countRows('organizations');
    const res = await createApiKey(admin, input());
    const error = expectError(res, 'BAD_USER_INPUT', field);
    expect(error.message).toContain(rule);
    expect(JSON.stringify(res.body)).not.toMatch(/lv_(live|test)_/);
    expect(await countRows('api_keys')).toBe(keys);
    expect(await countRows('organizations')).toBe(organizations);
  });
});

describe('TEST keys and the sandbox organization', () => {
  let live: TestOrg;
  let sandboxId: string;
  let firstTest: Created;

  beforeAll(async () => {
    live = await createTestOrg(graph.peopleDb, 'Acme');
    dataOf(await people.gql(live.admin.key, 'mutation { updateOrganization(input: { timeZone: "America/New_York", country: "US", leaveYearStartMonth: 4, fullTimeWeeklyHours: 37.5 }) { id } }'));
  });

  it('should create the sandbox with the first TEST key, publish it, and put the key in it', async () => {
    expect(dataOf(await people.gql<{ organization: unknown }>(live.admin.key, ORGANIZATION)).organization).toMatchObject({ isSandbox: false, sandbox: null });
    const start = await lastEventId();
    firstTest = await created(live.admin.key, { mode: 'TEST', name: 'CI', scopes: ['admin'], ipAllowlist: ['192.0.2.0/24'] });
    expect(firstTest.secret).toMatch(/^lv_test_[0-9A-Za-z]{32}$/);
    // The creator is a user of the live organization, not of the sandbox: the key has none.
    expect(firstTest.apiKey).toMatchObject({ mode: 'TEST', user: null, createdBy: null, prefix: firstTest.secret.slice(0, 12), ipAllowlist: ['192.0.2.0/24'] });

    const sandboxes = await sandboxesOf(live.id);
    expect(sandboxes).toHaveLength(1);
    const sandbox = sandboxes[0]!;
    sandboxId = sandbox.id;
    expect(sandbox).toMatchObject({
      name: 'Acme (sandbox)',
      time_zone: 'America/New_York',
      country: 'US',
      leave_year_start_month: 4,
      full_time_weekly_hours: '37.50',
      is_sandbox: true,
    });
    expect(await keyRow(firstTest.apiKey.id)).toMatchObject({ org_id: sandboxId, mode: 'test', created_by: null, user_id: null });

    const events = await readEvents(graph.database.handle.root, start, 1000);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      orgId: sandboxId,
      type: 'organization.created',
      entityType: 'Organization',
      entityId: sandboxId,
      actorId: null,
      payload: { id: sandboxId, name: 'Acme (sandbox)', timeZone: 'America/New_York', country: 'US', leaveYearStartMonth: 4, fullTimeWeeklyHours: '37.50' },
    });
  });

  it('should let the leave directory learn of the sandbox', async () => {
    await graph.leave.catchUpDirectory();
    const row = await graph.leaveDb.selectFrom('directory_organizations').selectAll().where('org_id', '=', sandboxId).executeTakeFirst();
    expect(row).toMatchObject({ time_zone: 'America/New_York', country: 'US', leave_year_start_month: 4, full_time_weekly_hours: '37.50' });
  });

  it('should reuse the sandbox for the next TEST key, publishing nothing more', async () => {
    const start = await lastEventId();
    const second = await created(live.admin.key, { mode: 'TEST', name: 'CI 2' });
    expect((await keyRow(second.apiKey.id)).org_id).toBe(sandboxId);
    expect(await sandboxesOf(live.id)).toHaveLength(1);
    expect(await readEvents(graph.database.handle.root, start, 1000)).toEqual([]);
  });

  it('should create one sandbox when two first TEST keys are created at once', async () => {
    const fresh = await createTestOrg(graph.peopleDb, 'Racing Org');
    const both = await Promise.all([created(fresh.admin.key, { mode: 'TEST' }), created(fresh.admin.key, { mode: 'TEST' })]);
    const sandboxes = await sandboxesOf(fresh.id);
    expect(sandboxes).toHaveLength(1);
    for (const key of both) expect((await keyRow(key.apiKey.id)).org_id).toBe(sandboxes[0]!.id);
  });

  it('should verify a TEST key as a service key of the sandbox with a test policy', async () => {
    const verdict = await people.verify(firstTest.secret);
    expect(verdict).toEqual({
      valid: true,
      expiresAt: null,
      identity: { orgId: sandboxId, userId: null, role: 'ADMIN', scopes: ['admin'], keyId: firstTest.apiKey.id, authMethod: 'api-key' },
      policy: { mode: 'test', ipAllowlist: ['192.0.2.0/24'], requestsPerHour: null, trustedDocumentsOnly: false },
    });
  });

  it('should serve a TEST key through the gateway as its sandbox organization', async () => {
    const key = await created(live.admin.key, { mode: 'TEST', name: 'Gateway', scopes: ['read:people'] });
    const res = await graph.gql<{ organization: { id: string; isSandbox: boolean; sandbox: null } }>(key.secret, '{ organization { id isSandbox sandbox { id } } }');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(dataOf(res).organization).toEqual({ id: sandboxId, isSandbox: true, sandbox: null });
  });

  it("should show the live organization's admins their sandbox and its keys", async () => {
    const organization = dataOf(await people.gql<{ organization: unknown }>(live.admin.key, ORGANIZATION)).organization;
    expect(organization).toEqual({
      id: live.id,
      name: 'Acme',
      timeZone: 'America/New_York',
      country: 'US',
      leaveYearStartMonth: 4,
      isSandbox: false,
      sandbox: { id: sandboxId, name: 'Acme (sandbox)', timeZone: 'America/New_York', country: 'US', leaveYearStartMonth: 4, isSandbox: true, sandbox: null },
    });
    const list = dataOf(await people.gql<{ apiKeys: { totalCount: number; nodes: ApiKeyNode[] } }>(live.admin.key, LIST_KEYS)).apiKeys;
    const stored = await graph.peopleDb.selectFrom('api_keys').select('id').where('org_id', 'in', [live.id, sandboxId]).execute();
    expect(list.nodes.map((k) => k.id).sort()).toEqual(stored.map((r) => r.id).sort());
    expect(list.totalCount).toBe(stored.length);
    expect(list.nodes.filter((k) => k.mode === 'TEST').map((k) => k.id)).toContain(firstTest.apiKey.id);
  });

  it('should let the live admins update and revoke their sandbox keys', async () => {
    const key = await created(live.admin.key, { mode: 'TEST', name: 'Disposable' });
    const updated = dataOf(await updateApiKey(live.admin.key, key.apiKey.id, { name: 'Renamed', requestsPerHour: 60, trustedDocumentsOnly: true })).updateApiKey;
    expect(updated).toMatchObject({ id: key.apiKey.id, name: 'Renamed', mode: 'TEST', requestsPerHour: 60, trustedDocumentsOnly: true });
    expect(await people.verify(key.secret)).toMatchObject({ valid: true, policy: { mode: 'test', requestsPerHour: 60, trustedDocumentsOnly: true } });
    const revoked = dataOf(await people.gql<{ revokeApiKey: ApiKeyNode }>(live.admin.key, REVOKE_KEY, { id: key.apiKey.id })).revokeApiKey;
    expect(revoked).toMatchObject({ active: false, revokedAt: expect.any(String) });
    expect(await people.verify(key.secret)).toEqual({ valid: false, reason: 'API key revoked' });
  });

  describe("a sandbox's own callers", () => {
    it('should see the sandbox as their organization, with no sandbox of its own', async () => {
      const organization = dataOf(await people.gql<{ organization: unknown }>(firstTest.secret, ORGANIZATION)).organization;
      expect(organization).toMatchObject({ id: sandboxId, name: 'Acme (sandbox)', isSandbox: true, sandbox: null });
    });

    it.each([
      ['no mode (LIVE by default)', {}],
      ['mode LIVE', { mode: 'LIVE' }],
    ])('should refuse to create a LIVE key with %s', async (_, input) => {
      const keys = await countRows('api_keys');
      const res = await createApiKey(firstTest.secret, input);
      expectError(res, 'BAD_USER_INPUT', { field: 'input.mode', rule: 'INCOMPATIBLE' });
      expect(await countRows('api_keys')).toBe(keys);
    });

    it('should create TEST keys in the sandbox itself, never a sandbox of the sandbox', async () => {
      const organizations = await countRows('organizations');
      const key = await created(firstTest.secret, { mode: 'TEST', name: 'From the sandbox' });
      expect(key.secret).toMatch(/^lv_test_/);
      expect((await keyRow(key.apiKey.id)).org_id).toBe(sandboxId);
      expect(await countRows('organizations')).toBe(organizations);
      expect(await sandboxesOf(sandboxId)).toEqual([]);
      expect((await people.identityOf(key.secret)).orgId).toBe(sandboxId);
    });

    it("should list only the sandbox's keys", async () => {
      const list = dataOf(await people.gql<{ apiKeys: { totalCount: number; nodes: ApiKeyNode[] } }>(firstTest.secret, LIST_KEYS)).apiKeys;
      const stored = await graph.peopleDb.selectFrom('api_keys').select('id').where('org_id', '=', sandboxId).execute();
      expect(list.nodes.map((k) => k.id).sort()).toEqual(stored.map((r) => r.id).sort());
      expect(list.totalCount).toBe(stored.length);
      expect(list.nodes.every((k) => k.mode === 'TEST')).toBe(true);
    });

    it("should not reach the live organization's keys or organization", async () => {
      const liveKey = await createKey(graph.peopleDb, live.id, null, ['read:people']);
      const before = await keyRow(liveKey.id);
      expectError(await updateApiKey(firstTest.secret, liveKey.id, { name: 'Hijacked' }), 'NOT_FOUND');
      expectError(await people.gql(firstTest.secret, REVOKE_KEY, { id: liveKey.id }), 'NOT_FOUND');
      expect(await keyRow(liveKey.id)).toEqual(before);
      const entities = await people.gql<{ _entities: unknown[] }>(
        firstTest.secret,
        'query($r: [_Any!]!) { _entities(representations: $r) { ... on Organization { id name } } }',
        { r: [{ __typename: 'Organization', id: live.id }, { __typename: 'Organization', id: sandboxId }] },
      );
      expect(dataOf(entities)._entities).toEqual([null, { id: sandboxId, name: 'Acme (sandbox)' }]);
    });
  });

  it('should show no sandbox to an organization without TEST keys', async () => {
    const organization = dataOf(await people.gql<{ organization: unknown }>(other.admin.key, ORGANIZATION)).organization;
    expect(organization).toMatchObject({ id: other.id, isSandbox: false, sandbox: null });
  });
});

describe('updateApiKey', () => {
  let key: Created;
  beforeAll(async () => {
    key = await created(admin, { name: 'Integration', ipAllowlist: ['203.0.113.0/24'], requestsPerHour: 100, trustedDocumentsOnly: true });
  });

  it('should change only the fields given, and hand the new policy to the gateway', async () => {
    const first = dataOf(await updateApiKey(admin, key.apiKey.id, { ipAllowlist: ['198.51.100.9', '2001:db8::1/64'] })).updateApiKey;
    expect(first).toMatchObject({ name: 'Integration', ipAllowlist: ['198.51.100.9/32', '2001:db8::/64'], requestsPerHour: 100, trustedDocumentsOnly: true, mode: 'LIVE' });
    const second = dataOf(await updateApiKey(admin, key.apiKey.id, { name: ' Payroll ', trustedDocumentsOnly: false, requestsPerHour: 2500 })).updateApiKey;
    expect(second).toMatchObject({ name: 'Payroll', ipAllowlist: ['198.51.100.9/32', '2001:db8::/64'], requestsPerHour: 2500, trustedDocumentsOnly: false });
    expect(await people.verify(key.secret)).toMatchObject({
      valid: true,
      policy: { mode: 'live', ipAllowlist: ['198.51.100.9/32', '2001:db8::/64'], requestsPerHour: 2500, trustedDocumentsOnly: false },
    });
  });

  it("should reset the hourly limit to the organization's default with an explicit null, and open the allowlist with an empty list", async () => {
    const res = dataOf(await updateApiKey(admin, key.apiKey.id, { requestsPerHour: null, ipAllowlist: [] })).updateApiKey;
    expect(res).toMatchObject({ requestsPerHour: null, ipAllowlist: [] });
    expect(await keyRow(key.apiKey.id)).toMatchObject({ requests_per_hour: null, ip_allowlist: [] });
  });

  it('should answer an empty change with the key as it is', async () => {
    const before = await keyRow(key.apiKey.id);
    expect(dataOf(await updateApiKey(admin, key.apiKey.id, {})).updateApiKey).toMatchObject({ id: key.apiKey.id, name: before.name });
    expect(await keyRow(key.apiKey.id)).toEqual(before);
  });

  it.each<[string, Record<string, unknown>, string, string]>([
    ['an allowlist entry that is not an address', { ipAllowlist: ['192.0.2.0/24', '192.0.2.300'] }, 'input.ipAllowlist[1]', 'must be an IP address or CIDR range'],
    ['51 allowlist entries', { ipAllowlist: Array.from({ length: 51 }, (_, i) => `10.0.${i}.0/24`) }, 'input.ipAllowlist', 'must have at most 50 entries'],
    ['a null allowlist', { ipAllowlist: null }, 'input.ipAllowlist', 'must not be null'],
    ['a limit of 0 requests per hour', { requestsPerHour: 0 }, 'input.requestsPerHour', 'must be an integer from 1 to 1000000'],
    ['a limit over 1 000 000 requests per hour', { requestsPerHour: 1_000_001 }, 'input.requestsPerHour', 'must be an integer from 1 to 1000000'],
    ['an empty name', { name: '  ' }, 'input.name', 'must not be empty'],
    ['a null name', { name: null }, 'input.name', 'must not be null'],
    ['a null trustedDocumentsOnly', { trustedDocumentsOnly: null }, 'input.trustedDocumentsOnly', 'must not be null'],
  ])('should refuse %s with BAD_USER_INPUT, changing nothing', async (_, input, field, rule) => {
    const before = await keyRow(key.apiKey.id);
    const error = expectError(await updateApiKey(admin, key.apiKey.id, input), 'BAD_USER_INPUT', field);
    expect(error.message).toContain(rule);
    expect(await keyRow(key.apiKey.id)).toEqual(before);
  });

  it('should refuse to change a revoked key with CONFLICT', async () => {
    const doomed = await created(admin, { name: 'Doomed' });
    dataOf(await people.gql(admin, REVOKE_KEY, { id: doomed.apiKey.id }));
    const before = await keyRow(doomed.apiKey.id);
    const error = expectError(await updateApiKey(admin, doomed.apiKey.id, { name: 'Revived', requestsPerHour: 10 }), 'CONFLICT', { rule: 'KEY_REVOKED' });
    expect(error.message).toContain('revoked');
    expect(await keyRow(doomed.apiKey.id)).toEqual(before);
  });

  it('should answer NOT_FOUND for an unknown id, a malformed id and a key of another organization', async () => {
    const otherKey = await createKey(graph.peopleDb, other.id, null);
    const before = await keyRow(otherKey.id);
    for (const id of [randomUUID(), 'not-an-id', otherKey.id]) {
      expectError(await updateApiKey(admin, id, { name: 'Taken' }), 'NOT_FOUND');
    }
    expect(await keyRow(otherKey.id)).toEqual(before);
  });
});

describe('permissions', () => {
  const operations: [string, (keyId: string) => [string, Record<string, unknown>]][] = [
    ['updateApiKey', (keyId) => [UPDATE_KEY, { id: keyId, input: { name: 'Sneaky', ipAllowlist: [] } }]],
    ['createApiKey of a TEST key', () => [CREATE_KEY, { input: { name: 'Sneaky', scopes: ['admin'], mode: 'TEST' } }]],
    ['createApiKey with a policy', () => [CREATE_KEY, { input: { name: 'Sneaky', scopes: ['admin'], requestsPerHour: 10 } }]],
  ];
  const callers: [string, () => Promise<string>, string][] = [
    ['an employee', async () => employee.key, 'only admins'],
    ['a manager', async () => manager.key, 'only admins'],
    ['an admin key without the admin scope', async () => (await createKey(graph.peopleDb, org.id, null, ['read:people', 'write:people'])).secret, 'admin scope'],
  ];

  it.each(callers.flatMap(([who, key, message]) => operations.map(([name, build]) => [who, name, key, message, build] as const)))(
    'should refuse %s %s with FORBIDDEN, changing nothing',
    async (_, __, key, message, build) => {
      const secret = await key();
      const target = await createKey(graph.peopleDb, org.id, null, ['read:people'], { ipAllowlist: ['192.0.2.1/32'] });
      const before = await keyRow(target.id);
      const keys = await countRows('api_keys');
      const [query, variables] = build(target.id);
      const error = expectError(await people.gql(secret, query, variables), 'FORBIDDEN');
      expect(error.message).toContain(message);
      expect(await keyRow(target.id)).toEqual(before);
      expect(await countRows('api_keys')).toBe(keys);
      expect(await sandboxesOf(org.id)).toEqual([]);
    },
  );
});
