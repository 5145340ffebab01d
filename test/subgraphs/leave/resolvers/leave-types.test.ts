import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LeaveRequestStatus } from '../../../../subgraphs/leave/db/tables/leave-requests.ts';
import { createTestOrg, startTestGraph, type TestGraph, type TestOrg, type TestUser } from '../../../helpers/graph.ts';
import { dataOf, expectError } from '../../../helpers/assertions.ts';

const NOW = new Date('2026-03-15T12:00:00Z');

let graph: TestGraph;
let org: TestOrg;
let other: TestOrg;
let admin: string;
let manager: TestUser;
let employee: TestUser;

const FIELDS = `id name code colour unit category reasons commentRequiredReasons paid requiresApproval requiresDocument
  requiresComment halfDaysAllowed deductsFromAllowance allowNegativeBalance private defaultEntitlement active createdAt`;

interface LeaveTypeResult {
  id: string;
  name: string;
  code: string;
  colour: string | null;
  unit: string;
  category: string;
  reasons: string[];
  commentRequiredReasons: string[];
  defaultEntitlement: number | null;
  active: boolean;
  [key: string]: unknown;
}

let n = 0;
/** A unique name and code for a type of this suite. */
function fresh() {
  n++;
  return { name: `Type ${n}`, code: `T${n}` };
}

function create(key: string, input: Record<string, unknown>) {
  return graph.gql<{ createLeaveType: LeaveTypeResult }>(key, `mutation($input: CreateLeaveTypeInput!) { createLeaveType(input: $input) { ${FIELDS} } }`, {
    input: { ...fresh(), ...input },
  });
}

async function createType(input: Record<string, unknown> = {}, key = admin): Promise<LeaveTypeResult> {
  return dataOf(await create(key, input)).createLeaveType;
}

function update(key: string, id: string, input: Record<string, unknown>) {
  return graph.gql<{ updateLeaveType: LeaveTypeResult }>(
    key,
    `mutation($id: ID!, $input: UpdateLeaveTypeInput!) { updateLeaveType(id: $id, input: $input) { ${FIELDS} } }`,
    { id, input },
  );
}

function deactivate(key: string, id: string) {
  return graph.gql<{ deactivateLeaveType: LeaveTypeResult }>(key, `mutation($id: ID!) { deactivateLeaveType(id: $id) { ${FIELDS} } }`, { id });
}

function getType(key: string, id: string) {
  return graph.gql<{ leaveType: LeaveTypeResult }>(key, `query($id: ID!) { leaveType(id: $id) { ${FIELDS} } }`, { id });
}

async function insertRequest(orgId: string, userId: string, leaveTypeId: string, status: LeaveRequestStatus = 'APPROVED'): Promise<void> {
  await graph.leaveDb
    .insertInto('leave_requests')
    .values({
      org_id: orgId,
      user_id: userId,
      leave_type_id: leaveTypeId,
      department_id: null,
      allowance_id: null,
      status,
      start_date: '2026-04-01',
      end_date: '2026-04-01',
      first_day_portion: 'FULL_DAY',
      last_day_portion: 'FULL_DAY',
      first_day_hours: null,
      last_day_hours: null,
      unit: 'DAYS',
      amount: '1',
      hours: '8',
      reason: null,
      comment: null,
      decided_by: null,
      decided_at: null,
      decision_note: null,
      created_by: userId,
    })
    .execute();
}

beforeAll(async () => {
  graph = await startTestGraph({ now: () => NOW });
  org = await createTestOrg(graph.peopleDb);
  other = await createTestOrg(graph.peopleDb);
  admin = org.admin.key;
  manager = await org.addUser({ role: 'MANAGER' });
  employee = await org.addUser({ managerId: manager.id });
  await graph.leave.catchUpDirectory();
});
afterAll(() => graph.stop());

