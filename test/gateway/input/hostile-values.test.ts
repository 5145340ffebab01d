import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestOrg, startTestGraph, type TestGraph, type TestOrg } from '../../helpers/graph.ts';

let graph: TestGraph;
let org: TestOrg;
beforeAll(async () => {
  graph = await startTestGraph();
  org = await createTestOrg(graph.peopleDb);
});
afterAll(() => graph.stop());

/** The first error's code and extensions of a call. */
async function firstError(query: string, variables?: Record<string, unknown>) {
  const res = await graph.gql(org.admin.key, query, variables);
  expect(res.status).toBeLessThan(500);
  const error = res.body.errors?.[0];
  return { status: res.status, code: error?.extensions?.['code'], extensions: error?.extensions ?? {}, message: error?.message ?? '', data: res.body.data };
}

const HOLIDAYS = 'query($f: Date!) { publicHolidays(from: $f, to: "2027-01-15", country: "GB") { date } }';

describe('Date and DateTime at the gateway', () => {
  it.each([['2026-02-30'], ['0000-00-00'], ['99999-01-01'], [''], [0], [[]], ['x'], ['2026-1-01'], [{ a: 1 }]])('should refuse the Date variable %j as BAD_USER_INPUT naming it', async (value) => {
    const error = await firstError(HOLIDAYS, { f: value });
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.extensions).toMatchObject({ field: 'f', variable: 'f' });
    expect(error.message).toContain('YYYY-MM-DD');
  });

  it.each([['"2026-02-30"'], ['"0000-00-00"'], ['""'], ['0'], ['[]'], ['"x"'], ['{a: 1}'], ['true'], ['GB']])('should refuse the Date literal %s naming the argument', async (literal) => {
    const error = await firstError(`{ publicHolidays(from: ${literal}, to: "2027-01-15", country: "GB") { date } }`);
    expect(['BAD_USER_INPUT']).toContain(error.code);
    expect(error.extensions['field']).toBe('from');
  });

  it('should accept a valid date, also in years 0001-0099 at the scalar', async () => {
    const ok = await graph.gql(org.admin.key, HOLIDAYS, { f: '2027-01-01' });
    expect(ok.body.errors).toBeUndefined();
    const early = await firstError(`{ publicHolidays(from: "0050-01-01", to: "0050-01-02", country: "GB") { date } }`);
    // The scalar takes it; the field's own rule (a range of at most 366 days, or the domain range) answers, never an internal error.
    expect(early.code === undefined || early.code === 'BAD_USER_INPUT').toBe(true);
  });

  it.each([['x'], ['2027-01-01T25:61:00Z'], ['2027-02-30T10:00:00Z'], ['2027-01-01'], ['2027-01-01T10:00:00'], [''], [5]])('should refuse the DateTime %j naming the field', async (value) => {
    const error = await firstError('mutation($e: DateTime) { createApiKey(input: {name: "k", scopes: ["read:people"], expiresAt: $e}) { secret } }', { e: value });
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.extensions['field']).toBe('e');
  });

  it('should refuse an inline DateTime literal naming the input field', async () => {
    const error = await firstError('mutation { createApiKey(input: {name: "k", scopes: ["read:people"], expiresAt: "2027-01-01T25:61:00Z"}) { secret } }');
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.extensions['field']).toBe('input.expiresAt');
  });
});

