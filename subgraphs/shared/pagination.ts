import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';
import { badInput } from './errors.ts';

/**
 * Pagination arguments of every connection field (Relay cursor connections): `first` and
 * `after` page forward, `last` and `before` page backward.
 */
export interface PageArgs {
  readonly first?: number | null | undefined;
  readonly after?: string | null | undefined;
  readonly last?: number | null | undefined;
  readonly before?: string | null | undefined;
}

/** Page size when `first` is omitted. */
export const DEFAULT_PAGE_SIZE = 20;
/** The largest `first` any connection accepts. */
export const MAX_PAGE_SIZE = 100;

/**
 * Whether a page is read backward (from its end): `last` is given, or `before` without
 * `first`. A backward page is fetched in reverse order and reversed by `toConnection`.
 */
export function isBackward(args: PageArgs): boolean {
  const given = (v: unknown) => v !== null && v !== undefined;
  return given(args.last) || (given(args.before) && !given(args.first));
}

/**
 * Validates the page arguments and returns the page size: `first` or `last` (1..max,
 * default 20). `first` together with `last` is a BAD_USER_INPUT on `last`; a bad size is
 * a BAD_USER_INPUT naming its argument. Cursors are checked where they are decoded.
 */
export function pageSize(args: PageArgs, max = MAX_PAGE_SIZE): number {
  const { first, last } = args;
  const given = (v: unknown) => v !== null && v !== undefined;
  if (given(first) && given(last)) throw badInput('last', 'INCOMPATIBLE', 'cannot be combined with first: page forward with first/after or backward with last/before');
  const [field, size] = given(last) ? ['last', last] : ['first', first];
  if (size === null || size === undefined) return Math.min(DEFAULT_PAGE_SIZE, max);
  if (!Number.isInteger(size) || size < 1 || size > max) {
    throw badInput(field, 'OUT_OF_RANGE', `must be an integer between 1 and ${max}`);
  }
  return size;
}

/**
 * The page arguments in one canonical shape (`first` or `last` set to `limit`, absent
 * cursors null), for batched loaders: equal pages give equal JSON keys, and the result is
 * itself valid page arguments for `cursorConditions`, `readOrder` and `toConnection`.
 */
export function pageKey(args: PageArgs, limit: number): PageArgs {
  const backward = isBackward(args);
  return { first: backward ? null : limit, after: args.after ?? null, last: backward ? limit : null, before: args.before ?? null };
}

