import type { Generated, Selectable } from 'kysely';

/** A GraphQL document an organization registered; keys may be restricted to these. */
export interface TrustedDocumentsTable {
  org_id: string;
  /** `sha256:` and the hex SHA-256 of `body`. */
  id: string;
  name: string;
  body: string;
  created_by: string | null;
  created_at: Generated<Date>;
}
export type TrustedDocumentRow = Selectable<TrustedDocumentsTable>;
