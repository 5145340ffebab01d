import type { TimeDb } from '../db/database.ts';
import { findTimeSettings } from '../db/repositories/time-settings.ts';
import { DEFAULT_TOIL_EXPIRY_MONTHS } from './toil.ts';

/** Months until TOIL expires in the organization (default 3; null: never). */
export async function toilExpiryMonths(db: TimeDb, orgId: string): Promise<number | null> {
  const row = await findTimeSettings(db, orgId);
  return row ? row.toil_expiry_months : DEFAULT_TOIL_EXPIRY_MONTHS;
}
