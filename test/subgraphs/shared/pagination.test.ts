import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, pageSize } from '../../../subgraphs/shared/pagination.ts';

const cursor = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('decodeCursor', () => {
  it('should round-trip a cursor of the expected kinds', () => {
    const values = ['Smith', '2026-11-23T10:00:00.000Z', '2026-11-23', '8f14e45f-ceea-467f-a0e6-3b4c2b3f8b1a'];
    expect(decodeCursor(encodeCursor(values), ['text', 'timestamp', 'date', 'uuid'])).toEqual(values);
  });

  it.each([
    ['garbage', 'not-base64-json'],
    ['wrong arity', cursor(['a'])],
    ['numbers instead of strings', cursor([1, 2])],
    ['a non-uuid id', cursor(['Smith', 'x'])],
    ['an object', cursor({ a: 1 })],
  ])('should refuse %s as BAD_USER_INPUT on after', (_, value) => {
    try {
      decodeCursor(value, ['text', 'uuid']);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(GraphQLError);
      expect((error as GraphQLError).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    }
  });
});

describe('pageSize', () => {
  it('should default to 20 and refuse values outside 1..100 naming first', () => {
    expect(pageSize(undefined)).toBe(20);
    expect(pageSize(100)).toBe(100);
    for (const bad of [0, 101, 2.5]) expect(() => pageSize(bad)).toThrow('first: must be an integer between 1 and 100');
  });
});
