import type { Selectable } from 'kysely';

/** A leaky bucket of cost points per subject; a missing row is a full bucket. */
export interface CostBudgetsTable {
  /** Opaque subject chosen by the caller, e.g. `key:<uuid>`. */
  subject: string;
  /** Points left at `refilled_at` (numeric, as a decimal string); the refill since then is computed on read. */
  available: string;
  refilled_at: Date;
  /**
   * Points taken by the latest admission, null when that admission was refused: RETURNING
   * sees only the new row, so this is how the admitting statement tells a charge from a refusal.
   */
  last_charge: string | null;
}
export type CostBudgetRow = Selectable<CostBudgetsTable>;
