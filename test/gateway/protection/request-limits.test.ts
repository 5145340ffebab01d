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
    // The admin's 3 requests and the key's share the organization's raised window of RAISED.
    const admin = await statusesOf(org.admin.key, 3);
    expect(admin.statuses).toEqual([200, 200, 200]);
    const { statuses, limit } = await statusesOf(key.secret, RAISED - 3 + 1);
    expect(statuses).toEqual([...Array<number>(RAISED - 3).fill(200), 429]);
    expect(limit).toBe(String(RAISED));
  });
});

describe("every request counts in its organization's window, a key's with its own limit also in the key's", () => {
  /** One `{ organization { id } }` query: its status, X-RateLimit-* and Retry-After headers and the error's extensions. */
  async function ask(key: string) {
    const res = await graph.gql(key, '{ organization { id } }');
    const header = (name: string) => res.headers.get(name);
    return {
      status: res.status,
      limit: header('x-ratelimit-limit'),
      remaining: header('x-ratelimit-remaining'),
      retryAfter: header('retry-after'),
      extensions: res.body.errors?.[0]?.extensions,
      message: res.body.errors?.[0]?.message,
    };
  }

  it("should cut two keys with their own limit of 3 together at the organization's 5, naming the organization", async () => {
    const org = await createTestOrg(graph.peopleDb);
    const a = await createKey(graph.peopleDb, org.id, org.admin.id, ['read:people'], { requestsPerHour: 3 });
    const b = await createKey(graph.peopleDb, org.id, org.admin.id, ['read:people'], { requestsPerHour: 3 });
    // Key A's own window is the tighter one: 3, then 2, 1, 0 remain in it.
    const first = [await ask(a.secret), await ask(a.secret), await ask(a.secret)];
    expect(first.map((r) => [r.status, r.limit, r.remaining])).toEqual([
      [200, '3', '2'],
      [200, '3', '1'],
      [200, '3', '0'],
    ]);
    // Key B has 3 in its own window but the organization only 2 left: the organization's is reported.
    const second = [await ask(b.secret), await ask(b.secret), await ask(b.secret)];
    expect(second.map((r) => [r.status, r.limit, r.remaining])).toEqual([
      [200, '5', '1'],
      [200, '5', '0'],
      [429, '5', '0'],
    ]);
    expect(second[2]?.extensions).toMatchObject({ code: 'RATE_LIMITED', limit: 'requests', window: 'organization', retryAfter: 1800 });
    expect(second[2]?.retryAfter).toBe('1800');
    expect(second[2]?.message).toContain("the organization's limit of 5 requests per hour");
    // The organization's other callers are cut too: its window is full.
    expect((await ask(org.admin.key)).status).toBe(429);
  });

  it("should refuse a key at its own limit naming the key, without counting the refusals in the organization's window", async () => {
    const org = await createTestOrg(graph.peopleDb);
    const key = await createKey(graph.peopleDb, org.id, org.admin.id, ['read:people'], { requestsPerHour: 2 });
    expect((await ask(key.secret)).status).toBe(200);
    expect((await ask(key.secret)).status).toBe(200);
    for (let i = 0; i < 3; i += 1) {
      const refused = await ask(key.secret);
      expect(refused).toMatchObject({ status: 429, limit: '2', remaining: '0', retryAfter: '1800' });
      expect(refused.extensions).toMatchObject({ code: 'RATE_LIMITED', limit: 'requests', window: 'key' });
      expect(refused.message).toContain("this API key's own limit of 2 requests per hour");
    }
    // The organization's window holds the key's 2 admitted requests, not its 3 refused ones: 3 remain.
    const admin = await statusesOf(org.admin.key, ORG_LIMIT - 1);
    expect(admin.statuses).toEqual([200, 200, 200, 429]);
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
