import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { composeServices } from '@apollo/composition';
import { extendSchema, parse, type GraphQLSchema } from 'graphql';

/**
 * A small two-subgraph graph for the cost tests, annotated like the real one: connections
 * with slicing arguments and sized fields, lists with slicing defaults and assumed sizes, a
 * list with neither, weighted fields, types, arguments and input fields, an interface and a
 * union, and mutations.
 */
export const CATALOG_SDL = `
extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@shareable", "@cost", "@listSize"])

scalar Date
enum Colour { RED GREEN }
type PageInfo @shareable { hasNextPage: Boolean! endCursor: String }

type Author @key(fields: "id") {
  id: ID!
  name: String!
  address: Address
  books(first: Int, after: String): BookConnection!
    @listSize(slicingArguments: ["first"], sizedFields: ["nodes", "edges"], assumedSize: 20, requireOneSlicingArgument: false)
}
type Address { city: String! geo: Geo }
type Geo { lat: Float! lng: Float! }
type Book @key(fields: "id") {
  id: ID!
  title: String!
  author: Author!
  reviews(limit: Int = 5): [Review!]! @listSize(slicingArguments: ["limit"], requireOneSlicingArgument: false)
  tags: [String!]!
  chapters: [Chapter!]! @listSize(assumedSize: 12)
  rating: Float @cost(weight: 3)
}
type Chapter { title: String! }
type Review { id: ID! stars: Int! }
type BookConnection { nodes: [Book!]! edges: [BookEdge!]! pageInfo: PageInfo! totalCount: Int! }
type BookEdge { cursor: String! node: Book! }
type Report @cost(weight: 50) { total: Int! }

interface Media { id: ID! title: String! }
type Film implements Media { id: ID! title: String! director: Author! cast: [Author!]! }
type Song implements Media { id: ID! title: String! singer: Author! }
union SearchResult = Book | Author | Film

input BookFilter { titleContains: String @cost(weight: 2) minRating: Float }

type Query {
  version: String!
  today: Date!
  colour: Colour
  book(id: ID!): Book
  books(first: Int, after: String, filter: BookFilter): BookConnection!
    @listSize(slicingArguments: ["first"], sizedFields: ["nodes", "edges"], assumedSize: 20, requireOneSlicingArgument: false)
  recentBooks(count: Int, max: Int): [Book!]! @listSize(slicingArguments: ["count", "max"], requireOneSlicingArgument: false)
  authors: [Author!]!
  featured: [Book!]! @listSize(assumedSize: 3)
  shelves: [[Book]]! @listSize(assumedSize: 2)
  report(year: Int!): Report!
  slowCount(exact: Boolean @cost(weight: 15)): Int! @cost(weight: 5)
  media: [Media!]! @listSize(assumedSize: 2)
  search(term: String!): [SearchResult!]! @listSize(assumedSize: 4)
}

type Mutation {
  addReview(bookId: ID!, stars: Int!): Review!
  rateBook(bookId: ID!, stars: Int!): Float!
  importBooks(urls: [String!]!): Int! @cost(weight: 100)
}
`;

export const INVENTORY_SDL = `
extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@cost", "@listSize"])

type Book @key(fields: "id") {
  id: ID!
  stock: Int!
  warehouses: [Warehouse!]! @listSize(assumedSize: 2)
}
type Warehouse { name: String! }
`;

/** The fixture composed: its supergraph SDL and the API schema the gateway would execute on. */
export function composeFixture(): { supergraphSdl: string; schema: GraphQLSchema } {
  return compose([
    { name: 'catalog', typeDefs: CATALOG_SDL },
    { name: 'inventory', typeDefs: INVENTORY_SDL },
  ]);
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * The real graph: the checked-in supergraph SDL and subscriptions SDL, and the API schema
 * (composed from the subgraphs' SDL, as `npm run compose` does, extended with subscriptions
 * as the gateway does).
 */
export function composeRealGraph(): { supergraphSdl: string; subscriptionsSdl: string; schema: GraphQLSchema } {
  const subgraphs = fs
    .readdirSync(path.join(root, 'subgraphs'))
    .filter((name) => fs.existsSync(path.join(root, 'subgraphs', name, 'schema.graphql')))
    .sort()
    .map((name) => ({ name, typeDefs: fs.readFileSync(path.join(root, 'subgraphs', name, 'schema.graphql'), 'utf8') }));
  const { schema } = compose(subgraphs);
  const subscriptionsSdl = fs.readFileSync(path.join(root, 'schema', 'subscriptions.graphql'), 'utf8');
  return {
    supergraphSdl: fs.readFileSync(path.join(root, 'schema', 'supergraph.graphql'), 'utf8'),
    subscriptionsSdl,
    // The gateway strips the security directives first; here they are only not validated.
    schema: extendSchema(schema, parse(subscriptionsSdl), { assumeValidSDL: true }),
  };
}

function compose(subgraphs: readonly { name: string; typeDefs: string }[]): { supergraphSdl: string; schema: GraphQLSchema } {
  const result = composeServices(subgraphs.map((s) => ({ name: s.name, url: `http://${s.name}.invalid/graphql`, typeDefs: parse(s.typeDefs) })));
  if (result.errors) throw new Error(`composition failed: ${result.errors.map((e) => e.message).join('; ')}`);
  return { supergraphSdl: result.supergraphSdl, schema: result.schema.toAPISchema().toGraphQLJSSchema() };
}
