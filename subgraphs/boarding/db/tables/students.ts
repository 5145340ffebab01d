import type { Generated, Selectable } from 'kysely';

export type Gender = 'MALE' | 'FEMALE' | 'OTHER' | 'UNKNOWN';
export type StudentType = 'BOARDING' | 'DAY' | 'REMOTE' | 'FLEXI_BOARDING';

export interface StudentsTable {
  id: Generated<string>;
  org_id: string;
  house_id: string | null;
  sis_id: string | null;
  first_name: string;
  last_name: string;
  preferred_name: string | null;
  birth_date: string | null;
  gender: Gender;
  email: string | null;
  home_phone: string | null;
  mobile_phone: string | null;
  diet_info: string | null;
  medical_info: string | null;
  reference_id: string | null;
  international: boolean;
  student_type: StudentType;
  year_level: string | null;
  room_number: string | null;
  bed_number: string | null;
  /** scrypt hash of the kiosk PIN (`salt:hash`, base64url); never leaves the subgraph. */
  pin_hash: string | null;
  pin_failed_attempts: Generated<number>;
  pin_locked_until: Date | null;
  photo_url: string | null;
  photo_thumbnail_url: string | null;
  deactivated_date: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
export type StudentRow = Selectable<StudentsTable>;

export interface ContactsTable {
  id: Generated<string>;
  org_id: string;
  student_id: string;
  sis_id: string | null;
  first_name: string;
  last_name: string;
  title: string | null;
  relationship: string | null;
  email: string | null;
  mobile_phone: string | null;
  home_phone: string | null;
  address: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
export type ContactRow = Selectable<ContactsTable>;
