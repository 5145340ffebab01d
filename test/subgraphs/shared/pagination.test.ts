import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, isBackward, pageKey, pageSize, readOrder, toConnection } from '../../../subgraphs/shared/pagination.ts';

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

function badInputOf(run: () => unknown): Record<string, unknown> {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(GraphQLError);
    return (error as GraphQLError).extensions;
  }
  return expect.unreachable('no error thrown');
}

describe('decodeCursor for before', () => {
  it('should name before when a before cursor is refused', () => {
    expect(badInputOf(() => decodeCursor('not-base64-json', ['text', 'uuid'], 'before'))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'before' });
  });
});

describe('pageSize', () => {
  it('should default to 20 and refuse values outside 1..100 naming first', () => {
    expect(pageSize({})).toBe(20);
    expect(pageSize({ first: 100 })).toBe(100);
    for (const bad of [0, 101, 2.5]) expect(() => pageSize({ first: bad })).toThrow('first: must be an integer between 1 and 100');
  });

  it('should take last as the size of a backward page and refuse values outside 1..100 naming last', () => {
    expect(pageSize({ last: 1 })).toBe(1);
    expect(pageSize({ last: 100 })).toBe(100);
    expect(pageSize({ before: encodeCursor(['x']) })).toBe(20);
    for (const bad of [0, 101, -1, 1.5]) expect(badInputOf(() => pageSize({ last: bad }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'last' });
  });

  it('should refuse first together with last as BAD_USER_INPUT', () => {
    expect(badInputOf(() => pageSize({ first: 5, last: 5 }))).toMatchObject({ code: 'BAD_USER_INPUT', field: 'last' });
  });

  it('should honour a smaller maximum', () => {
    expect(() => pageSize({ last: 11 }, 10)).toThrow('last: must be an integer between 1 and 10');
  });
});

describe('isBackward and readOrder', () => {
  it('should page backward with last, or with before and no first', () => {
    expect(isBackward({})).toBe(false);
    expect(isBackward({ first: 2, after: 'a' })).toBe(false);
    expect(isBackward({ first: 2, before: 'b' })).toBe(false);
    expect(isBackward({ last: 2 })).toBe(true);
    expect(isBackward({ before: 'b' })).toBe(true);
    expect(isBackward({ last: 2, after: 'a' })).toBe(true);
  });

  it('should read in the reverse of the connection order when paging backward', () => {
    expect(readOrder({})).toBe('asc');
    expect(readOrder({}, true)).toBe('desc');
    expect(readOrder({ last: 3 })).toBe('desc');
    expect(readOrder({ last: 3 }, true)).toBe('asc');
  });
});

describe('pageKey', () => {
  it('should give equal keys to equal pages, whatever was left out', () => {
    expect(JSON.stringify(pageKey({ first: 20 }, 20))).toBe(JSON.stringify(pageKey({}, 20)));
    expect(pageKey({ last: 5, before: 'b' }, 5)).toEqual({ first: null, after: null, last: 5, before: 'b' });
    expect(isBackward(pageKey({ before: 'b' }, 20))).toBe(true);
  });
});

describe('toConnection', () => {
  const rows = (...ids: number[]) => ids.map((id) => ({ id }));
  const build = (fetched: { id: number }[], limit: number, args: Parameters<typeof toConnection>[2]) =>
    toConnection(fetched, limit, args, (r) => [String(r.id)], (r) => r.id, async () => 0);

  it('should keep a forward page in order and say a next page exists from the extra row', () => {
    const c = build(rows(1, 2, 3), 2, { first: 2 });
    expect(c.nodes).toEqual([1, 2]);
    expect(c.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false, startCursor: encodeCursor(['1']), endCursor: encodeCursor(['2']) });
  });

  it('should report hasPreviousPage for a forward page after a cursor', () => {
    expect(build(rows(3), 2, { first: 2, after: encodeCursor(['2']) }).pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
  });

  it('should reverse a backward page (read in reverse) into the connection order', () => {
    // Read newest-first: 10, 9, 8; the extra row (8) says an earlier page exists.
    const c = build(rows(10, 9, 8), 2, { last: 2 });
    expect(c.nodes).toEqual([9, 10]);
    expect(c.edges.map((e) => e.cursor)).toEqual([encodeCursor(['9']), encodeCursor(['10'])]);
    expect(c.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false, startCursor: encodeCursor(['9']), endCursor: encodeCursor(['10']) });
  });

  it('should say a backward page before a cursor has a next page, and none before the start', () => {
    const c = build(rows(2, 1), 2, { last: 2, before: encodeCursor(['3']) });
    expect(c.nodes).toEqual([1, 2]);
    expect(c.pageInfo).toMatchObject({ hasPreviousPage: false, hasNextPage: true });
  });

  it('should give an empty backward page null cursors', () => {
    expect(build([], 5, { last: 5 }).pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null });
  });
});
