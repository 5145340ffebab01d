import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestOrg, startTestGraph, type TestGraph, type TestOrg } from '../helpers/graph.ts';

let graph: TestGraph;
let org: TestOrg;
beforeAll(async () => {
  graph = await startTestGraph();
  org = await createTestOrg(graph.peopleDb);
});
afterAll(() => graph.stop());

describe('smoke', () => {
  it('should answer me through the gateway', async () => {
    const res = await graph.gql(org.admin.key, '{ me { id name role } users(first: 5) { totalCount nodes { name } } }');
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data).toMatchObject({ me: { id: org.admin.id, name: 'Ada Admin', role: 'ADMIN' }, users: { totalCount: 1 } });
  });
});
