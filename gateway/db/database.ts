import type { Kysely } from 'kysely';
import type { CostBudgetsTable } from './tables/cost-budgets.ts';
import type { IdempotencyKeysTable } from './tables/idempotency-keys.ts';
import type { RequestWindowsTable } from './tables/request-windows.ts';

/** The gateway schema's tables. */
export interface GatewayDatabase {
  request_windows: RequestWindowsTable;
  cost_budgets: CostBudgetsTable;
  idempotency_keys: IdempotencyKeysTable;
}

export type GatewayDb = Kysely<GatewayDatabase>;
/** Postgres schema owned by the gateway (rate limits). */
export const GATEWAY_SCHEMA = 'gateway';
