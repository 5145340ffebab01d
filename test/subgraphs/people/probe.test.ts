import { afterAll, beforeAll, it } from 'vitest';
import { createTestOrg, startTestGraph, type TestGraph, type TestOrg } from '../../helpers/graph.ts';

let graph: TestGraph;
let org: TestOrg;
beforeAll(async () => {
  graph = await startTestGraph();
  org = await createTestOrg(graph.peopleDb);
});
afterAll(() => graph.stop());

it('should probe', async () => {
  const k = org.admin.key;
  const show = async (q: string, v?: Record<string, unknown>) => console.log(q.slice(0, 60), JSON.stringify(await graph.gql(k, q, v).then((r) => ({ s: r.status, b: r.body }))));
  await show('mutation { createUser(input: {email: "bad", firstName: "a", lastName: "b"}) { id } }');
  await show('mutation($i: UpdateUserInput!) { updateUser(id: "' + org.admin.id + '", input: $i) { id } }', { i: { email: null } });
  await show('{ user(id: "00000000-0000-4000-8000-000000000000") { id } }');
  await show('{ user(id: "garbage") { id } }');
  await show('{ users(filter: { departmentId: "garbage" }) { totalCount } }');
  await show('{ users(filter: { teamId: "garbage" }) { totalCount } }');
  await show('{ users(first: 0) { totalCount } }');
  await show('{ users(after: "zzz") { totalCount } }');
  await show('{ users(after: "WzEsMiwzXQ") { totalCount } }');
  await show('{ users(after: "WyJhIiwiYiIsImMiXQ") { totalCount } }');
  await show('mutation { createTag(input: {name: "x", colour: "#12345G"}) { id } }');
  await show('{ departments(after: "WyJhIiwiYiJd") { totalCount } }');
});
