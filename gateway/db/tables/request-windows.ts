import type { Selectable } from 'kysely';

/** Requests counted for one subject in one fixed window (the UTC hour starting at `window_start`). */
export interface RequestWindowsTable {
  /** Opaque subject chosen by the caller, e.g. `org:<uuid>` or `key:<uuid>`. */
  subject: string;
  window_start: Date;
  /** Requests admitted in the window; never grows past the limit the admissions carried. */
  count: number;
}
export type RequestWindowRow = Selectable<RequestWindowsTable>;
