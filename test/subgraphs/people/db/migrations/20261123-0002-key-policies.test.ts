import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schemaDb } from '../../../../../subgraphs/shared/database.ts';
import { trustedDocumentId } from '../../../../../subgraphs/shared/trusted-document-id.ts';
import { PEOPLE_SCHEMA, type PeopleDatabase, type PeopleDb } from '../../../../../subgraphs/people/db/database.ts';
import { insertOrganization } from '../../../../../subgraphs/people/db/repositories/organizations.ts';
import { insertUser } from '../../../../../subgraphs/people/db/repositories/users.ts';
import { createKey } from '../../../../helpers/graph.ts';
import { createTestDatabase, type TestDatabase } from '../../../../helpers/test-database.ts';

// The database itself keeps the sandbox and policy rules, whatever the code does.

let database: TestDatabase;
let db: PeopleDb;
beforeAll(async () => {
  database = await createTestDatabase();
  db = schemaDb<PeopleDatabase>(database.handle, PEOPLE_SCHEMA);
});
afterAll(() => database.close());

/** The SQLSTATE a statement fails with; fails the test when it succeeds. */
async function sqlState(statement: Promise<unknown>): Promise<string> {
  try {
    await statement;
  } catch (error) {
    return String((error as { code?: unknown }).code);
  }
  throw new Error('the statement succeeded');
}

const FOREIGN_KEY = '23503';
const UNIQUE = '23505';
const CHECK = '23514';

let counter = 0;
const newOrg = (sandboxOf: string | null = null) =>
  insertOrganization(db, { name: `Constraint org ${++counter}`, time_zone: 'Europe/London', country: 'GB', sandbox_of: sandboxOf });

describe('sandbox organizations', () => {
  it('should mark a sandbox as one and refuse a second sandbox of one organization', async () => {
    const live = await newOrg();
    const sandbox = await newOrg(live.id);
    expect(live).toMatchObject({ sandbox_of: null, is_sandbox: false });
    expect(sandbox).toMatchObject({ sandbox_of: live.id, is_sandbox: true });
    expect(await sqlState(newOrg(live.id))).toBe(UNIQUE);
  });

  it('should refuse a sandbox of a sandbox, and an organization that is its own sandbox', async () => {
    const live = await newOrg();
    const sandbox = await newOrg(live.id);
    expect(await sqlState(newOrg(sandbox.id))).toBe(FOREIGN_KEY);
    const lone = await newOrg();
    expect(await sqlState(db.updateTable('organizations').set({ sandbox_of: lone.id }).where('id', '=', lone.id).execute())).toBe(FOREIGN_KEY);
  });

  it('should refuse to make an organization that has a sandbox a sandbox itself', async () => {
    const live = await newOrg();
    await newOrg(live.id);
    const another = await newOrg();
    expect(await sqlState(db.updateTable('organizations').set({ sandbox_of: another.id }).where('id', '=', live.id).execute())).toBe(FOREIGN_KEY);
  });

  it('should delete a sandbox and its keys with its live organization', async () => {
    const live = await newOrg();
    const sandbox = await newOrg(live.id);
    const key = await createKey(db, sandbox.id, null, ['admin'], { mode: 'test' });
    await db.deleteFrom('organizations').where('id', '=', live.id).execute();
    expect(await db.selectFrom('organizations').select('id').where('id', 'in', [live.id, sandbox.id]).execute()).toEqual([]);
    expect(await db.selectFrom('api_keys').select('id').where('id', '=', key.id).execute()).toEqual([]);
  });
});

describe('api_keys policy columns', () => {
  it('should default to a live key for any address, the organization limit and any document', async () => {
    const org = await newOrg();
    const key = await createKey(db, org.id, null);
    const row = await db.selectFrom('api_keys').select(['mode', 'ip_allowlist', 'requests_per_hour', 'trusted_documents_only']).where('id', '=', key.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ mode: 'live', ip_allowlist: [], requests_per_hour: null, trusted_documents_only: false });
  });

  it.each<[string, Record<string, unknown>]>([
    ['an unknown mode', { mode: 'staging' }],
    ['0 requests per hour', { requests_per_hour: 0 }],
    ['1 000 001 requests per hour', { requests_per_hour: 1_000_001 }],
  ])('should refuse %s', async (_, values) => {
    const org = await newOrg();
    const key = await createKey(db, org.id, null);
    expect(await sqlState(db.updateTable('api_keys').set(values).where('id', '=', key.id).execute())).toBe(CHECK);
  });
});

describe('trusted_documents', () => {
  const body = 'query Q { me { id } }';

  it('should key documents by organization and id, refusing a malformed id and a creator of another organization', async () => {
    const org = await newOrg();
    const stranger = await newOrg();
    const creator = await insertUser(db, { org_id: stranger.id, email: `c${++counter}@example.com`, first_name: 'C', last_name: 'Reator', role: 'ADMIN' });
    const values = { org_id: org.id, id: trustedDocumentId(body), name: 'Q', body };
    await db.insertInto('trusted_documents').values(values).execute();
    expect(await sqlState(db.insertInto('trusted_documents').values(values).execute())).toBe(UNIQUE);
    // The same document in another organization is another record.
    await db.insertInto('trusted_documents').values({ ...values, org_id: stranger.id }).execute();
    expect(await sqlState(db.insertInto('trusted_documents').values({ ...values, id: 'sha256:ABC' }).execute())).toBe(CHECK);
    expect(await sqlState(db.insertInto('trusted_documents').values({ ...values, id: trustedDocumentId('{ x }'), created_by: creator.id }).execute())).toBe(FOREIGN_KEY);
  });
});