describe('strings at the gateway', () => {
  it('should refuse a NUL byte in a searched string, naming the field', async () => {
    const error = await firstError('query($s: String) { users(filter: {search: $s}) { totalCount } }', { s: 'a\u0000b' });
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', extensions: { field: 's' } });
    expect(error.message).toContain('NUL');
  });

  it('should refuse a NUL byte in a mutation input literal', async () => {
    const error = await firstError('mutation { createTeam(input: {name: "a\\u0000b"}) { id } }');
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', extensions: { field: 'input.name' } });
  });

  it.each([['\ud800'], ['a\udc00b'], ['\udbff\udbff']])('should refuse the lone surrogate in %j', async (name) => {
    const error = await firstError('mutation($i: CreateTeamInput!) { createTeam(input: $i) { id } }', { i: { name } });
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', extensions: { field: 'i.name' } });
    expect(error.message).toContain('surrogate');
  });

  it('should accept a paired surrogate (an emoji)', async () => {
    const res = await graph.gql(org.admin.key, 'mutation($i: CreateTeamInput!) { createTeam(input: $i) { name } }', { i: { name: 'Team 🚀' } });
    expect(res.body.errors).toBeUndefined();
  });

  it('should bound a search filter to 200 characters, counted as code points', async () => {
    const emoji = '😀'.repeat(200); // 400 UTF-16 units, 200 characters
    const ok = await graph.gql(org.admin.key, 'query($s: String) { users(filter: {search: $s}) { totalCount } }', { s: emoji });
    expect(ok.body.errors).toBeUndefined();
    const error = await firstError('query($s: String) { users(filter: {search: $s}) { totalCount } }', { s: 'a'.repeat(201) });
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', extensions: { field: 's' } });
  });

  it('should refuse a 990,000-character search quickly', async () => {
    const started = Date.now();
    const error = await firstError('query($s: String) { users(filter: {search: $s}) { totalCount } }', { s: 'x'.repeat(990_000) });
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('should give every string a default maximum length', async () => {
    const error = await firstError('mutation($i: CreateTeamInput!) { createTeam(input: $i) { id } }', { i: { name: 'n', description: 'd'.repeat(10_001) } });
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', extensions: { field: 'i.description' } });
  });

  it('should bound the items of a list input', async () => {
    const ids = Array.from({ length: 1_001 }, () => '00000000-0000-4000-8000-000000000000');
    const error = await firstError('mutation($i: CreateTeamInput!) { createTeam(input: $i) { id } }', { i: { name: 'n', memberIds: ids } });
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', extensions: { field: 'i.memberIds' } });
  });
});

describe('deep values', () => {
  it('should refuse a variable nested 2,200 levels with MAX_VALUE_DEPTH_LIMIT', async () => {
    let deep: unknown = '00000000-0000-4000-8000-000000000000';
    for (let i = 0; i < 2_200; i += 1) deep = [deep];
    const error = await firstError('mutation($i: CreateTeamInput!) { createTeam(input: $i) { id } }', { i: { name: 'n', memberIds: deep } });
    expect(error.status).toBe(400);
    expect(error).toMatchObject({ code: 'MAX_VALUE_DEPTH_LIMIT', extensions: { variable: 'i' } });
  });

  it('should refuse a literal nested 2,000 levels in the query text with MAX_VALUE_DEPTH_LIMIT', async () => {
    const error = await firstError(`{ users(filter: {roles: ${'['.repeat(2_000)}ADMIN${']'.repeat(2_000)}}) { totalCount } }`);
    expect(error.status).toBe(400);
    expect(error.code).toBe('MAX_VALUE_DEPTH_LIMIT');
  });

  it('should not count brackets inside strings and comments', async () => {
    const res = await graph.gql(org.admin.key, `# ${'['.repeat(500)}\n{ users(filter: {search: "${'['.repeat(150)}"}) { totalCount } }`);
    expect(res.body.errors).toBeUndefined();
  });
});

describe('numbers and domain dates in the leave subgraph', () => {
  async function leaveType(defaultEntitlement: number | null = 25): Promise<string> {
    const res = await graph.gql<{ createLeaveType: { id: string } }>(
      org.admin.key,
      'mutation($i: CreateLeaveTypeInput!) { createLeaveType(input: $i) { id } }',
      { i: { name: `Type ${Math.random()}`, code: `T${Math.floor(Math.random() * 1e6)}`, defaultEntitlement } },
    );
    expect(res.body.errors).toBeUndefined();
    return res.body.data?.createLeaveType.id ?? '';
  }

  it.each([[1e-9], [0.001], [1e-300], [0.30000000000000004]])('should refuse an allowance adjustment of %s, which would be stored as something else', async (amount) => {
    const typeId = await leaveType();
    const error = await firstError('mutation($i: AdjustAllowanceInput!) { adjustAllowance(input: $i) { id } }', {
      i: { userId: org.admin.id, leaveTypeId: typeId, year: 2026, amount, reason: 'fuzz' },
    });
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', extensions: { field: 'input.amount' } });
    const lines = await graph.leaveDb.selectFrom('allowance_ledger').select('amount').where('kind', '=', 'ADJUSTMENT').where('reason', '=', 'fuzz').execute();
    expect(lines).toEqual([]);
  });

  it('should accept an adjustment of 0.25 days and store it exactly', async () => {
    const typeId = await leaveType();
    const res = await graph.gql('' + org.admin.key, 'mutation($i: AdjustAllowanceInput!) { adjustAllowance(input: $i) { id } }', {
      i: { userId: org.admin.id, leaveTypeId: typeId, year: 2026, amount: 0.25, reason: 'quarter' },
    });
    expect(res.body.errors).toBeUndefined();
    const lines = await graph.leaveDb.selectFrom('allowance_ledger').select('amount').where('reason', '=', 'quarter').execute();
    expect(lines.map((l) => Number(l.amount))).toEqual([0.25]);
  });

  it('should refuse a default entitlement of 1e-300 instead of storing 0', async () => {
    const error = await firstError('mutation($i: CreateLeaveTypeInput!) { createLeaveType(input: $i) { id } }', { i: { name: 'Tiny', code: 'TINY', defaultEntitlement: 1e-300 } });
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', extensions: { field: 'input.defaultEntitlement' } });
  });

  it('should refuse a leave request at the end of year 9999 with the domain range, not an internal error', async () => {
    const typeId = await leaveType();
    const error = await firstError('mutation($i: CreateLeaveRequestInput!) { createLeaveRequest(input: $i) { id } }', {
      i: { leaveTypeId: typeId, startDate: '9999-12-30', endDate: '9999-12-31' },
    });
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', extensions: { field: 'input.startDate' } });
    expect(error.message).toContain('1900-01-01 to 2999-12-31');
  });

  it('should answer a query over years 0001-0099 with the domain range, not an internal error', async () => {
    const error = await firstError('{ whosOut(from: "0050-01-01", to: "0050-01-02") { totalCount } }');
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', extensions: { field: 'from' } });
  });
});

describe('emails after Unicode normalisation', () => {
  const CREATE = 'mutation($i: CreateUserInput!) { createUser(input: $i) { id email } }';

  it('should treat NFC and NFD forms of an email as the same person', async () => {
    const nfc = 'jos\u00e9@nfc.example.com';
    const created = await graph.gql<{ createUser: { id: string; email: string } }>(org.admin.key, CREATE, { i: { email: nfc, firstName: 'José', lastName: 'A' } });
    expect(created.body.errors).toBeUndefined();
    const error = await firstError(CREATE, { i: { email: 'jose\u0301@nfc.example.com', firstName: 'José', lastName: 'B' } });
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', extensions: { field: 'input.email' } });
    const found = await graph.gql<{ users: { nodes: { id: string }[] } }>(org.admin.key, 'query($e: String) { users(filter: {email: $e}) { nodes { id } } }', { e: 'JOSE\u0301@nfc.example.com' });
    expect(found.body.data?.users.nodes).toEqual([{ id: created.body.data?.createUser.id }]);
  });

  it('should normalise stored emails in a migration, leaving a colliding one alone', async () => {
    const { up } = await import('../../../subgraphs/people/db/migrations/20261201-0004-nfc-emails.ts');
    const other = await org.addUser();
    const third = await org.addUser();
    await graph.peopleDb.updateTable('users').set({ email: 'rene\u0301@mig.example.com' }).where('id', '=', other.id).execute();
    await graph.peopleDb.updateTable('users').set({ email: 'zoe\u0308@mig.example.com' }).where('id', '=', third.id).execute();
    await graph.peopleDb.transaction().execute(async (trx) => {
      await sql`select set_config('search_path', 'people', true)`.execute(trx);
      await up(trx as never);
    });
    const rows = await graph.peopleDb.selectFrom('users').select(['id', 'email']).where('id', 'in', [other.id, third.id]).execute();
    expect(new Set(rows.map((r) => r.email))).toEqual(new Set(['ren\u00e9@mig.example.com', 'zo\u00eb@mig.example.com']));
  });
});
