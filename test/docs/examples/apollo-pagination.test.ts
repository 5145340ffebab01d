import { ApolloClient, HttpLink, InMemoryCache, gql, type TypedDocumentNode } from '@apollo/client';
import { relayStylePagination } from '@apollo/client/utilities';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodesPagination } from '../../../docs/examples/apollo-pagination.ts';
import { createTestOrg, startTestGraph, type TestGraph, type TestOrg } from '../../helpers/graph.ts';

// The shipped type policy with the real Apollo Client 4 against the graph: pages merge in
// the cache forward (`after`) and backward (`last`/`before`), in order, without duplicates;
// and Apollo's own relayStylePagination does the same for a query that selects `edges`.

let graph: TestGraph;
let org: TestOrg;
/** Every user of the organization in the connection's order, with their cursors. */
let all: { id: string; cursor: string }[];

interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}
interface Vars {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

const NODES: TypedDocumentNode<{ users: { totalCount: number; nodes: { id: string; name: string }[]; pageInfo: PageInfo } }, Vars> = gql`
  query Users($first: Int, $after: String, $last: Int, $before: String) {
    users(first: $first, after: $after, last: $last, before: $before) {
      totalCount
      nodes { id name }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
`;

const EDGES: TypedDocumentNode<{ users: { edges: { cursor: string; node: { id: string; name: string } }[]; pageInfo: PageInfo } }, Vars> = gql`
  query UserEdges($first: Int, $after: String, $last: Int, $before: String) {
    users(first: $first, after: $after, last: $last, before: $before) {
      edges { cursor node { id name } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
`;

function client(users: ReturnType<typeof nodesPagination> | ReturnType<typeof relayStylePagination>) {
  return new ApolloClient({
    link: new HttpLink({ uri: `${graph.gateway.url}/graphql`, headers: { 'x-api-key': org.admin.key } }),
    cache: new InMemoryCache({ typePolicies: { Query: { fields: { users } } } }),
  });
}

beforeAll(async () => {
  graph = await startTestGraph();
  org = await createTestOrg(graph.peopleDb, 'Apollo paging');
  for (const lastName of ['Baker', 'Cole', 'Diaz', 'Evans', 'Ford', 'Gray', 'Hill', 'Irwin']) await org.addUser({ lastName });
  const res = await graph.gql<{ users: { edges: { cursor: string; node: { id: string } }[] } }>(org.admin.key, '{ users(first: 100) { edges { cursor node { id } } } }');
  all = res.body.data!.users.edges.map((e) => ({ id: e.node.id, cursor: e.cursor }));
  expect(all).toHaveLength(9);
}, 120_000);

afterAll(async () => {
  await graph?.stop();
});

describe('nodesPagination() with Apollo Client', () => {
  it('should merge two forward pages and two backward pages into the whole list, in order, once each', async () => {
    const apollo = client(nodesPagination());
    // Start in the middle: the two users after the fourth.
    const initial = { first: 2, after: all[3]!.cursor };
    const watched = apollo.watchQuery({ query: NODES, variables: initial });
    const subscription = watched.subscribe(() => {});
    try {
      await watched.refetch();
      const cached = () => apollo.readQuery({ query: NODES, variables: initial })!.users;
      expect(cached().nodes.map((n) => n.id)).toEqual(all.slice(4, 6).map((u) => u.id));

      await watched.fetchMore({ variables: { after: cached().pageInfo.endCursor } });
      await watched.fetchMore({ variables: { after: cached().pageInfo.endCursor } });
      expect(cached().nodes.map((n) => n.id)).toEqual(all.slice(4).map((u) => u.id));
      expect(cached().pageInfo.hasNextPage).toBe(false);

      await watched.fetchMore({ variables: { first: null, after: null, last: 2, before: cached().pageInfo.startCursor } });
      expect(cached().nodes.map((n) => n.id)).toEqual(all.slice(2).map((u) => u.id));
      expect(cached().pageInfo.hasPreviousPage).toBe(true);
      await watched.fetchMore({ variables: { first: null, after: null, last: 2, before: cached().pageInfo.startCursor } });

      const users = cached();
      expect(users.nodes.map((n) => n.id)).toEqual(all.map((u) => u.id));
      expect(new Set(users.nodes.map((n) => n.id)).size).toBe(users.nodes.length);
      expect(users.pageInfo).toEqual({ __typename: 'PageInfo', hasNextPage: false, hasPreviousPage: false, startCursor: all[0]!.cursor, endCursor: all[8]!.cursor });
      expect(users.totalCount).toBe(9);
      // A page that overlaps what the cache holds adds nothing twice.
      await watched.fetchMore({ variables: { first: 3, after: all[4]!.cursor, last: null, before: null } });
      expect(cached().nodes.map((n) => n.id)).toEqual(all.map((u) => u.id));
    } finally {
      subscription.unsubscribe();
      apollo.stop();
    }
  });

  it('should start again from a page without a cursor', async () => {
    const apollo = client(nodesPagination());
    try {
      // network-only: with keyArgs false every page shares one cache entry, which a cache-first query would answer.
      await apollo.query({ query: NODES, variables: { first: 3 }, fetchPolicy: 'network-only' });
      await apollo.query({ query: NODES, variables: { first: 3, after: all[2]!.cursor }, fetchPolicy: 'network-only' });
      expect(apollo.readQuery({ query: NODES, variables: {} })!.users.nodes).toHaveLength(6);
      // `last` alone is the end of the list: a fresh list, not a continuation.
      await apollo.query({ query: NODES, variables: { last: 2 }, fetchPolicy: 'network-only' });
      expect(apollo.readQuery({ query: NODES, variables: {} })!.users.nodes.map((n) => n.id)).toEqual(all.slice(7).map((u) => u.id));
    } finally {
      apollo.stop();
    }
  });
});

describe("Apollo Client's relayStylePagination() with edges", () => {
  it('should merge forward and backward pages by edges, in order, once each', async () => {
    const apollo = client(relayStylePagination());
    const initial = { first: 2, after: all[3]!.cursor };
    const watched = apollo.watchQuery({ query: EDGES, variables: initial });
    const subscription = watched.subscribe(() => {});
    try {
      await watched.refetch();
      const cached = () => apollo.readQuery({ query: EDGES, variables: initial })!.users;
      await watched.fetchMore({ variables: { after: cached().pageInfo.endCursor } });
      await watched.fetchMore({ variables: { after: cached().pageInfo.endCursor } });
      await watched.fetchMore({ variables: { first: null, after: null, last: 2, before: cached().pageInfo.startCursor } });
      await watched.fetchMore({ variables: { first: null, after: null, last: 2, before: cached().pageInfo.startCursor } });
      const users = cached();
      expect(users.edges.map((e) => e.node.id)).toEqual(all.map((u) => u.id));
      expect(users.edges.map((e) => e.cursor)).toEqual(all.map((u) => u.cursor));
      expect(users.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false, startCursor: all[0]!.cursor, endCursor: all[8]!.cursor });
    } finally {
      subscription.unsubscribe();
      apollo.stop();
    }
  });
});
