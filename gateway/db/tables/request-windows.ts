import type { ColumnType, Selectable } from 'kysely';

/** Requests counted for one subject in one fixed window (the UTC hour starting at `window_start`). */
export interface RequestWindowsTable {
  /** Opaque subject chosen by the caller, e.g. `org:<uuid>`. */
  subject: string;
  window_start: Date;
  /** Requests admitted in the window; never grows past the limit the admissions carried. */
  count: number;
  /**
   * Requests of keys with a limit of their own, by key subject (`key:<uuid>`), counted in the
   * same window: each also counts in `count`. Never grows past the key's limit.
   */
  key_counts: ColumnType<Record<string, number>, string | undefined, string>;
  /** Whether the last admission on this row was counted (false: a window was full). */
  last_counted: boolean | null;
}
export type RequestWindowRow = Selectable<RequestWindowsTable>;