describe('createLeaveType', () => {
  it('should hold at most 500 types an organization (deactivated ones included), refusing more with CONFLICT TOO_MANY_LEAVE_TYPES even when two creates race for the last place', async () => {
    const full = await createTestOrg(graph.peopleDb);
    const filler = Array.from({ length: 499 }, (_, i) => ({
      org_id: full.id,
      name: `Filler ${i}`,
      code: `F${i}`,
      colour: null,
      unit: 'DAYS' as const,
      category: 'VACATION' as const,
      paid: true,
      requires_approval: true,
      requires_document: false,
      requires_comment: false,
      half_days_allowed: true,
      deducts_from_allowance: true,
      allow_negative_balance: false,
      private: false,
      default_entitlement: null,
      draws_on_toil: false,
      deactivated_at: i % 2 === 0 ? new Date() : null,
    }));
    await graph.leaveDb.insertInto('leave_types').values(filler).execute();
    const [a, b] = await Promise.all([create(full.admin.key, {}), create(full.admin.key, {})]);
    const outcomes = [a, b].map((r) => (r.body.errors ? 'refused' : 'created')).sort();
    expect(outcomes).toEqual(['created', 'refused']);
    const refused = expectError(a.body.errors ? a : b, 'CONFLICT', { rule: 'TOO_MANY_LEAVE_TYPES' });
    expect(refused.extensions?.['max']).toBe(500);
    const count = await graph.leaveDb.selectFrom('leave_types').select((eb) => eb.fn.countAll<string>().as('n')).where('org_id', '=', full.id).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(500);
    // Another organization is not affected.
    await createType();
  });

  it('should create a type with the documented defaults', async () => {
    const type = await createType({ name: '  Annual leave ', code: 'AL' });
    expect(type).toMatchObject({
      name: 'Annual leave',
      code: 'AL',
      colour: null,
      unit: 'DAYS',
      category: 'VACATION',
      reasons: ['PAID_TIME_OFF'],
      commentRequiredReasons: [],
      paid: true,
      requiresApproval: true,
      requiresDocument: false,
      requiresComment: false,
      halfDaysAllowed: true,
      deductsFromAllowance: true,
      allowNegativeBalance: false,
      private: false,
      defaultEntitlement: null,
      active: true,
    });
    expect(Date.parse(type.createdAt as string)).not.toBeNaN();
    expect(dataOf(await getType(employee.key, type.id)).leaveType).toEqual(type);
  });

  it('should store every given field', async () => {
    const type = await createType({
      colour: '#a1b2c3',
      unit: 'HOURS',
      category: 'SICK_LEAVE',
      paid: false,
      requiresApproval: false,
      requiresDocument: true,
      requiresComment: true,
      halfDaysAllowed: false,
      deductsFromAllowance: false,
      allowNegativeBalance: true,
      private: true,
      defaultEntitlement: 2999.75,
    });
    expect(type).toMatchObject({
      colour: '#A1B2C3',
      unit: 'HOURS',
      category: 'SICK_LEAVE',
      reasons: ['PAID_TIME_OFF', 'UNPAID_TIME_OFF'],
      // The type requires a comment: every reason does.
      commentRequiredReasons: ['PAID_TIME_OFF', 'UNPAID_TIME_OFF'],
      paid: false,
      requiresApproval: false,
      requiresDocument: true,
      requiresComment: true,
      halfDaysAllowed: false,
      deductsFromAllowance: false,
      allowNegativeBalance: true,
      private: true,
      defaultEntitlement: 2999.75,
    });
  });

  it('should derive reasons and comment-required reasons from the category', async () => {
    const unpaid = await createType({ category: 'UNPAID_LEAVE' });
    expect(unpaid.reasons).toHaveLength(12);
    expect(unpaid.reasons).toContain('RELIGIOUS_OBSERVANCE');
    expect(unpaid.commentRequiredReasons).toEqual(['OTHER_UNPAID_LEAVE']);
    const otherPaid = await createType({ category: 'OTHER' });
    expect(otherPaid.reasons).toHaveLength(13);
    expect(otherPaid.reasons).toContain('TIME_OFF_IN_LIEU');
    expect(otherPaid.commentRequiredReasons).toEqual(['OTHER_PAID_LEAVE']);
  });

  it('should accept the boundaries of every rule', async () => {
    await createType({ name: 'x'.repeat(100), code: 'ABCDE12345', defaultEntitlement: 366 });
    await createType({ unit: 'HOURS', defaultEntitlement: 3000 });
    await createType({ defaultEntitlement: 0 });
    await createType({ defaultEntitlement: 12.5 });
    // halfDaysAllowed is simply kept for HOURS types (it only matters for days).
    const hours = await createType({ unit: 'HOURS', halfDaysAllowed: true });
    expect(hours.halfDaysAllowed).toBe(true);
  });

  it.each([
    ['an empty name', { name: '   ' }, 'input.name', 'must not be empty'],
    ['a name over 100 characters', { name: 'x'.repeat(101) }, 'input.name', 'must have at most 100 characters'],
    ['an empty code', { code: '' }, 'input.code', 'must be 1 to 10 letters or digits'],
    ['a code over 10 characters', { code: 'ABCDEFGHIJK' }, 'input.code', 'must be 1 to 10 letters or digits'],
    ['a code with punctuation', { code: 'A-L' }, 'input.code', 'must be 1 to 10 letters or digits'],
    ['a colour that is no #RRGGBB', { colour: 'red' }, 'input.colour', 'must be a colour written #RRGGBB'],
    ['a short colour', { colour: '#12345' }, 'input.colour', 'must be a colour written #RRGGBB'],
    ['a negative entitlement', { defaultEntitlement: -1 }, 'input.defaultEntitlement', 'must be between 0 and 366 days'],
    ['over 366 days', { defaultEntitlement: 366.5 }, 'input.defaultEntitlement', 'must be between 0 and 366 days'],
    ['over 3000 hours', { unit: 'HOURS', defaultEntitlement: 3000.01 }, 'input.defaultEntitlement', 'must be between 0 and 3000 hours'],
    ['three decimals', { defaultEntitlement: 1.125 }, 'input.defaultEntitlement', 'must have at most 2 decimal places'],
    ['a null unit', { unit: null }, 'input.unit', 'must not be null'],
    ['a null category', { category: null }, 'input.category', 'must not be null'],
    ['a null paid', { paid: null }, 'input.paid', 'must not be null'],
    ['a null requiresApproval', { requiresApproval: null }, 'input.requiresApproval', 'must not be null'],
    ['a null requiresDocument', { requiresDocument: null }, 'input.requiresDocument', 'must not be null'],
    ['a null requiresComment', { requiresComment: null }, 'input.requiresComment', 'must not be null'],
    ['a null halfDaysAllowed', { halfDaysAllowed: null }, 'input.halfDaysAllowed', 'must not be null'],
    ['a null deductsFromAllowance', { deductsFromAllowance: null }, 'input.deductsFromAllowance', 'must not be null'],
    ['a null allowNegativeBalance', { allowNegativeBalance: null }, 'input.allowNegativeBalance', 'must not be null'],
    ['a null private', { private: null }, 'input.private', 'must not be null'],
  ])('should refuse %s', async (_, input, field, rule) => {
    const error = expectError(await create(admin, input), 'BAD_USER_INPUT', field);
    expect(error.message).toContain(rule);
  });

  it('should allow 400 as hours but not as days', async () => {
    await createType({ unit: 'HOURS', defaultEntitlement: 400 });
    expectError(await create(admin, { unit: 'DAYS', defaultEntitlement: 400 }), 'BAD_USER_INPUT', 'input.defaultEntitlement');
  });

  it('should refuse a name or code already used by an active type, whatever the case', async () => {
    const type = await createType({ name: 'Study leave', code: 'SL' });
    expectError(await create(admin, { name: 'STUDY LEAVE' }), 'BAD_USER_INPUT', 'input.name');
    expectError(await create(admin, { code: 'sl' }), 'BAD_USER_INPUT', 'input.code');
    // Once deactivated, both are free again.
    dataOf(await deactivate(admin, type.id));
    const again = await createType({ name: 'Study Leave', code: 'sl' });
    expect(again.id).not.toBe(type.id);
  });

  it('should give the same answer when two creates race for one name', async () => {
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => create(admin, { name: 'Racing leave', code: `RACE${i}` })),
    );
    const created = results.filter((r) => !r.body.errors);
    expect(created).toHaveLength(1);
    for (const res of results.filter((r) => r.body.errors)) {
      const error = expectError(res, 'BAD_USER_INPUT', 'input.name');
      expect(error.extensions?.['rule']).toBe('DUPLICATE');
    }
  });

  it('should give the same answer when two creates race for one code', async () => {
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => create(admin, { name: `Code race ${i}`, code: 'RACED' })));
    expect(results.filter((r) => !r.body.errors)).toHaveLength(1);
    for (const res of results.filter((r) => r.body.errors)) expectError(res, 'BAD_USER_INPUT', 'input.code');
  });

  it('should map a unique index firing after the checks passed to the same BAD_USER_INPUT', async () => {
    // A trigger plays the concurrent writer: it commits a clashing active type inside the
    // insert, after the resolver's checks found none, so only the unique index can object.
    await sql`
      create function leave.race_leave_type() returns trigger language plpgsql as $$
      begin
        if new.name = 'Trigger race' then
          insert into leave.leave_types (org_id, name, code, unit, category, paid, requires_approval, requires_document,
            requires_comment, half_days_allowed, deducts_from_allowance, allow_negative_balance, private)
          values (new.org_id, 'TRIGGER RACE', 'TRIGRACE', 'DAYS', 'VACATION', true, true, false, false, true, true, false, false);
        elsif new.code = 'TRIGCODE' then
          insert into leave.leave_types (org_id, name, code, unit, category, paid, requires_approval, requires_document,
            requires_comment, half_days_allowed, deducts_from_allowance, allow_negative_balance, private)
          values (new.org_id, 'Code clash ' || new.name, 'trigcode', 'DAYS', 'VACATION', true, true, false, false, true, true, false, false);
        end if;
        return new;
      end $$`.execute(graph.leaveDb);
    await sql`create trigger race_leave_type before insert on leave.leave_types for each row execute function leave.race_leave_type()`.execute(
      graph.leaveDb,
    );
    try {
      const name = expectError(await create(admin, { name: 'Trigger race' }), 'BAD_USER_INPUT', 'input.name');
      expect(name.extensions?.['rule']).toBe('DUPLICATE');
      const code = expectError(await create(admin, { code: 'TRIGCODE' }), 'BAD_USER_INPUT', 'input.code');
      expect(code.extensions?.['rule']).toBe('DUPLICATE');
    } finally {
      await sql`drop trigger race_leave_type on leave.leave_types`.execute(graph.leaveDb);
      await sql`drop function leave.race_leave_type()`.execute(graph.leaveDb);
    }
    // The failed inserts left nothing behind, the trigger's rows included.
    const left = await graph.leaveDb.selectFrom('leave_types').select('id').where('name', 'in', ['TRIGGER RACE', 'Trigger race']).execute();
    expect(left).toEqual([]);
  });

  it('should let admins only create types', async () => {
    expectError(await create(employee.key, {}), 'FORBIDDEN');
    expectError(await create(manager.key, {}), 'FORBIDDEN');
  });

  it('should keep organizations apart: the same name and code may exist in each', async () => {
    const mine = await createType({ name: 'Duvet day', code: 'DUVET' });
    const theirs = await createType({ name: 'Duvet day', code: 'DUVET' }, other.admin.key);
    expect(theirs.id).not.toBe(mine.id);
  });
});

