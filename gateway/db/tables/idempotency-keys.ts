import type { Selectable } from 'kysely';

/** One `Idempotency-Key` of one caller: the request it was first sent with and, once answered, the answer. */
export interface IdempotencyKeysTable {
  org_id: string;
  /** `key:<api key id>` or `user:<user id>` (a JWT). */
  caller: string;
  /** The header's value. */
  key: string;
  /** SHA-256 of the operation, operation name and variables first sent with the key. */
  fingerprint: string;
  created_at: Date;
  /** HTTP status of the first answer; null while the first request runs. */
  status: number | null;
  /** Body of the first answer; null while the first request runs. */
  body: string | null;
}
export type IdempotencyKeyRow = Selectable<IdempotencyKeysTable>;
