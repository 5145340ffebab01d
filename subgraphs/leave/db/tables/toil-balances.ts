import type { Selectable } from 'kysely';

/** One lot of a person's TOIL as the time subgraph's `toil.changed` snapshot gives it (decimal strings). */
export interface ToilLotSnapshot {
  readonly id: string;
  readonly earnedOn: string;
  readonly hours: string;
  readonly used: string;
  /** First day on which the lot can no longer be used; null: never. */
  readonly expiresOn: string | null;
}

/** Leave's projection of a person's TOIL, from the time subgraph's events only. */
export interface ToilBalancesTable {
  org_id: string;
  user_id: string;
  lots: ToilLotSnapshot[];
  last_event_id: number;
}
export type ToilBalanceRow = Selectable<ToilBalancesTable>;
