// The events people publishes and others consume: the contract between subgraphs that
// never read each other's tables. Each payload is a full snapshot of the record after the
// write, so a consumer can apply events idempotently (last event id wins).

/** `organization.created` / `organization.updated`. */
export interface OrganizationSnapshot {
  readonly id: string;
  readonly name: string;
  readonly timeZone: string;
  readonly country: string;
  readonly leaveYearStartMonth: number;
  /**
   * Hours of the organization's full-time week, a decimal string with 2 places (`"40.00"`,
   * `"37.50"`): hours-unit allowances are pro-rated against it. Absent in events published
   * before the setting existed: read it as `DEFAULT_FULL_TIME_WEEKLY_HOURS`.
   */
  readonly fullTimeWeeklyHours?: string;
}

/** The full-time week of an organization that has not set one, in hours. */
export const DEFAULT_FULL_TIME_WEEKLY_HOURS = '40.00';

/** `user.created` / `user.updated` / `user.deactivated` / `user.reactivated`. */
export interface UserSnapshot {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly role: 'ADMIN' | 'MANAGER' | 'EMPLOYEE';
  readonly departmentId: string | null;
  readonly managerId: string | null;
  /** The person's own country; null: the organization's. */
  readonly country: string | null;
  readonly region: string | null;
  /** Hours Monday..Sunday as decimal strings. */
  readonly workingPattern: readonly string[];
  readonly employmentType: 'FULL_TIME' | 'PART_TIME' | 'IRREGULAR_HOURS';
  readonly employmentStartDate: string | null;
  /** The person's id in another HR or rostering system (OrOut `externalUserId`); absent in events older than the field. */
  readonly externalId?: string | null;
  readonly active: boolean;
}

/** `department.created` / `department.updated` / `department.deactivated`. */
export interface DepartmentSnapshot {
  readonly id: string;
  readonly name: string;
  readonly managerId: string | null;
  readonly active: boolean;
}

/** Type prefixes of people's events. */
export const PEOPLE_EVENT_PREFIXES = ['organization.', 'user.', 'department.'] as const;
