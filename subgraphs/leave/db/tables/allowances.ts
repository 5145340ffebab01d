import type { Generated, Selectable } from 'kysely';

export interface AllowancesTable {
  id: Generated<string>;
  org_id: string;
  user_id: string;
  leave_type_id: string;
  /** Calendar year in which the leave year starts. */
  year: number;
  start_date: string;
  end_date: string;
  /** Entitlement set by an admin before pro-rating; null: the type's default. */
  base_entitlement: string | null;
  /** Entitlement after pro-rating for the working pattern and employment dates. */
  entitlement: string;
  carried_over: Generated<string>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
export type AllowanceRow = Selectable<AllowancesTable>;

/**
 * ADJUSTMENT, ACCRUAL and ACCRUAL_CORRECTION amounts add to the balance; a RECOMPUTED entry records a change of
 * the entitlement itself (its amount is the change, already in `entitlement`, so never summed).
 */
export type LedgerKind = 'ADJUSTMENT' | 'ACCRUAL' | 'RECOMPUTED' | 'ACCRUAL_CORRECTION';

export interface AllowanceLedgerTable {
  id: Generated<string>;
  org_id: string;
  allowance_id: string;
  kind: LedgerKind;
  amount: string;
  reason: string;
  effective_date: string;
  source_id: string | null;
  /** The source's group: every line of one hours-worked day, whatever its revision (null for others). */
  source_group: Generated<string | null>;
  created_by: string | null;
  created_at: Generated<Date>;
}
export type AllowanceLedgerRow = Selectable<AllowanceLedgerTable>;
