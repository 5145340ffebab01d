import type { Generated, Selectable } from 'kysely';

export type LeaveUnit = 'DAYS' | 'HOURS';
export type LeaveCategory = 'VACATION' | 'SICK_LEAVE' | 'UNPAID_LEAVE' | 'OTHER';

export interface LeaveTypesTable {
  id: Generated<string>;
  org_id: string;
  name: string;
  code: string;
  colour: string | null;
  unit: LeaveUnit;
  category: LeaveCategory;
  paid: boolean;
  requires_approval: boolean;
  requires_document: boolean;
  requires_comment: boolean;
  half_days_allowed: boolean;
  deducts_from_allowance: boolean;
  allow_negative_balance: boolean;
  private: boolean;
  /** Per leave year for a full-time worker, in the type's unit; null: no allowance. */
  default_entitlement: string | null;
  /** Requests draw on the person's TOIL (hours) instead of an allowance. */
  draws_on_toil: Generated<boolean>;
  deactivated_at: Date | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
export type LeaveTypeRow = Selectable<LeaveTypesTable>;
