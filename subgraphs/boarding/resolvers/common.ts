import { badInput } from '../../shared/errors.ts';
import { pageKey, pageSize, toConnection, type Connection, type PageArgs } from '../../shared/pagination.ts';
import { optionalText, requireEmail, requireText } from '../../shared/validation.ts';

/** A federation reference to a person of the people subgraph (null for none). */
export function userRef(id: string | null): { __typename: 'User'; id: string } | null {
  return id === null ? null : { __typename: 'User', id };
}

/** Builds a connection from `limit + 1` rows. */
export function connection<Row, Node>(rows: readonly Row[], limit: number, args: PageArgs, cursorOf: (row: Row) => readonly unknown[], map: (row: Row) => Node, count: () => Promise<number>): Connection<Node> {
  return toConnection(rows, limit, args, cursorOf, map, count);
}

/** The validated page size and the page arguments in canonical form (`pageKey`), fit for a batched loader's key. */
export function page(args: PageArgs): { limit: number; args: PageArgs } {
  const limit = pageSize(args);
  return { limit, args: pageKey(args, limit) };
}

/** For update inputs: omitted stays (undefined), null clears, text is trimmed and bounded; blank clears. */
export function optional(field: string, value: string | null | undefined, max: number): string | null | undefined {
  return optionalText(field, value, max);
}

/** A required text that an update may omit but not clear. */
export function requiredOnUpdate(field: string, value: string | null | undefined, max: number): string | undefined {
  if (value === undefined) return undefined;
  if (value === null) throw badInput(field, 'NOT_NULL', 'must not be null');
  return requireText(field, value, 1, max);
}

/** An optional email: null clears, otherwise normalized. */
export function optionalEmail(field: string, value: string | null | undefined): string | null | undefined {
  if (value === null || value === undefined) return value;
  if (value.trim() === '') return null;
  return requireEmail(field, value);
}

/** Drops undefined values, so an update sets only what was given. */
export function defined<T extends Record<string, unknown>>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Today's date (YYYY-MM-DD) in a time zone: the platform's. */
export { todayIn } from '../../shared/dates.ts';

/** Largest tolerated clock difference for times said to be "now" (recordedAt, startsAt), ms. */
export const FUTURE_TOLERANCE_MS = 5 * 60_000;
