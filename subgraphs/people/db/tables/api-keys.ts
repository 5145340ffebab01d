import type { Generated, Selectable } from 'kysely';

/** Whether a key reaches live data or a sandbox organization. */
export type ApiKeyMode = 'live' | 'test';

export interface ApiKeysTable {
  id: Generated<string>;
  org_id: string;
  user_id: string | null;
  name: string;
  prefix: string;
  /** SHA-256 of the secret (pg returns a Buffer, PGlite a Uint8Array). */
  secret_hash: Uint8Array;
  scopes: string[];
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
  created_by: string | null;
  created_at: Generated<Date>;
  /** `test` keys belong to a sandbox organization; their secrets start `lv_test_`. */
  mode: Generated<ApiKeyMode>;
  /** Normalised CIDR ranges the key may be used from; empty: any address. */
  ip_allowlist: Generated<string[]>;
  /** Requests per hour, 1 to 1 000 000; null: the organization's default. */
  requests_per_hour: number | null;
  /** When true, the key may only run trusted documents. */
  trusted_documents_only: Generated<boolean>;
}
export type ApiKeyRow = Selectable<ApiKeysTable>;
