import { sql, type RawBuilder } from 'kysely';
import { afterCursor, type CursorKind, type PageArgs } from '../../../shared/pagination.ts';

/** Escapes `%`, `_` and `\` so user text matches literally inside an ILIKE pattern. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** A keyset condition after `args.after` over `columns`, or none. */
export function keyset(columns: readonly RawBuilder<unknown>[], args: PageArgs, kinds: readonly CursorKind[], descending = false) {
  return args.after ? afterCursor(columns, args.after, kinds, descending) : sql<boolean>`true`;
}

/** Rows grouped by `keyOf`, in the order they came. */
export function groupRows<Row>(rows: readonly Row[], keyOf: (row: Row) => string): Map<string, Row[]> {
  const groups = new Map<string, Row[]>();
  for (const row of rows) {
    const list = groups.get(keyOf(row)) ?? [];
    list.push(row);
    groups.set(keyOf(row), list);
  }
  return groups;
}