/** Opaque cursor for a row's sort-key values. */
export function encodeCursor(values: readonly unknown[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

/** What a cursor value must look like before it may reach SQL. */
export type CursorKind = 'text' | 'uuid' | 'timestamp' | 'date';

const KIND_PATTERN: Record<CursorKind, RegExp> = {
  text: /^/,
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
  timestamp: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/,
  date: /^\d{4}-\d{2}-\d{2}$/,
};

/**
 * Decodes a cursor into one string per kind; anything else (not ours, tampered, wrong
 * shape) is a BAD_USER_INPUT on `field` (default `after`), never a database error.
 */
export function decodeCursor(cursor: string, kinds: readonly CursorKind[], field: 'after' | 'before' = 'after'): string[] {
  try {
    const values: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(values) &&
      values.length === kinds.length &&
      values.every((v, i) => typeof v === 'string' && KIND_PATTERN[kinds[i] ?? 'text'].test(v))
    ) {
      return values as string[];
    }
  } catch {
    // fall through to the error below
  }
  throw badInput(field, 'CURSOR_INVALID', 'is not a cursor returned by this connection');
}

/**
 * Decodes both cursors now, so a bad one is a BAD_USER_INPUT on its argument before a
 * batched load that other parents share could fail for all of them.
 */
export function checkCursors(args: PageArgs, kinds: readonly CursorKind[]): void {
  if (args.after) decodeCursor(args.after, kinds, 'after');
  if (args.before) decodeCursor(args.before, kinds, 'before');
}

/**
 * `(col1, col2, ...) > (v1, v2, ...)`: keyset condition for rows after a cursor, for a
 * query ordered by the same columns, ascending (or, with `descending`, `<` for a query
 * ordered descending). `kinds` says what each value must look like (default: text, with a
 * trailing uuid id).
 */
export function afterCursor(
  columns: readonly RawBuilder<unknown>[],
  cursor: string,
  kinds: readonly CursorKind[] = defaultKinds(columns),
  descending = false,
): Expression<SqlBool> {
  return compare(columns, decodeCursor(cursor, kinds, 'after'), kinds, descending ? '<' : '>');
}

/**
 * The mirror of `afterCursor`: rows before a cursor in the connection's order (`<` for an
 * ascending connection, `>` for a descending one). A bad cursor is a BAD_USER_INPUT on `before`.
 */
export function beforeCursor(
  columns: readonly RawBuilder<unknown>[],
  cursor: string,
  kinds: readonly CursorKind[] = defaultKinds(columns),
  descending = false,
): Expression<SqlBool> {
  return compare(columns, decodeCursor(cursor, kinds, 'before'), kinds, descending ? '>' : '<');
}

/**
 * The keyset conditions of a page: after `args.after` and before `args.before` (both when
 * both are given), or `true`. `descending` is the connection's order, as for `afterCursor`.
 */
export function cursorConditions(
  columns: readonly RawBuilder<unknown>[],
  args: PageArgs,
  kinds: readonly CursorKind[] = defaultKinds(columns),
  descending = false,
): Expression<SqlBool> {
  const conditions: Expression<SqlBool>[] = [];
  if (args.after) conditions.push(afterCursor(columns, args.after, kinds, descending));
  if (args.before) conditions.push(beforeCursor(columns, args.before, kinds, descending));
  return conditions.length === 0 ? sql<SqlBool>`true` : sql<SqlBool>`${sql.join(conditions, sql` and `)}`;
}

/**
 * The SQL direction to read a page in: the connection's own (`descending` or not) when
 * paging forward, the reverse when paging backward (`toConnection` restores the order).
 */
export function readOrder(args: PageArgs, descending = false): 'asc' | 'desc' {
  return isBackward(args) !== descending ? 'desc' : 'asc';
}

function defaultKinds(columns: readonly RawBuilder<unknown>[]): CursorKind[] {
  return [...columns.slice(1).map(() => 'text' as const), 'uuid' as const];
}

function compare(columns: readonly RawBuilder<unknown>[], decoded: readonly string[], kinds: readonly CursorKind[], op: '<' | '>'): Expression<SqlBool> {
  const values = decoded.map((v, i) => (kinds[i] === 'text' ? sql.val(v) : sql`${v}::${sql.raw(SQL_TYPE[kinds[i] ?? 'text'])}`));
  return sql<SqlBool>`(${sql.join(columns)}) ${sql.raw(op)} (${sql.join(values)})`;
}

// Typed parameters compare like the columns (a text parameter against a date column would not).
const SQL_TYPE: Record<CursorKind, string> = { text: 'text', uuid: 'uuid', timestamp: 'timestamptz', date: 'date' };

/** A GraphQL connection; `totalCount` is a thunk so the count runs only when selected. */
export interface Connection<T> {
  readonly nodes: readonly T[];
  readonly edges: readonly { cursor: string; node: T }[];
  readonly pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
  readonly totalCount: () => Promise<number>;
}

/**
 * Builds a connection from `limit + 1` fetched rows (the extra row only tells that another
 * page exists), in the order they were read: the connection's order when paging forward,
 * the reverse when paging backward (`isBackward(args)`), which is reversed back here so a
 * page is always in the connection's order. `pageInfo` follows the Relay spec: paging
 * forward, `hasNextPage` says whether rows follow and `hasPreviousPage` whether `after`
 * was given; paging backward, `hasPreviousPage` says whether rows precede and
 * `hasNextPage` whether `before` was given. `cursorOf` returns the row's sort-key values;
 * `map` turns rows into nodes.
 */
export function toConnection<Row, Node>(
  rows: readonly Row[],
  limit: number,
  args: PageArgs,
  cursorOf: (row: Row) => readonly unknown[],
  map: (row: Row) => Node,
  count: () => Promise<number>,
): Connection<Node> {
  const backward = isBackward(args);
  const more = rows.length > limit;
  const page = backward ? rows.slice(0, limit).reverse() : rows.slice(0, limit);
  const edges = page.map((row) => ({ cursor: encodeCursor(cursorOf(row)), node: map(row) }));
  return {
    nodes: edges.map((e) => e.node),
    edges,
    pageInfo: {
      hasNextPage: backward ? Boolean(args.before) : more,
      hasPreviousPage: backward ? more : Boolean(args.after),
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount: count,
  };
}

