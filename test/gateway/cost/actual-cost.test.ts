import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { actualCost } from '../../../gateway/cost/actual-cost.ts';
import { costModelFromSdl } from '../../../gateway/cost/cost-model.ts';
import { estimateCost } from '../../../gateway/cost/estimate-cost.ts';
import { composeFixture } from './cost-fixture.ts';

const fixture = composeFixture();
const model = costModelFromSdl([fixture.supergraphSdl]);

function actual(query: string, data: unknown, variables?: Record<string, unknown>, operationName?: string): number {
  return actualCost(fixture.schema, parse(query), model, data, { variables: variables ?? null, operationName: operationName ?? null });
}

function estimate(query: string, variables?: Record<string, unknown>): number {
  return estimateCost(fixture.schema, parse(query), model, { variables: variables ?? null });
}

describe('actualCost', () => {
  it('should count the list items returned, below the estimate for a short page', () => {
    const query = '{ books(first: 5) { totalCount nodes { title author { name } } } }';
    const data = {
      books: {
        totalCount: 2,
        nodes: [
          { title: 'Emma', author: { name: 'Austen' } },
          { title: 'Persuasion', author: { name: 'Austen' } },
        ],
      },
    };
    // connection 1 + 2 returned books × (book 1 + author 1)
    expect(actual(query, data)).toBe(1 + 2 * (1 + 1));
    // connection 1 + 5 estimated books × (book 1 + author 1)
    expect(estimate(query)).toBe(1 + 5 * (1 + 1));
  });

  it('should equal the estimate when every list has its estimated size', () => {
    const query = '{ featured { title chapters { title } } }';
    const book = { title: 'Emma', chapters: Array.from({ length: 12 }, (_, i) => ({ title: `Chapter ${i + 1}` })) };
    const data = { featured: [book, book, book] };
    // 3 books × (book 1 + 12 chapters × 1), as estimated
    expect(actual(query, data)).toBe(3 * (1 + 12 * 1));
    expect(actual(query, data)).toBe(estimate(query));
  });

  it('should count an empty list as 0', () => {
    // connection 1 + 0 nodes
    expect(actual('{ books { nodes { id } } }', { books: { nodes: [] } })).toBe(1 + 0);
  });

  it('should count a null object as 0, and not its selections', () => {
    const query = '{ book(id: "b1") { title author { name address { city } } } }';
    expect(actual(query, { book: null })).toBe(0);
    // book 1 + author 1 + address null 0
    expect(actual(query, { book: { title: 'Emma', author: { name: 'Austen', address: null } } })).toBe(1 + 1 + 0);
  });

  it('should count the weight of a weighted field even when it returned null', () => {
    // book 1 + rating @cost 3 (its resolver ran)
    expect(actual('{ book(id: "b1") { rating } }', { book: { rating: null } })).toBe(1 + 3);
  });

  it('should follow aliases as response keys', () => {
    const query = '{ first: book(id: "b1") { t: title a: author { n: name } } second: book(id: "b2") { title } }';
    const data = { first: { t: 'Emma', a: { n: 'Austen' } }, second: { title: 'Ulysses' } };
    // first 1 + its author 1 + second 1
    expect(actual(query, data)).toBe(1 + 1 + 1);
    // keys under field names instead of aliases are not what the operation selected
    expect(actual(query, { book: { title: 'Emma', author: { name: 'Austen' } } })).toBe(0);
  });

  it('should count a mutation write, returned or null', () => {
    const query = 'mutation { addReview(bookId: "b1", stars: 5) { id } }';
    // write 10 + review 1
    expect(actual(query, { addReview: { id: 'r1' } })).toBe(10 + 1);
    // write 10: it was attempted
    expect(actual(query, { addReview: null })).toBe(10);
  });

  it('should count type and argument weights', () => {
    // Report @cost 50
    expect(actual('{ report(year: 2025) { total } }', { report: { total: 3 } })).toBe(50);
    const query = '{ books(first: 3, filter: { titleContains: "war" }) { nodes { id } } }';
    // connection 1 + 1 book × 1 + (filter 1 + titleContains @cost 2)
    expect(actual(query, { books: { nodes: [{ id: 'b1' }] } })).toBe(1 + 1 * 1 + (1 + 2));
  });

  it('should apply fragments by __typename on a union', () => {
    const query = '{ search(term: "x") { __typename ... on Book { reviews { stars } } ... on Author { address { city } } } }';
    const data = {
      search: [
        { __typename: 'Book', reviews: [{ stars: 4 }, { stars: 5 }] },
        { __typename: 'Author', address: null },
        { __typename: 'Film' },
      ],
    };
    // (book 1 + 2 reviews × 1) + (author 1 + null address 0) + film 1
    expect(actual(query, data)).toBe(1 + 2 * 1 + (1 + 0) + 1);
  });

  it('should match the keys present when the data has no __typename', () => {
    const query = '{ media { title ... on Film { cast { name } } ... on Song { singer { name } } } }';
    const data = { media: [{ title: 'Heat', cast: [{ name: 'Pacino' }, { name: 'De Niro' }] }, { title: 'Hurt', singer: { name: 'Cash' } }] };
    // (film 1 + 2 cast × 1) + (song 1 + singer 1)
    expect(actual(query, data)).toBe(1 + 2 * 1 + (1 + 1));
  });

  it('should count fields merged from fragments once', () => {
    const query = '{ book(id: "b1") { author { name } ...AuthorId } } fragment AuthorId on Book { author { id } }';
    // book 1 + author 1
    expect(actual(query, { book: { author: { name: 'Austen', id: 'a1' } } })).toBe(1 + 1);
  });

  it('should not count keys the operation does not select, nor free fields', () => {
    const query = 'query Book($skip: Boolean!) { __typename book(id: "b1") { __typename tags author @skip(if: $skip) { name } } }';
    const data = { __typename: 'Query', extra: { a: 1 }, book: { __typename: 'Book', tags: ['a', 'b'], author: { name: 'x' }, unknown: { id: 1 } } };
    // book 1 (tags String 0 each; author skipped; extra and unknown not selected)
    expect(actual(query, data, { skip: true })).toBe(1);
  });

  it('should give 0 for data that is not an object and for an unknown operation', () => {
    expect(actual('{ book(id: "b1") { id } }', null)).toBe(0);
    expect(actual('{ book(id: "b1") { id } }', [{ book: {} }])).toBe(0);
    expect(actual('query A { book(id: "b1") { id } }', { book: { id: 'b1' } }, undefined, 'B')).toBe(0);
    // book 1
    expect(actual('query A { book(id: "b1") { id } }', { book: { id: 'b1' } }, undefined, 'A')).toBe(1);
  });
});
