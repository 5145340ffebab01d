import type { ApiKeyRow } from '../db/tables/api-keys.ts';
import type { DepartmentRow } from '../db/tables/departments.ts';
import type { OrganizationRow } from '../db/tables/organizations.ts';
import type { SiteRow } from '../db/tables/sites.ts';
import type { TagRow } from '../db/tables/tags.ts';
import type { TeamRow } from '../db/tables/teams.ts';
import type { TrustedDocumentRow } from '../db/tables/trusted-documents.ts';
import type { UserNoteRow } from '../db/tables/user-notes.ts';
import type { UserRow } from '../db/tables/users.ts';

export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export function toOrganization(row: OrganizationRow) {
  return {
    id: row.id,
    name: row.name,
    timeZone: row.time_zone,
    country: row.country,
    leaveYearStartMonth: row.leave_year_start_month,
    fullTimeWeeklyHours: Number(row.full_time_weekly_hours),
    createdAt: row.created_at,
    sandboxOf: row.sandbox_of,
    isSandbox: row.sandbox_of !== null,
  };
}
export type OrganizationModel = ReturnType<typeof toOrganization>;

function toWorkingPattern(hours: readonly string[]) {
  const values = WEEKDAYS.map((_, i) => Number(hours[i] ?? 0));
  const pattern = Object.fromEntries(WEEKDAYS.map((day, i) => [day, values[i]])) as Record<Weekday, number>;
  // Sum in hundredths: the column is numeric(4,2), so this is exact.
  const totalHours = values.reduce((sum, h) => sum + Math.round(h * 100), 0) / 100;
  return { ...pattern, totalHours, workingDays: values.filter((h) => h > 0).length };
}

export function toUser(row: UserRow) {
  return {
    __typename: 'User' as const,
    id: row.id,
    orgId: row.org_id,
    email: row.email,
    firstName: row.first_name,
    lastName: row.last_name,
    name: `${row.first_name} ${row.last_name}`,
    role: row.role,
    departmentId: row.department_id,
    managerId: row.manager_id,
    siteId: row.site_id,
    ownCountry: row.country,
    region: row.region,
    employmentStartDate: row.employment_start_date,
    employmentType: row.employment_type,
    workingPattern: toWorkingPattern(row.working_pattern),
    externalId: row.external_id,
    active: row.deactivated_at === null,
    deactivatedAt: row.deactivated_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
export type UserModel = ReturnType<typeof toUser>;

export function toDepartment(row: DepartmentRow) {
  return {
    __typename: 'Department' as const,
    id: row.id,
    name: row.name,
    managerId: row.manager_id,
    active: row.deactivated_at === null,
    createdAt: row.created_at,
  };
}
export type DepartmentModel = ReturnType<typeof toDepartment>;

export function toTeam(row: TeamRow) {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    departmentId: row.department_id,
    active: row.deactivated_at === null,
    createdAt: row.created_at,
  };
}
export type TeamModel = ReturnType<typeof toTeam>;

export function toSite(row: SiteRow) {
  return {
    id: row.id,
    name: row.name,
    timeZone: row.time_zone,
    country: row.country,
    region: row.region,
    address: row.address,
    active: row.deactivated_at === null,
    createdAt: row.created_at,
  };
}
export type SiteModel = ReturnType<typeof toSite>;

export function toTag(row: TagRow) {
  return { id: row.id, name: row.name, colour: row.colour };
}
export type TagModel = ReturnType<typeof toTag>;

export function toUserNote(row: UserNoteRow) {
  return { id: row.id, body: row.body, authorId: row.author_id, createdAt: row.created_at };
}
export type UserNoteModel = ReturnType<typeof toUserNote>;

export function toApiKey(row: ApiKeyRow, now = new Date()) {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes,
    userId: row.user_id,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
    createdById: row.created_by,
    createdAt: row.created_at,
    active: row.revoked_at === null && (row.expires_at === null || row.expires_at > now),
    mode: row.mode === 'test' ? ('TEST' as const) : ('LIVE' as const),
    ipAllowlist: row.ip_allowlist,
    requestsPerHour: row.requests_per_hour,
    trustedDocumentsOnly: row.trusted_documents_only,
  };
}
export type ApiKeyModel = ReturnType<typeof toApiKey>;

export function toTrustedDocument(row: TrustedDocumentRow) {
  return { id: row.id, name: row.name, body: row.body, createdById: row.created_by, createdAt: row.created_at };
}
export type TrustedDocumentModel = ReturnType<typeof toTrustedDocument>;
