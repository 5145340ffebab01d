import { parse, visit, type DocumentNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { actualCost } from '../../../gateway/cost/actual-cost.ts';
import { costModelFromSdl } from '../../../gateway/cost/cost-model.ts';
import { referenceActualCost } from './actual-cost-reference.ts';
import { composeFixture, composeRealGraph } from './cost-fixture.ts';

const fixture = composeFixture();
const model = costModelFromSdl([fixture.supergraphSdl]);

/** A small seeded PRNG (mulberry32): the same responses on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every response key a document can produce (aliases, else names), plus keys it never selects. */
function responseKeys(document: DocumentNode): string[] {
  const keys = new Set<string>(['extra', 'constructor', 'toString']);
  visit(document, { Field: (node) => void keys.add(node.alias?.value ?? node.name.value) });
  return [...keys];
}

const TYPENAMES = ['Book', 'Author', 'Film', 'Song', 'Query', 'Nope', 42];

/**
 * A random response shaped loosely like `keys`: objects with a random subset of them, lists
 * (of lists), nulls, scalars where objects are expected, and `__typename`s right, wrong or missing.
 */
function randomResponse(keys: readonly string[], random: () => number, depth = 0): unknown {
  const roll = random();
  if (depth > 0 && roll < 0.12) return null;
  if (depth > 0 && roll < 0.16) return ['a', 7, true][Math.floor(random() * 3)];
  if (depth > 0 && depth < 4 && roll < 0.36) {
    return Array.from({ length: Math.floor(random() * 4) }, () => (random() < 0.2 ? [randomResponse(keys, random, depth + 1)] : randomResponse(keys, random, depth + 1)));
  }
  if (depth >= 4) return 'leaf';
  const object: Record<string, unknown> = {};
  if (random() < 0.6) object['__typename'] = TYPENAMES[Math.floor(random() * TYPENAMES.length)];
  for (const key of keys) if (random() < 0.3) object[key] = randomResponse(keys, random, depth + 1);
  return object;
}

const QUERIES: { query: string; variables?: Record<string, unknown>; operationName?: string }[] = [
  { query: '{ books(first: 5) { totalCount nodes { title rating author { name address { city geo { lat } } } reviews(limit: 2) { stars } } } }' },
  { query: '{ a: book(id: "b1") { t: title a: author { n: name books(first: 2) { nodes { id } } } } b: book(id: "b2") { rating chapters { title } } }' },
  { query: '{ shelves { title rating author { name } } featured { tags warehouses { name } stock } }' },
  { query: '{ search(term: "x") { __typename ... on Book { reviews { stars } rating } ... on Author { address { city } } ...F } } fragment F on Film { cast { name } director { name } }' },
  { query: '{ media { __typename title ... on Film { cast { name } } ... on Song { singer { name } } } }' },
  { query: 'query Q($skip: Boolean!, $n: Int) { __typename book(id: "b1") { __typename author @skip(if: $skip) { name } reviews(limit: $n) { id } } }', variables: { skip: true, n: 3 } },
  { query: 'query Q($skip: Boolean!, $n: Int) { __typename book(id: "b1") { __typename author @skip(if: $skip) { name } reviews(limit: $n) { id } } }', variables: { skip: false } },
  { query: 'query Q($f: BookFilter) { books(first: 3, filter: $f) { nodes { id ...B } } } fragment B on Book { author { id } ... on Book { author { name } } }', variables: { f: { titleContains: 'war', minRating: 2 } } },
  { query: 'mutation { addReview(bookId: "b1", stars: 5) { id } rateBook(bookId: "b1", stars: 4) importBooks(urls: ["a", "b"]) }' },
  { query: 'query A { book(id: "b1") { id } } query B { featured { id author { name } } }' },
  { query: 'query A { book(id: "b1") { id } } query B { featured { id author { name } } }', operationName: 'B' },
  { query: '{ report(year: 2025) { total } slowCount(exact: true) version today colour }' },
];

describe('actualCost (planned) against the per-item walk it replaced', () => {
  it('should give identical costs on 6,000 random responses of 12 operations', () => {
    const random = prng(20261202);
    let compared = 0;
    let nonZero = 0;
    for (const { query, variables, operationName } of QUERIES) {
      const document = parse(query);
      const keys = responseKeys(document);
      const options = { variables: variables ?? null, operationName: operationName ?? null };
      for (let i = 0; i < 500; i++) {
        const data = randomResponse(keys, random);
        const expected = referenceActualCost(fixture.schema, document, model, data, options);
        const got = actualCost(fixture.schema, document, model, data, options);
        // The message is built only on a mismatch: stringifying 6,000 responses would dominate the test.
        if (got !== expected) expect(got, `${query} on ${JSON.stringify(data)}`).toBe(expected);
        compared++;
        if (expected > 0) nonZero++;
      }
    }
    expect(compared).toBe(6000);
    // The responses exercise the weights, not only empty objects.
    expect(nonZero).toBeGreaterThan(1500);
  });

  it('should reuse a plan for one document yet follow each request variables', () => {
    const document = parse('query Q($skip: Boolean!) { book(id: "b1") { author @skip(if: $skip) { name } rating } }');
    const data = { book: { author: { name: 'Austen' }, rating: 4 } };
    const cost = (skip: boolean) => actualCost(fixture.schema, document, model, data, { variables: { skip } });
    // book 1 + rating 3, author skipped
    expect(cost(true)).toBe(1 + 3);
    // book 1 + author 1 + rating 3
    expect(cost(false)).toBe(1 + 1 + 3);
    expect(cost(true)).toBe(1 + 3);
    expect(cost(false)).toBe(referenceActualCost(fixture.schema, document, model, data, { variables: { skip: false } }));
  });

  it('should count lists of lists item by item, and nulls inside them', () => {
    const book = { title: 'Emma', rating: null };
    // 3 books × (book 1 + rating @cost 3, null or not) + null items 0
    expect(actualCost(fixture.schema, parse('{ shelves { title rating } }'), model, { shelves: [[book, null], [book], [], null, [book]] })).toBe(3 * (1 + 3));
  });

  it('should agree with the per-item walk on the real graph, for a nested people and leave query', () => {
    const real = composeRealGraph();
    const realModel = costModelFromSdl([real.supergraphSdl, real.subscriptionsSdl]);
    const document = parse(`{ users(first: 20) { totalCount nodes { name email department { name manager { name } }
      leaveRequests(first: 5) { nodes { startDate endDate status } } allowances { remaining leaveType { name } } } } }`);
    const random = prng(7);
    const keys = responseKeys(document);
    let nonZero = 0;
    for (let i = 0; i < 1000; i++) {
      const data = randomResponse(keys, random);
      const expected = referenceActualCost(real.schema, document, realModel, data);
      expect(actualCost(real.schema, document, realModel, data)).toBe(expected);
      if (expected > 0) nonZero++;
    }
    expect(nonZero).toBeGreaterThan(150);
  });
});
