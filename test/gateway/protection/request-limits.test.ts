import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey, createTestOrg, startTestGraph, type TestGraph, type TestOrg } from '../../helpers/graph.ts';

// Organizations get ORG_LIMIT requests an hour; the operator raised one of them to RAISED.
const ORG_LIMIT = 5;
const RAISED = 8;
const clock = Date.parse('2026-03-02T09:30:00Z');
const overrides = new Map<string, number>();

let graph: TestGraph;

beforeAll(async () => {
  graph = await startTestGraph({
    peopleKnowsRequestLimits: true,
    protection: { now: () => clock, rateLimits: { requestsPerHour: ORG_LIMIT }, requestsPerHourByOrganization: overrides },
  });
});
afterAll(() => graph.stop());

/** Sends `{ __typename }` queries with `key` until one is refused; the statuses of all of them. */
async function statusesOf(key: string, count: number): Promise<{ statuses: number[]; limit: string | null }> {
  const statuses: number[] = [];
  let limit: string | null = null;
  for (let i = 0; i < count; i += 1) {
    const res = await graph.gql(key, '{ organization { id } }');
    statuses.push(res.status);
    limit = res.headers.get('x-ratelimit-limit');
  }
  return { statuses, limit };
}

const CREATE = 'mutation($n: Int) { createApiKey(input: { name: "limited", scopes: ["read:people"], requestsPerHour: $n }) { apiKey { id requestsPerHour } } }';
const UPDATE = 'mutation($id: ID!, $n: Int) { updateApiKey(id: $id, input: { requestsPerHour: $n }) { id requestsPerHour } }';

describe("a key's own hourly limit may only lower its organization's", () => {
  it("should still cut a key whose own limit is higher at the organization's limit", async () => {
    const org = await createTestOrg(graph.peopleDb);
    // Written directly, as a key created before the rule would be.
    const key = await createKey(graph.peopleDb, org.id, org.admin.id, ['read:people'], { requestsPerHour: 1_000_000 });
    const { statuses, limit } = await statusesOf(key.secret, ORG_LIMIT + 1);
    expect(statuses).toEqual([...Array<number>(ORG_LIMIT).fill(200), 429]);
    expect(limit).toBe(String(ORG_LIMIT));
  });

  it('should honour a lower own limit', async () => {
    const org = await createTestOrg(graph.peopleDb);
    const key = await createKey(graph.peopleDb, org.id, org.admin.id, ['read:people'], { requestsPerHour: 2 });
    const { statuses, limit } = await statusesOf(key.secret, 3);
    expect(statuses).toEqual([200, 200, 429]);
    expect(limit).toBe('2');
  });

  it("should apply the operator's per-organization override, to the organization and to its keys", async () => {
    const org = await createTestOrg(graph.peopleDb);
    overrides.set(org.id, RAISED);
    const key = await createKey(graph.peopleDb, org.id, org.admin.id, ['read:people'], { requestsPerHour: 1_000_000 });
    const { statuses } = await statusesOf(key.secret, RAISED + 1);
    expect(statuses).toEqual([...Array<number>(RAISED).fill(200), 429]);
    const admin = await statusesOf(org.admin.key, RAISED + 1);
    expect(admin.statuses).toEqual([...Array<number>(RAISED).fill(200), 429]);
  });
});

describe('createApiKey and updateApiKey', () => {
  let org: TestOrg;
  let adminKey: string;
  beforeAll(async () => {
    org = await createTestOrg(graph.peopleDb);
    // The admin's key gets a raised organization so that these calls are not rate limited themselves.
    overrides.set(org.id, 100);
    adminKey = org.admin.key;
  });

  it("should refuse requestsPerHour above the organization's limit with BAD_USER_INPUT naming the field", async () => {
    const res = await graph.gql(adminKey, CREATE, { n: 1_000_000 });
    expect(res.body.data).toBeNull();
    expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.requestsPerHour' });
    expect(res.body.errors?.[0]?.message).toContain("at most the organization's limit of 100 requests an hour");
  });

  it("should accept a limit up to the organization's, and refuse raising it above on update", async () => {
    const created = await graph.gql<{ createApiKey: { apiKey: { id: string; requestsPerHour: number } } }>(adminKey, CREATE, { n: 100 });
    expect(created.body.errors).toBeUndefined();
    const id = created.body.data!.createApiKey.apiKey.id;
    expect(created.body.data!.createApiKey.apiKey.requestsPerHour).toBe(100);
    const raised = await graph.gql(adminKey, UPDATE, { id, n: 101 });
    expect(raised.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.requestsPerHour' });
    const lowered = await graph.gql<{ updateApiKey: { requestsPerHour: number } }>(adminKey, UPDATE, { id, n: 10 });
    expect(lowered.body.data?.updateApiKey.requestsPerHour).toBe(10);
    // null: back to the organization's limit.
    const reset = await graph.gql<{ updateApiKey: { requestsPerHour: number | null } }>(adminKey, UPDATE, { id, n: null });
    expect(reset.body.data?.updateApiKey.requestsPerHour).toBeNull();
  });
});
