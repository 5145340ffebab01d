import { describe, expect, it } from 'vitest';
import { costModelFromSdl, DEFAULT_LIST_SIZE } from '../../../gateway/cost/cost-model.ts';
import { CATALOG_SDL, composeFixture } from './cost-fixture.ts';

describe('costModelFromSdl', () => {
  it('should read every coordinate from a composed supergraph', () => {
    const model = costModelFromSdl([composeFixture().supergraphSdl]);
    expect(model.defaultListSize).toBe(DEFAULT_LIST_SIZE);
    expect(model.fieldWeights.get('Book.rating')).toBe(3);
    expect(model.fieldWeights.get('Mutation.importBooks')).toBe(100);
    expect(model.typeWeights.get('Report')).toBe(50);
    expect(model.argumentWeights.get('Query.slowCount(exact:)')).toBe(15);
    expect(model.inputFieldWeights.get('BookFilter.titleContains')).toBe(2);
    expect(model.listSizes.get('Query.books')).toEqual({
      assumedSize: 20,
      slicingArguments: ['first'],
      sizedFields: ['nodes', 'edges'],
      requireOneSlicingArgument: false,
    });
    expect(model.listSizes.get('Book.warehouses')).toEqual({ assumedSize: 2, slicingArguments: [], sizedFields: [], requireOneSlicingArgument: true });
    expect(model.fieldWeights.has('Book.title')).toBe(false);
  });

  it('should read a subgraph by its federation imports', () => {
    const model = costModelFromSdl([CATALOG_SDL]);
    expect(model.fieldWeights.get('Book.rating')).toBe(3);
    expect(model.listSizes.get('Book.reviews')?.slicingArguments).toEqual(['limit']);
  });

  it('should read unimported federation directives by their qualified names', () => {
    const sdl = `
      extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
      type Query { a: [Int] @federation__listSize(assumedSize: 7) @federation__cost(weight: 4) b: Int @cost(weight: 9) }
    `;
    const model = costModelFromSdl([sdl]);
    expect(model.fieldWeights.get('Query.a')).toBe(4);
    expect(model.listSizes.get('Query.a')?.assumedSize).toBe(7);
    // @cost is not the federation's @cost in this document
    expect(model.fieldWeights.has('Query.b')).toBe(false);
  });

  it('should follow a renamed cost link', () => {
    const sdl = `
      schema @link(url: "https://specs.apollo.dev/cost/v0.1", as: "price", import: [{ name: "@listSize", as: "@size" }]) { query: Query }
      type Query { a: [Int] @size(assumedSize: 3) @price(weight: 2) b: [Int] @price__listSize(assumedSize: 4) }
    `;
    const model = costModelFromSdl([sdl]);
    expect(model.fieldWeights.get('Query.a')).toBe(2);
    expect(model.listSizes.get('Query.a')?.assumedSize).toBe(3);
    expect(model.listSizes.has('Query.b')).toBe(false);
  });

  it('should read plain directives, type extensions and numeric string weights, the later document winning', () => {
    const first = 'type Query { a: Int @cost(weight: "2.5") } enum Level @cost(weight: 4) { LOW HIGH }';
    const second = 'extend type Query { b: [String] @listSize(assumedSize: 6, requireOneSlicingArgument: false) } extend type Query { c: Int @cost(weight: 1) } type Other { a: Int @cost(weight: 8) }';
    const overriding = 'extend type Query { a: Int @cost(weight: 7) }';
    const model = costModelFromSdl([first, second, overriding]);
    expect(model.fieldWeights.get('Query.a')).toBe(7);
    expect(model.fieldWeights.get('Query.c')).toBe(1);
    expect(model.fieldWeights.get('Other.a')).toBe(8);
    expect(model.typeWeights.get('Level')).toBe(4);
    expect(model.listSizes.get('Query.b')?.assumedSize).toBe(6);
    expect(costModelFromSdl([first]).fieldWeights.get('Query.a')).toBe(2.5);
  });

  it('should take a default list size and refuse a bad one', () => {
    expect(costModelFromSdl([], { defaultListSize: 50 }).defaultListSize).toBe(50);
    expect(() => costModelFromSdl([], { defaultListSize: -1 })).toThrow(RangeError);
    expect(() => costModelFromSdl([], { defaultListSize: 2.5 })).toThrow(RangeError);
  });
});
