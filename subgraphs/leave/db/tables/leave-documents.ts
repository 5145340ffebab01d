import type { Generated, Selectable } from 'kysely';

export interface LeaveDocumentsTable {
  id: Generated<string>;
  org_id: string;
  request_id: string;
  filename: string;
  content_type: string;
  size_bytes: number;
  sha256: string | null;
  uploaded_at: Date | null;
  created_by: string | null;
  deleted_at: Date | null;
  created_at: Generated<Date>;
}
export type LeaveDocumentRow = Selectable<LeaveDocumentsTable>;