describe('updateLeaveType', () => {
  it('should change only the given fields', async () => {
    const type = await createType({ colour: '#000000', defaultEntitlement: 20 });
    const updated = dataOf(await update(admin, type.id, { name: 'Renamed', paid: false, colour: null })).updateLeaveType;
    expect(updated).toMatchObject({ ...type, name: 'Renamed', paid: false, colour: null, defaultEntitlement: 20 });
    const cleared = dataOf(await update(admin, type.id, { defaultEntitlement: null })).updateLeaveType;
    expect(cleared.defaultEntitlement).toBeNull();
    expect(cleared.name).toBe('Renamed');
  });

  it('should let a type keep its own name and code in another case', async () => {
    const type = await createType({ name: 'Keep me', code: 'KEEP' });
    const updated = dataOf(await update(admin, type.id, { name: 'KEEP ME', code: 'keep' })).updateLeaveType;
    expect(updated).toMatchObject({ name: 'KEEP ME', code: 'keep' });
  });

  it.each([
    ['name', { name: null }, 'input.name', 'must not be null'],
    ['code', { code: null }, 'input.code', 'must not be null'],
    ['unit', { unit: null }, 'input.unit', 'must not be null'],
    ['category', { category: null }, 'input.category', 'must not be null'],
    ['paid', { paid: null }, 'input.paid', 'must not be null'],
    ['requiresApproval', { requiresApproval: null }, 'input.requiresApproval', 'must not be null'],
    ['requiresDocument', { requiresDocument: null }, 'input.requiresDocument', 'must not be null'],
    ['requiresComment', { requiresComment: null }, 'input.requiresComment', 'must not be null'],
    ['halfDaysAllowed', { halfDaysAllowed: null }, 'input.halfDaysAllowed', 'must not be null'],
    ['deductsFromAllowance', { deductsFromAllowance: null }, 'input.deductsFromAllowance', 'must not be null'],
    ['allowNegativeBalance', { allowNegativeBalance: null }, 'input.allowNegativeBalance', 'must not be null'],
    ['private', { private: null }, 'input.private', 'must not be null'],
    ['an empty name', { name: '' }, 'input.name', 'must not be empty'],
    ['a bad code', { code: 'no spaces' }, 'input.code', 'must be 1 to 10 letters or digits'],
    ['a bad colour', { colour: '#GGGGGG' }, 'input.colour', 'must be a colour written #RRGGBB'],
    ['a bad entitlement', { defaultEntitlement: 500 }, 'input.defaultEntitlement', 'must be between 0 and 366 days'],
  ])('should refuse a null or invalid %s', async (_, input, field, rule) => {
    const type = await createType();
    const error = expectError(await update(admin, type.id, input), 'BAD_USER_INPUT', field);
    expect(error.message).toContain(rule);
  });

  it('should refuse another active type’s name or code', async () => {
    const first = await createType({ name: 'Taken name', code: 'TAKEN' });
    const second = await createType();
    expectError(await update(admin, second.id, { name: 'taken NAME' }), 'BAD_USER_INPUT', 'input.name');
    expectError(await update(admin, second.id, { code: 'taken' }), 'BAD_USER_INPUT', 'input.code');
    dataOf(await deactivate(admin, first.id));
    expect(dataOf(await update(admin, second.id, { name: 'Taken name', code: 'TAKEN' })).updateLeaveType.name).toBe('Taken name');
  });

  it('should check the kept default against a new unit', async () => {
    const type = await createType({ unit: 'HOURS', defaultEntitlement: 1000 });
    expectError(await update(admin, type.id, { unit: 'DAYS' }), 'BAD_USER_INPUT', 'input.defaultEntitlement');
    const days = dataOf(await update(admin, type.id, { unit: 'DAYS', defaultEntitlement: 25 })).updateLeaveType;
    expect(days).toMatchObject({ unit: 'DAYS', defaultEntitlement: 25 });
  });

  it('should refuse to change unit or category once the type has requests, naming the field', async () => {
    const type = await createType({ category: 'SICK_LEAVE' });
    // Before any request both may change.
    dataOf(await update(admin, type.id, { unit: 'HOURS', category: 'OTHER' }));
    dataOf(await update(admin, type.id, { unit: 'DAYS', category: 'SICK_LEAVE' }));
    await insertRequest(org.id, employee.id, type.id, 'CANCELLED');
    const unit = expectError(await update(admin, type.id, { unit: 'HOURS' }), 'CONFLICT', 'input.unit');
    expect(unit.extensions?.['rule']).toBe('LEAVE_TYPE_HAS_REQUESTS');
    const category = expectError(await update(admin, type.id, { category: 'OTHER' }), 'CONFLICT', 'input.category');
    expect(category.extensions?.['rule']).toBe('LEAVE_TYPE_HAS_REQUESTS');
    // The same values, and every other field, still may be written.
    const same = dataOf(await update(admin, type.id, { unit: 'DAYS', category: 'SICK_LEAVE', name: 'Still editable' })).updateLeaveType;
    expect(same).toMatchObject({ unit: 'DAYS', category: 'SICK_LEAVE', name: 'Still editable' });
  });

  it('should answer NOT_FOUND for unknown ids, ids that are no uuids and other organizations’ types', async () => {
    const theirs = await createType({}, other.admin.key);
    for (const id of [randomUUID(), 'not-an-id', theirs.id]) {
      expectError(await update(admin, id, { name: 'Nope' }), 'NOT_FOUND');
      expectError(await deactivate(admin, id), 'NOT_FOUND');
      expectError(await getType(admin, id), 'NOT_FOUND');
    }
    expect(dataOf(await getType(other.admin.key, theirs.id)).leaveType.id).toBe(theirs.id);
  });

  it('should let admins only change types', async () => {
    const type = await createType();
    expectError(await update(employee.key, type.id, { name: 'Mine now' }), 'FORBIDDEN');
    expectError(await update(manager.key, type.id, { name: 'Mine now' }), 'FORBIDDEN');
    expect(dataOf(await getType(admin, type.id)).leaveType.name).toBe(type.name);
  });
});

