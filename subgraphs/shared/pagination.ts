import { sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';
import { badInput } from './errors.ts';

/** Forward pagination arguments of every connection field. */
export interface PageArgs {
  readonly first?: number | null | undefined;
  readonly after?: string | null | undefined;
}

/** Page size when `first` is omitted. */
export const DEFAULT_PAGE_SIZE = 20;
/** The largest `first` any connection accepts. */
export const MAX_PAGE_SIZE = 100;

/** Validates `first` (1..100, default 20); a bad value is a BAD_USER_INPUT naming `first`. */
export function pageSize(first: number | null | undefined, max = MAX_PAGE_SIZE): number {
  if (first === null || first === undefined) return Math.min(DEFAULT_PAGE_SIZE, max);
  if (!Number.isInteger(first) || first < 1 || first > max) {
    throw badInput('first', 'OUT_OF_RANGE', `must be an integer between 1 and ${max}`);
  }
  return first;
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
 * Decodes `after` into one string per kind; anything else (not ours, tampered, wrong
 * shape) is a BAD_USER_INPUT on `after`, never a database error.
 */
export function decodeCursor(cursor: string, kinds: readonly CursorKind[]): string[] {
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
  throw badInput('after', 'CURSOR_INVALID', 'is not a cursor returned by this connection');
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
  kinds: readonly CursorKind[] = [...columns.slice(1).map(() => 'text' as const), 'uuid' as const],
  descending = false,
): Expression<SqlBool> {
  const values = decodeCursor(cursor, kinds).map((v, i) => (kinds[i] === 'text' ? sql.val(v) : sql`${v}::${sql.raw(SQL_TYPE[kinds[i] ?? 'text'])}`));
  return descending ? sql<SqlBool>`(${sql.join(columns)}) < (${sql.join(values)})` : sql<SqlBool>`(${sql.join(columns)}) > (${sql.join(values)})`;
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
 * Builds a connection from `limit + 1` fetched rows (the extra row only tells that a next
 * page exists). `cursorOf` returns the row's sort-key values; `map` turns rows into nodes.
 */
export function toConnection<Row, Node>(
  rows: readonly Row[],
  limit: number,
  args: PageArgs,
  cursorOf: (row: Row) => readonly unknown[],
  map: (row: Row) => Node,
  count: () => Promise<number>,
): Connection<Node> {
  const page = rows.slice(0, limit);
  const edges = page.map((row) => ({ cursor: encodeCursor(cursorOf(row)), node: map(row) }));
  return {
    nodes: edges.map((e) => e.node),
    edges,
    pageInfo: {
      hasNextPage: rows.length > limit,
      hasPreviousPage: Boolean(args.after),
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount: count,
  };
}
