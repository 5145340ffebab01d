import type { Generated, Selectable } from 'kysely';

export type ToilLotSource = 'OVERTIME' | 'ADJUSTMENT';

export interface ToilLotsTable {
  id: Generated<string>;
  org_id: string;
  user_id: string;
  source: ToilLotSource;
  submission_id: string | null;
  /** The day the TOIL was earned (the overtime date). */
  earned_on: string;
  hours: string;
  used: Generated<string>;
  /** First day on which the lot can no longer be used; null: never. */
  expires_on: string | null;
  revoked_at: Date | null;
  created_at: Generated<Date>;
}
export type ToilLotRow = Selectable<ToilLotsTable>;

export type ToilMovementKind = 'ACCRUED' | 'USED' | 'RETURNED' | 'REVOKED';

export interface ToilLedgerTable {
  id: Generated<string>;
  org_id: string;
  user_id: string;
  lot_id: string;
  kind: ToilMovementKind;
  /** Signed hours: ACCRUED and RETURNED positive, USED and REVOKED negative. */
  hours: string;
  effective_date: string;
  reason: string;
  source_id: string | null;
  created_by: string | null;
  created_at: Generated<Date>;
}
export type ToilLedgerRow = Selectable<ToilLedgerTable>;
