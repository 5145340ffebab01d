import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminInputError, runAdminCommand } from '../../../subgraphs/people/admin.ts';
import { apiKeyPrefix, hashApiKeySecret } from '../../../subgraphs/shared/api-key-format.ts';
import { verifyApiKey } from '../../../subgraphs/people/api-key-verification.ts';
import { readEvents } from '../../../subgraphs/shared/outbox.ts';
import { createTestOrg, startTestGraph, type TestGraph } from '../../helpers/graph.ts';

let graph: TestGraph;
beforeAll(async () => {
  graph = await startTestGraph();
});
afterAll(() => graph.stop());

const run = (command: string, options: Record<string, string | boolean | undefined>) => runAdminCommand(graph.database.handle, command, options);
const base = { name: 'Bootstrap Ltd', country: 'gb', 'admin-email': 'Root@Bootstrap.test', 'time-zone': 'Europe/London' };

describe('npm run admin', () => {
  it('should create an organization with its first admin and a working admin key, publish them, and create nothing the second time', async () => {
    const created = await run('create-organization', base);
    const json = created.json as { created: boolean; organizationId: string; adminUserId: string; apiKey: string };
    expect(json.created).toBe(true);
    expect(created.lines.join('\n')).toContain(json.apiKey);
    const verdict = await verifyApiKey(graph.peopleDb, apiKeyPrefix(json.apiKey), hashApiKeySecret(json.apiKey));
    expect(verdict).toMatchObject({ valid: true, identity: { orgId: json.organizationId, userId: json.adminUserId, role: 'ADMIN' } });
    const events = (await readEvents(graph.database.handle.root, 0, 10_000)).filter((e) => e.orgId === json.organizationId);
    expect(events.map((e) => e.type)).toEqual(['organization.created', 'user.created']);
    const org = await graph.peopleDb.selectFrom('organizations').selectAll().where('id', '=', json.organizationId).executeTakeFirstOrThrow();
    expect(org).toMatchObject({ name: 'Bootstrap Ltd', country: 'GB', time_zone: 'Europe/London', leave_year_start_month: 1 });

    const again = await run('create-organization', { ...base, name: 'bootstrap ltd', 'admin-email': 'root@bootstrap.test' });
    expect(again.json).toEqual({ created: false, organizationId: json.organizationId, adminUserId: json.adminUserId });
    expect(await graph.peopleDb.selectFrom('organizations').select('id').where('name', 'ilike', 'bootstrap ltd').execute()).toHaveLength(1);
  });

  it.each([
    [{ ...base, name: undefined }, '--name is required'],
    [{ ...base, name: '   ' }, '--name is required'],
    [{ ...base, country: 'XX' }, '--country must be an ISO 3166-1 alpha-2 country code such as GB or BR'],
    [{ ...base, 'admin-email': 'not-an-email' }, '--admin-email must be an email address like name@example.com'],
    [{ ...base, 'time-zone': 'Mars/Olympus' }, '--time-zone must be an IANA time zone such as Europe/London'],
    [{ ...base, 'leave-year-start-month': '13' }, '--leave-year-start-month must be an integer from 1 to 12'],
    [{ ...base, 'leave-year-start-month': '4.5' }, '--leave-year-start-month must be an integer from 1 to 12'],
    [{ ...base, name: 'x'.repeat(201) }, '--name must have at most 200 characters'],
  ])('should refuse bad input to create-organization naming the option (%#)', async (options, message) => {
    const before = await graph.peopleDb.selectFrom('organizations').select('id').execute();
    await expect(run('create-organization', options)).rejects.toThrow(new AdminInputError(message));
    expect(await graph.peopleDb.selectFrom('organizations').select('id').execute()).toHaveLength(before.length);
  });

  it('should issue a key with the scopes asked for, for an active user of that organization only', async () => {
    const org = await createTestOrg(graph.peopleDb, 'Keyed Org');
    const other = await createTestOrg(graph.peopleDb, 'Other Org');
    const stranger = await other.addUser({ role: 'EMPLOYEE' });
    const issued = await run('create-api-key', { organization: org.id, scopes: 'read:people, read:leave' });
    const json = issued.json as { apiKey: string; userId: string; scopes: string[] };
    expect(json.userId).toBe(org.admin.id);
    expect(json.scopes).toEqual(['read:people', 'read:leave']);
    expect(await verifyApiKey(graph.peopleDb, apiKeyPrefix(json.apiKey), hashApiKeySecret(json.apiKey))).toMatchObject({ valid: true, identity: { orgId: org.id, scopes: ['read:people', 'read:leave'] } });

    await expect(run('create-api-key', { organization: org.id, 'user-email': stranger.email })).rejects.toThrow(`--user-email ${stranger.email} is not an active user of ${org.id}`);
    await expect(run('create-api-key', { organization: org.id, scopes: 'read:people,fly:planes' })).rejects.toThrow(/--scopes: unknown scope fly:planes/);
    await expect(run('create-api-key', { organization: org.id, scopes: ' , ' })).rejects.toThrow('--scopes must name at least one scope');
    await expect(run('create-api-key', { organization: 'nope' })).rejects.toThrow('--organization must be an organization id (a UUID): see list-organizations');
    await expect(run('create-api-key', { organization: '00000000-0000-4000-8000-000000000000' })).rejects.toThrow(/is not an organization/);
    await expect(run('create-api-key', {})).rejects.toThrow('--organization is required');
  });

  it('should list organizations with their people and live keys, and refuse unknown commands', async () => {
    const listed = (await run('list-organizations', {})).json as { organizations: { name: string; activePeople: number; liveApiKeys: number }[] };
    expect(listed.organizations).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'Bootstrap Ltd', activePeople: 1, liveApiKeys: 1 })]));
    await expect(run('drop-everything', {})).rejects.toThrow(/unknown command drop-everything/);
    expect((await runAdminCommand(graph.database.handle, undefined, {})).lines[0]).toContain('usage: npm run admin');
  });
});
