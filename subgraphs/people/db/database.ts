import type { Kysely } from 'kysely';
import type { ApiKeysTable } from './tables/api-keys.ts';
import type { DepartmentsTable } from './tables/departments.ts';
import type { OrganizationsTable } from './tables/organizations.ts';
import type { SitesTable } from './tables/sites.ts';
import type { TagsTable } from './tables/tags.ts';
import type { TeamMembersTable } from './tables/team-members.ts';
import type { TeamsTable } from './tables/teams.ts';
import type { TrustedDocumentsTable } from './tables/trusted-documents.ts';
import type { UserNotesTable } from './tables/user-notes.ts';
import type { UserTagsTable } from './tables/user-tags.ts';
import type { UsersTable } from './tables/users.ts';

/** The people schema's tables. */
export interface PeopleDatabase {
  organizations: OrganizationsTable;
  users: UsersTable;
  departments: DepartmentsTable;
  teams: TeamsTable;
  team_members: TeamMembersTable;
  sites: SitesTable;
  tags: TagsTable;
  user_tags: UserTagsTable;
  user_notes: UserNotesTable;
  api_keys: ApiKeysTable;
  trusted_documents: TrustedDocumentsTable;
}

export type PeopleDb = Kysely<PeopleDatabase>;
/** Postgres schema of the people subgraph. */
export const PEOPLE_SCHEMA = 'people';