describe('deactivateLeaveType', () => {
  it('should deactivate once and answer the same afterwards', async () => {
    const type = await createType();
    const first = dataOf(await deactivate(admin, type.id)).deactivateLeaveType;
    expect(first.active).toBe(false);
    const second = dataOf(await deactivate(admin, type.id)).deactivateLeaveType;
    expect(second).toEqual(first);
    expect(dataOf(await getType(employee.key, type.id)).leaveType.active).toBe(false);
  });

  it('should let admins only deactivate types', async () => {
    const type = await createType();
    expectError(await deactivate(employee.key, type.id), 'FORBIDDEN');
    expectError(await deactivate(manager.key, type.id), 'FORBIDDEN');
    expect(dataOf(await getType(admin, type.id)).leaveType.active).toBe(true);
  });
});

describe('leaveTypes', () => {
  const LIST = `query($first: Int, $after: String, $status: ActivityStatus) {
    leaveTypes(first: $first, after: $after, status: $status) {
      totalCount nodes { id name active } edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    } }`;
  interface ListResult {
    leaveTypes: {
      totalCount: number;
      nodes: { id: string; name: string; active: boolean }[];
      edges: { cursor: string; node: { id: string } }[];
      pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
    };
  }
  let listOrg: TestOrg;

  beforeAll(async () => {
    listOrg = await createTestOrg(graph.peopleDb);
    for (const name of ['Delta', 'alpha', 'Charlie', 'Bravo', 'Echo']) await createType({ name }, listOrg.admin.key);
    const retired = await createType({ name: 'Archived' }, listOrg.admin.key);
    dataOf(await deactivate(listOrg.admin.key, retired.id));
  });

  it('should list active types by name, page by page', async () => {
    const names: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const page: ListResult['leaveTypes'] = dataOf(await graph.gql<ListResult>(listOrg.admin.key, LIST, { first: 2, after })).leaveTypes;
      pages++;
      expect(page.totalCount).toBe(5);
      expect(page.pageInfo.hasPreviousPage).toBe(after !== null);
      expect(page.edges.map((e) => e.node.id)).toEqual(page.nodes.map((t) => t.id));
      names.push(...page.nodes.map((t) => t.name));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(pages).toBe(3);
    // By name, whatever the case.
    expect(names).toEqual(['alpha', 'Bravo', 'Charlie', 'Delta', 'Echo']);
  });

  it('should include deactivated types when asked', async () => {
    const all = dataOf(await graph.gql<ListResult>(listOrg.admin.key, LIST, { first: 100, status: "ALL" })).leaveTypes;
    expect(all.totalCount).toBe(6);
    expect(all.nodes.find((t) => t.name === 'Archived')?.active).toBe(false);
  });

  it('should show every member the organization’s types and no one else’s', async () => {
    const member = await listOrg.addUser();
    const list = dataOf(await graph.gql<ListResult>(member.key, LIST, {})).leaveTypes;
    expect(list.totalCount).toBe(5);
    const mine = dataOf(await graph.gql<ListResult>(admin, LIST, { first: 100, status: "ALL" })).leaveTypes;
    const theirIds = new Set(list.nodes.map((t) => t.id));
    expect(mine.nodes.some((t) => theirIds.has(t.id))).toBe(false);
  });

  it('should refuse a bad page size or cursor', async () => {
    expectError(await graph.gql(admin, LIST, { first: 0 }), 'BAD_USER_INPUT', 'first');
    expectError(await graph.gql(admin, LIST, { first: 101 }), 'BAD_USER_INPUT', 'first');
    expectError(await graph.gql(admin, LIST, { after: 'garbage' }), 'BAD_USER_INPUT', 'after');
    const wrongShape = Buffer.from(JSON.stringify(['x', 'X', 'not-a-uuid'])).toString('base64url');
    expectError(await graph.gql(admin, LIST, { after: wrongShape }), 'BAD_USER_INPUT', 'after');
  });
});
