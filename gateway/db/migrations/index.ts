import type { Migration } from 'kysely';
import * as rateLimits from './20261123-0001-rate-limits.ts';
import * as idempotencyKeys from './20261201-0002-idempotency-keys.ts';
import * as keyRequestWindows from './20261201-0003-key-request-windows.ts';

export { GATEWAY_SCHEMA } from '../database.ts';

/** Every migration of the gateway schema, by name; append new ones, never edit old ones. */
export const gatewayMigrations: Record<string, Migration> = {
  '20261123-0001-rate-limits': rateLimits,
  '20261201-0002-idempotency-keys': idempotencyKeys,
  '20261201-0003-key-request-windows': keyRequestWindows,
};
