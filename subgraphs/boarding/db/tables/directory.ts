import type { Selectable } from 'kysely';
import type { Role } from '../../../shared/identity.ts';

/** What boarding knows of an organization (from people's events). */
export interface DirectoryOrganizationsTable {
  org_id: string;
  time_zone: string;
  last_event_id: number;
}
export type DirectoryOrganizationRow = Selectable<DirectoryOrganizationsTable>;

/** What boarding knows of a person (a member of staff, from people's events). */
export interface DirectoryUsersTable {
  id: string;
  org_id: string;
  role: Role;
  active: boolean;
  last_event_id: number;
}
export type DirectoryUserRow = Selectable<DirectoryUsersTable>;
