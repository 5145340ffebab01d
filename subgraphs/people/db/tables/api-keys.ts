import type { Generated, Selectable } from 'kysely';

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
}
export type ApiKeyRow = Selectable<ApiKeysTable>;
