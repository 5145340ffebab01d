import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayServer, type RunningGateway } from '../../gateway/server.ts';
import { SUPERGRAPH_PATH } from '../../schema/compose.ts';
import { IDENTITY_HEADER } from '../../subgraphs/shared/identity.ts';
import { createKey, createTestOrg, startTestGraph, TEST_RATE_LIMITS, type GraphQLBody, type TestGraph, type TestOrg, type TestUser } from '../helpers/graph.ts';

// In-flight de-duplication of subgraph fetches, counted at the people subgraph: a proxy in
// front of it holds GraphQL requests until the test releases them, so that the callers
// under test are provably in flight at once (no timing assumptions).

interface HeldRequest {
  readonly identity: string;
  readonly body: string;
  release(): void;
  fail(): void;
}

/** A proxy to people that counts and holds its /graphql requests (the gateway's internal routes pass straight through). */
async function startHoldingProxy(target: string) {
  const held: HeldRequest[] = [];
  let holding = false;
  let seen = 0;
  const waiters: (() => void)[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const forward = async () => {
        const headers = Object.fromEntries(Object.entries(req.headers).filter(([name, value]) => typeof value === 'string' && !['host', 'content-length', 'connection'].includes(name))) as Record<string, string>;
        const answer = await fetch(new URL(req.url ?? '/', target), { method: req.method, headers, body: req.method === 'GET' ? undefined : body });
        res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
        res.end(Buffer.from(await answer.arrayBuffer()));
      };
      if (req.url !== '/graphql') return void forward();
      seen += 1;
      if (!holding) return void forward();
      held.push({
        identity: String(req.headers[IDENTITY_HEADER]),
        body: body.toString('utf8'),
        release: () => void forward(),
        fail: () => {
          res.writeHead(502, { 'content-type': 'text/plain' });
          res.end('bad gateway');
        },
      });
      for (const wake of waiters.splice(0)) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** Starts counting and holding /graphql requests. */
    hold() {
      holding = true;
      seen = 0;
      held.length = 0;
    },
    /** Resolves once `n` requests are held since `hold()`; rejects (fewer arrived: some were shared) after `boundMs`. */
    async waitFor(n: number, boundMs = 4_000) {
      const bound = setTimeout(() => {
        for (const wake of waiters.splice(0)) wake();
      }, boundMs);
      const deadline = Date.now() + boundMs;
      while (seen < n) {
        if (Date.now() >= deadline) throw new Error(`expected ${n} requests at people, ${seen} arrived`);
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
      clearTimeout(bound);
    },
    /** /graphql requests since `hold()`. */
    seen: () => seen,
    /** Stops holding (the count goes on, so that a late request is still counted); answers (or fails) every held request. */
    releaseAll(outcome: 'forward' | 'fail' = 'forward') {
      holding = false;
      for (const request of held.splice(0)) (outcome === 'forward' ? request.release : request.fail)();
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

let graph: TestGraph;
let proxy: Awaited<ReturnType<typeof startHoldingProxy>>;
let shared: RunningGateway;
let unshared: RunningGateway;
let org: TestOrg;
let other: TestOrg;
let employee: TestUser;
let colleague: TestUser;

async function gql(gateway: RunningGateway, key: string, query: string, variables?: Record<string, unknown>) {
  const response = await fetch(`${gateway.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': key }, body: JSON.stringify({ query, variables }) });
  return { status: response.status, body: (await response.json()) as GraphQLBody<Record<string, unknown>> };
}

/** Waits until the gateway has handed `n` fetches to its client since `from`, then lets them reach the shared-fetch table. */
async function untilFetched(gateway: RunningGateway, from: number, n: number) {
  while (gateway.subgraphRequests() < from + n) await new Promise((resolve) => setTimeout(resolve, 5));
  await new Promise((resolve) => setTimeout(resolve, 20));
}

beforeAll(async () => {
  graph = await startTestGraph();
  proxy = await startHoldingProxy(graph.people.url);
  const options = {
    supergraphSdl: fs.readFileSync(SUPERGRAPH_PATH, 'utf8'),
    subgraphUrls: { ...graph.subgraphUrls(), people: `${proxy.url}/graphql` },
    identitySecret: graph.identitySecret,
    rateLimits: TEST_RATE_LIMITS,
  };
  shared = await startGatewayServer(options);
  unshared = await startGatewayServer({ ...options, subgraphDedup: false });
  org = await createTestOrg(graph.peopleDb);
  other = await createTestOrg(graph.peopleDb);
  employee = await org.addUser({ firstName: 'Erin', lastName: 'Employee' });
  colleague = await org.addUser({ firstName: 'Cole', lastName: 'Colleague' });
  // Every key verified once through both gateways (cached verdicts), so that only the operations' fetches are held.
  for (const gateway of [shared, unshared]) {
    for (const key of [org.admin.key, other.admin.key, employee.key, colleague.key]) expect((await gql(gateway, key, '{ me { id } }')).body.errors).toBeUndefined();
  }
});
afterAll(async () => {
  proxy.releaseAll();
  await shared.stop();
  await unshared.stop();
  await proxy.close();
  await graph.stop();
});

const ME = '{ me { id email role } }';

describe('in-flight de-duplication of subgraph fetches', () => {
  it('should send one people request for two concurrent identical queries of one identity, and answer both', async () => {
    proxy.hold();
    const from = shared.subgraphRequests();
    const first = gql(shared, employee.key, ME);
    await proxy.waitFor(1);
    const second = gql(shared, employee.key, ME);
    await untilFetched(shared, from, 2);
    proxy.releaseAll();
    const [a, b] = await Promise.all([first, second]);
    // Both answered: every fetch either made is counted.
    expect(proxy.seen()).toBe(1);
    expect(a.body).toEqual({ data: { me: { id: employee.id, email: employee.email, role: 'EMPLOYEE' } }, extensions: expect.anything() });
    expect(b.body.data).toEqual(a.body.data);
    // Nothing is kept once the fetch settled: the next identical query is fetched again.
    proxy.hold();
    const third = gql(shared, employee.key, ME);
    await proxy.waitFor(1);
    proxy.releaseAll();
    expect((await third).body.data).toEqual(a.body.data);
  });

  it.each([
    ['two people of one organization', () => employee.key, () => colleague.key],
    ['two roles (an admin and an employee)', () => org.admin.key, () => employee.key],
    ['two organizations', () => org.admin.key, () => other.admin.key],
  ])('should never share a fetch between %s: each gets its own visible data', async (_, firstKey, secondKey) => {
    proxy.hold();
    const query = '{ me { id email role } users(first: 50) { totalCount nodes { id email } } }';
    const first = gql(shared, firstKey(), query);
    const second = gql(shared, secondKey(), query);
    await proxy.waitFor(2);
    proxy.releaseAll();
    const [a, b] = await Promise.all([first, second]);
    expect(proxy.seen()).toBe(2);
    expect(a.body.errors).toBeUndefined();
    expect(b.body.errors).toBeUndefined();
    expect(a.body.data).not.toEqual(b.body.data);
    const me = (body: typeof a.body) => (body.data?.['me'] as { id: string }).id;
    const keys = [firstKey(), secondKey()];
    const people = [org.admin, other.admin, employee, colleague];
    expect([me(a.body), me(b.body)]).toEqual(keys.map((key) => people.find((p) => p.key === key)!.id));
  });

  it('should never share a fetch between two keys of one person with different scopes', async () => {
    const narrow = await createKey(graph.peopleDb, org.id, employee.id, ['read:people']);
    expect((await gql(shared, narrow.secret, ME)).body.errors).toBeUndefined();
    proxy.hold();
    const first = gql(shared, employee.key, ME);
    const second = gql(shared, narrow.secret, ME);
    await proxy.waitFor(2);
    proxy.releaseAll();
    const [a, b] = await Promise.all([first, second]);
    expect(proxy.seen()).toBe(2);
    expect(a.body.data).toEqual(b.body.data);
    expect(a.body.errors).toBeUndefined();
  });

  it('should never share mutations: two identical concurrent mutations each reach people', async () => {
    proxy.hold();
    const mutation = 'mutation($id: ID!) { updateUser(id: $id, input: { firstName: "Eryn" }) { id firstName } }';
    const first = gql(shared, org.admin.key, mutation, { id: employee.id });
    const second = gql(shared, org.admin.key, mutation, { id: employee.id });
    await proxy.waitFor(2);
    proxy.releaseAll();
    const [a, b] = await Promise.all([first, second]);
    expect(proxy.seen()).toBe(2);
    expect(a.body.data).toEqual({ updateUser: { id: employee.id, firstName: 'Eryn' } });
    expect(b.body.data).toEqual(a.body.data);
  });

  it('should give every caller of a failed shared fetch the failure, naming people', async () => {
    proxy.hold();
    const from = shared.subgraphRequests();
    const first = gql(shared, employee.key, ME);
    await proxy.waitFor(1);
    const second = gql(shared, employee.key, ME);
    await untilFetched(shared, from, 2);
    proxy.releaseAll('fail');
    const answers = await Promise.all([first, second]);
    expect(proxy.seen()).toBe(1);
    for (const answer of answers) {
      expect(answer.status).toBe(502);
      expect(answer.body.data).toEqual({ me: null });
      expect(answer.body.errors).toEqual([expect.objectContaining({ path: ['me'], extensions: { code: 'SUBREQUEST_HTTP_ERROR', service: 'people', reason: 'people answered HTTP 502' } })]);
    }
  });

  it('should send every query when SUBGRAPH_DEDUP is off', async () => {
    proxy.hold();
    const first = gql(unshared, employee.key, ME);
    const second = gql(unshared, employee.key, ME);
    await proxy.waitFor(2);
    proxy.releaseAll();
    const [a, b] = await Promise.all([first, second]);
    expect(proxy.seen()).toBe(2);
    expect(a.body.data).toEqual({ me: { id: employee.id, email: employee.email, role: 'EMPLOYEE' } });
    expect(b.body.data).toEqual(a.body.data);
  });
});
