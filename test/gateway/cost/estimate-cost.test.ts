import { buildSchema, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { costModelFromSdl } from '../../../gateway/cost/cost-model.ts';
import { estimateCost } from '../../../gateway/cost/estimate-cost.ts';
import { composeFixture, composeRealGraph } from './cost-fixture.ts';

const fixture = composeFixture();
const model = costModelFromSdl([fixture.supergraphSdl]);

/** Estimated cost of `query` on the fixture graph. */
function estimate(query: string, variables?: Record<string, unknown>, operationName?: string): number {
  return estimateCost(fixture.schema, parse(query), model, { variables: variables ?? null, operationName: operationName ?? null });
}

interface Case {
  readonly name: string;
  readonly query: string;
  readonly variables?: Record<string, unknown>;
  readonly expected: number;
}

// Each expected value is the hand calculation; the comment says what each term is.
const CASES: readonly Case[] = [
  {
    name: 'scalars and enums only',
    query: '{ version today colour }',
    // String 0 + Date 0 + enum 0
    expected: 0 + 0 + 0,
  },
  {
    name: 'one object',
    query: '{ book(id: "b1") { id title } }',
    // book 1; its scalars 0
    expected: 1,
  },
  {
    name: 'nested objects',
    query: '{ book(id: "b1") { author { address { geo { lat } } } } }',
    // book 1 + author 1 + address 1 + geo 1
    expected: 1 + 1 + 1 + 1,
  },
  {
    name: 'a list sized by a literal slicing argument',
    query: '{ recentBooks(count: 7) { title author { name } } }',
    // 7 books × (book 1 + author 1)
    expected: 7 * (1 + 1),
  },
  {
    name: 'a list sized by a variable slicing argument',
    query: 'query Recent($n: Int) { recentBooks(count: $n) { title } }',
    variables: { n: 4 },
    // $n = 4 books × book 1
    expected: 4 * 1,
  },
  {
    name: 'a list sized by the default of an operation variable',
    query: 'query Recent($n: Int = 6) { recentBooks(count: $n) { id } }',
    // $n defaults to 6 books × book 1
    expected: 6 * 1,
  },
  {
    name: 'a list with several slicing arguments, by the largest',
    query: '{ recentBooks(count: 3, max: 9) { id } }',
    // max(3, 9) books × book 1
    expected: 9 * 1,
  },
  {
    name: "a list sized by its slicing argument's default value",
    query: '{ book(id: "b1") { reviews { stars } } }',
    // book 1 + reviews(limit: Int = 5) 5 × review 1
    expected: 1 + 5 * 1,
  },
  {
    name: 'a slicing argument given instead of its default',
    query: '{ book(id: "b1") { reviews(limit: 2) { stars } } }',
    // book 1 + 2 reviews × 1
    expected: 1 + 2 * 1,
  },
  {
    name: 'lists with an assumed size',
    query: '{ featured { title chapters { title } } }',
    // assumedSize 3 books × (book 1 + assumedSize 12 chapters × 1)
    expected: 3 * (1 + 12 * 1),
  },
  {
    name: 'lists without @listSize at the default list size',
    query: '{ authors { name } recentBooks { id } }',
    // default 10 authors × 1 + (no slicing value, no assumedSize) default 10 books × 1
    expected: 10 * 1 + 10 * 1,
  },
  {
    name: 'a list of scalars as free',
    query: '{ book(id: "b1") { tags } }',
    // book 1 + 10 tags × String 0
    expected: 1 + 10 * 0,
  },
  {
    name: 'a connection whose sized fields nodes and edges take the slicing value',
    query: '{ books(first: 5) { totalCount pageInfo { hasNextPage } nodes { title } edges { cursor node { title } } } }',
    // connection 1 + pageInfo 1 + 5 nodes × 1 + 5 edges × (edge 1 + node 1)
    expected: 1 + 1 + 5 * 1 + 5 * (1 + 1),
  },
  {
    name: 'a connection without its slicing argument at its assumed size',
    query: '{ books { nodes { id } } }',
    // connection 1 + assumedSize 20 nodes × 1
    expected: 1 + 20 * 1,
  },
  {
    name: 'nested connections multiplying',
    query: '{ books(first: 10) { nodes { author { books(first: 3) { edges { node { reviews { stars } } } } } } } }',
    // connection 1 + 10 × (book 1 + author 1 + inner connection 1 + 3 edges × (edge 1 + node 1 + 5 reviews × 1))
    expected: 1 + 10 * (1 + 1 + 1 + 3 * (1 + 1 + 5 * 1)),
  },
  {
    name: 'fields of an entity from another subgraph',
    query: '{ book(id: "b1") { stock warehouses { name } } }',
    // book 1 + stock 0 + assumedSize 2 warehouses × 1
    expected: 1 + 0 + 2 * 1,
  },
  {
    name: 'a mutation field 10 on top of what it returns',
    query: 'mutation { addReview(bookId: "b1", stars: 5) { id stars } }',
    // write 10 + review 1
    expected: 10 + 1,
  },
  {
    name: 'each write of a mutation 10',
    query: 'mutation { a: rateBook(bookId: "b1", stars: 4) b: rateBook(bookId: "b2", stars: 2) }',
    // (write 10 + Float 0) + (write 10 + Float 0)
    expected: 10 + 0 + (10 + 0),
  },
  {
    name: '@cost on a field',
    query: '{ book(id: "b1") { rating } }',
    // book 1 + rating @cost 3
    expected: 1 + 3,
  },
  {
    name: '@cost on a mutation field',
    query: 'mutation { importBooks(urls: ["u1", "u2"]) }',
    // write 10 + importBooks @cost 100 (String items 0)
    expected: 10 + 100,
  },
  {
    name: '@cost on a type',
    query: '{ report(year: 2025) { total } }',
    // Report @cost 50 instead of 1
    expected: 50,
  },
  {
    name: '@cost on an argument when it is given',
    query: '{ given: slowCount(exact: true) omitted: slowCount }',
    // (slowCount @cost 5 + exact @cost 15) + (slowCount 5)
    expected: 5 + 15 + 5,
  },
  {
    name: 'an input object and a weighted input field',
    query: '{ books(first: 2, filter: { titleContains: "war", minRating: 4 }) { nodes { id } } }',
    // connection 1 + 2 nodes × 1 + (filter object 1 + titleContains @cost 2 + minRating 0)
    expected: 1 + 2 * 1 + (1 + 2 + 0),
  },
  {
    name: 'an input object given as a variable',
    query: 'query Books($filter: BookFilter) { books(first: 2, filter: $filter) { nodes { id } } }',
    variables: { filter: { titleContains: 'war' } },
    // connection 1 + 2 nodes × 1 + (filter object 1 + titleContains @cost 2)
    expected: 1 + 2 * 1 + (1 + 2),
  },
  {
    name: 'inline fragments on a union by the most expensive member',
    query: '{ search(term: "x") { __typename ... on Book { title reviews { stars } } ... on Author { name address { city } } ... on Film { title } } }',
    // 4 results × (result 1 + max(Book: 5 reviews × 1, Author: address 1, Film: 0))
    expected: 4 * (1 + Math.max(5 * 1, 1, 0)),
  },
  {
    name: 'named fragments on an interface by the most expensive implementation',
    query: '{ media { id ...FilmParts ...SongParts } } fragment FilmParts on Film { director { name } cast { name } } fragment SongParts on Song { singer { name } }',
    // 2 media × (media 1 + max(Film: director 1 + 10 cast × 1, Song: singer 1))
    expected: 2 * (1 + Math.max(1 + 10 * 1, 1)),
  },
  {
    name: '@skip and @include with variables that remove selections',
    query: 'query Book($withReviews: Boolean!, $noAuthor: Boolean!) { book(id: "b1") { reviews @include(if: $withReviews) { stars } author @skip(if: $noAuthor) { name } } }',
    variables: { withReviews: false, noAuthor: true },
    // book 1; reviews and author left out
    expected: 1,
  },
  {
    name: '@skip and @include with variables that keep selections',
    query: 'query Book($withReviews: Boolean!, $noAuthor: Boolean!) { book(id: "b1") { reviews @include(if: $withReviews) { stars } author @skip(if: $noAuthor) { name } } }',
    variables: { withReviews: true, noAuthor: false },
    // book 1 + 5 reviews × 1 + author 1
    expected: 1 + 5 * 1 + 1,
  },
  {
    name: '@include on an inline fragment and a fragment spread',
    query: '{ book(id: "b1") { ... @include(if: false) { author { name } } ...Chapters @skip(if: true) } } fragment Chapters on Book { chapters { title } }',
    // book 1; both fragments left out
    expected: 1,
  },
  {
    name: '__typename and introspection as free',
    query: '{ __typename __schema { types { name } } book(id: "b1") { __typename author { __typename } } }',
    // __typename 0 + __schema 0 + book 1 + author 1
    expected: 0 + 0 + 1 + 1,
  },
  {
    name: 'a field selected twice (directly and through a fragment) once',
    query: '{ book(id: "b1") { author { name } ...AuthorId } } fragment AuthorId on Book { author { id } }',
    // book 1 + author 1 (both selections merge into one resolution)
    expected: 1 + 1,
  },
];

describe('estimateCost', () => {
  it.each(CASES)('should price $name', ({ query, variables, expected }) => {
    expect(estimate(query, variables)).toBe(expected);
  });

  it('should keep a selection whose @skip/@include variable is unknown (upper bound)', () => {
    const query = 'query Book($withReviews: Boolean!) { book(id: "b1") { reviews @include(if: $withReviews) { stars } } }';
    // book 1 + 5 reviews × 1: $withReviews not given
    expect(estimate(query)).toBe(1 + 5 * 1);
  });

  it('should use the configured default list size', () => {
    const wide = costModelFromSdl([fixture.supergraphSdl], { defaultListSize: 25 });
    // 25 authors × 1
    expect(estimateCost(fixture.schema, parse('{ authors { name } }'), wide)).toBe(25 * 1);
  });

  it('should price the named operation, and the most expensive one when none is named', () => {
    const document = 'query Cheap { book(id: "b1") { id } } query Dear { featured { id } }';
    expect(estimate(document, undefined, 'Cheap')).toBe(1);
    // featured: 3 books × 1
    expect(estimate(document, undefined, 'Dear')).toBe(3 * 1);
    expect(estimate(document)).toBe(3 * 1);
    expect(estimate(document, undefined, 'Missing')).toBe(0);
  });

  it('should not count fields, arguments and fragments unknown to the schema', () => {
    const query = '{ nope { x } book(id: "b1", extra: 1) { nope ...Missing ... on Nowhere { id } author { name } } }';
    // book 1 + author 1
    expect(estimate(query)).toBe(1 + 1);
  });

  it('should give 0 for an operation type the schema lacks', () => {
    expect(estimate('subscription { bookAdded { id } }')).toBe(0);
  });

  it('should stop at fragment cycles', () => {
    const selfSpread = '{ book(id: "b1") { ...A } } fragment A on Book { title ...A }';
    expect(estimate(selfSpread)).toBe(1);
    const throughFields = '{ book(id: "b1") { ...A } } fragment A on Book { author { books(first: 2) { nodes { ...A } } } }';
    // book 1 + author 1 + connection 1 + 2 nodes × (book 1 + author 1 + its selections, the cycle, cut to 0)
    expect(estimate(throughFields)).toBe(1 + 1 + 1 + 2 * (1 + 1 + 0));
  });

  it('should price fragments spread twice at every level once per distinct selection, quickly', () => {
    const levels = 40;
    const fragments = Array.from({ length: levels }, (_, i) =>
      i === levels - 1
        ? `fragment F${i} on Book { id }`
        : `fragment F${i} on Book { a: author { books(first: 1) { nodes { ...F${i + 1} } } } b: author { books(first: 1) { nodes { ...F${i + 1} } } } }`,
    );
    const query = `{ book(id: "b1") { ...F0 } } ${fragments.join(' ')}`;
    // C(last) = 0; C(i) = 2 × (author 1 + connection 1 + 1 node × (book 1 + C(i + 1)))
    let expected = 0;
    for (let i = levels - 2; i >= 0; i--) expected = 2 * (1 + 1 + 1 * (1 + expected));
    const started = performance.now();
    expect(estimate(query)).toBe(1 + expected);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('should not let a negative argument weight take a field below 0', () => {
    const sdl = `
      directive @cost(weight: Int!) on ARGUMENT_DEFINITION | FIELD_DEFINITION
      type Query { count(approx: Boolean @cost(weight: -8)): Int @cost(weight: 5) }
    `;
    const plain = buildSchema(sdl);
    const plainModel = costModelFromSdl([sdl]);
    // max(0, count @cost 5 + approx @cost -8)
    expect(estimateCost(plain, parse('{ count(approx: true) }'), plainModel)).toBe(Math.max(0, 5 - 8));
    // count @cost 5
    expect(estimateCost(plain, parse('{ count }'), plainModel)).toBe(5);
  });
});

describe('estimateCost on the real supergraph', () => {
  const real = composeRealGraph();
  const realModel = costModelFromSdl([real.supergraphSdl, real.subscriptionsSdl]);
  const price = (query: string, variables?: Record<string, unknown>) => estimateCost(real.schema, parse(query), realModel, { variables: variables ?? null });

  it('should price a page of users at the default page size', () => {
    // connection 1 + 20 users × 1
    expect(price('{ users { nodes { id name } } }')).toBe(1 + 20 * 1);
  });

  it('should price leave requests with their days and people', () => {
    const query = 'query Page($first: Int) { leaveRequests(first: $first) { nodes { id days { date amount } user { name } } pageInfo { endCursor } } }';
    // connection 1 + 50 × (request 1 + 14 days × 1 + user 1) + pageInfo 1
    expect(price(query, { first: 50 })).toBe(1 + 50 * (1 + 14 * 1 + 1) + 1);
  });

  it('should price allowances with their balance weight', () => {
    // me 1 + 5 allowances × (Allowance @cost 3 + leaveType 1)
    expect(price('{ me { allowances { remaining leaveType { name } } } }')).toBe(1 + 5 * (3 + 1));
  });

  it("should price who's out and the coverage check with their weights", () => {
    // whosOut @cost 5 + 20 absences × (absence 1 + user 1 + leaveType 1)
    expect(price('{ whosOut(from: "2026-01-01", to: "2026-01-31") { nodes { user { name } leaveType { name } } } }')).toBe(5 + 20 * (1 + 1 + 1));
    const check =
      '{ coverageCheck(userId: "u1", startDate: "2026-01-05", endDate: "2026-01-09", includeDailyBreakdown: true) { hasViolation violatedRules { name } dailyBreakdown { date violatedRules { name } } } }';
    // coverageCheck @cost 10 + 5 rules × 1 + 14 days × (day 1 + 5 rules × 1)
    expect(price(check)).toBe(10 + 5 * 1 + 14 * (1 + 5 * 1));
  });

  it('should price departments with nested members and absences', () => {
    const query =
      '{ departments(first: 10) { nodes { name members(first: 50) { totalCount nodes { name } } whosOut(from: "2026-01-01", to: "2026-01-31") { nodes { user { name } } } } } }';
    // connection 1 + 10 × (department 1 + (members 1 + 50 × 1) + (whosOut @cost 2 + 20 × (absence 1 + user 1)))
    expect(price(query)).toBe(1 + 10 * (1 + (1 + 50 * 1) + (2 + 20 * (1 + 1))));
  });

  it('should price the leave report once per call, plus its rows', () => {
    // from @cost 20 + 24 rows × 1 (groupBy enums 0)
    expect(price('{ leaveReport(from: "2026-01-01", to: "2026-12-31", groupBy: [MONTH]) { month days } }')).toBe(20 + 24 * 1);
  });

  it('should price creating a leave request', () => {
    const query = 'mutation Create($input: CreateLeaveRequestInput!) { createLeaveRequest(input: $input) { id status days { date } } }';
    const input = { leaveTypeId: 't1', startDate: '2026-03-02', endDate: '2026-03-06' };
    // write 10 + (createLeaveRequest @cost 20 + 14 days × 1) + input object 1
    expect(price(query, { input })).toBe(10 + (20 + 14 * 1) + 1);
  });

  it('should price bulk hours worked by the number of items', () => {
    const query = 'mutation Bulk($items: [HoursWorkedInput!]!) { recordHoursWorkedBulk(input: { items: $items }) { processedCount items { index status } } }';
    const items = (n: number) => Array.from({ length: n }, (_, i) => ({ userId: 'u1', date: `2026-06-${String((i % 28) + 1).padStart(2, '0')}`, hoursWorked: 7.5 }));
    // write 10 + the input object 1 + (bulk result 1 + 100 assumed results × 1) + n items × (@cost 2, input scalars 0)
    const base = 10 + 1 + (1 + 100 * 1);
    expect(price(query, { items: items(1) })).toBe(base + 1 * 2);
    expect(price(query, { items: items(10) })).toBe(base + 10 * 2);
    expect(price(query, { items: items(1000) })).toBe(base + 1000 * 2);
    // The same items written inline cost the same as in a variable.
    expect(price('mutation { recordHoursWorkedBulk(input: { items: [{ userId: "u1", date: "2026-06-01", hoursWorked: 7.5 }, { userId: "u2", date: "2026-06-01", hoursWorked: 8 }] }) { totalCount } }')).toBe(10 + 1 + 1 + 2 * 2);
  });

  it('should price a subscription from the subscriptions schema', () => {
    // event 1 + leaveRequest 1 + user 1
    expect(price('subscription { leaveRequestEvents { type leaveRequest { id user { name } } } }')).toBe(1 + 1 + 1);
  });
});
