import type { Role } from '../../../shared/identity.ts';
import { appendEvents } from '../../../shared/outbox.ts';
import { organizationSnapshotEvents } from '../../events.ts';
import { isUniqueViolation } from '../../../shared/errors.ts';
import type { PeopleDb } from '../database.ts';
import { insertDepartment, updateDepartment } from '../repositories/departments.ts';
import { findOrganizations, insertOrganization } from '../repositories/organizations.ts';
import { insertSite } from '../repositories/sites.ts';
import { insertTag } from '../repositories/tags.ts';
import { insertTeam, setTeamMembers } from '../repositories/teams.ts';
import { insertUserNote } from '../repositories/user-notes.ts';
import { findUserIdByEmail, insertUser, listUsers, setUserTags } from '../repositories/users.ts';
import type { EmploymentType } from '../tables/users.ts';

/** Fixed id of the demo organization: how a later start finds it again. */
export const DEMO_ORG_ID = '6e0c1f4a-2b7d-4d39-9a5e-8c1b0f7d2a61';
/** Email of the demo admin (Alex Morgan), whose id the seed returns. */
export const DEMO_ADMIN_EMAIL = 'alex.morgan@northwind.example';
/** Name of the demo organization. */
const DEMO_ORG_NAME = 'Northwind Trading';
/** Email domain of every demo user. */
const DEMO_EMAIL_DOMAIN = 'northwind.example';

/** Options of {@link seedDemoOrganization}. */
export interface SeedDemoOptions {
  /** The day employment start dates are counted back from; default today (UTC). */
  readonly today?: Date | undefined;
}

/** What {@link seedDemoOrganization} returns. */
export interface DemoOrganization {
  readonly orgId: string;
  readonly adminUserId: string;
  /** True when this call inserted the organization, false when it already existed. */
  readonly created: boolean;
}

// ---------------------------------------------------------------------------------------
// The data. People are listed managers first: users.manager_id is not deferrable, so a
// manager's row must exist before their reports' rows.

type DepartmentKey = 'ENG' | 'SALES' | 'OPS' | 'PF';
type SiteKey = 'LON' | 'EDI';
type TeamKey = 'PLATFORM' | 'KEY_ACCOUNTS' | 'NIGHT_SHIFT';
type TagKey = 'FIRST_AIDER' | 'FIRE_WARDEN' | 'MHFA' | 'KEY_HOLDER';
/** Where someone works: a site, or remote from another country (public holiday variety). */
type Location = SiteKey | 'REMOTE_IE' | 'REMOTE_BR';

interface SeedPerson {
  readonly first: string;
  readonly last: string;
  readonly department: DepartmentKey;
  readonly role: Role;
  /** `first.last` key of the manager (listed earlier); null only for the managing director. */
  readonly manager: string | null;
  readonly location: Location;
  readonly type?: EmploymentType;
  /** Monday..Sunday hours; default the department's full-time day, five days a week. */
  readonly pattern?: readonly string[];
  readonly teams?: readonly TeamKey[];
  readonly tags?: readonly TagKey[];
  /** Fixed days of service before `today` (otherwise drawn from the seeded PRNG). */
  readonly tenureDays?: number;
}

const DEPARTMENTS: Record<DepartmentKey, { name: string; hoursPerDay: string }> = {
  ENG: { name: 'Engineering', hoursPerDay: '8' },
  SALES: { name: 'Sales', hoursPerDay: '7.5' },
  OPS: { name: 'Operations', hoursPerDay: '8' },
  PF: { name: 'People & Finance', hoursPerDay: '7.5' },
};

/** The MANAGER-role person (by `first.last` key) who manages each department. */
const DEPARTMENT_MANAGERS: Record<DepartmentKey, string> = {
  ENG: 'nadia.haddad',
  SALES: 'marcus.reid',
  OPS: 'gareth.llewellyn',
  PF: 'rajesh.iyer',
};

const SITES: Record<SiteKey, { name: string; region: string; address: string }> = {
  LON: { name: 'London HQ', region: 'ENG', address: '14 Bishopsgate, London EC2N 4AJ, United Kingdom' },
  EDI: { name: 'Edinburgh', region: 'SCT', address: '3 Lochside Crescent, Edinburgh EH12 9DT, United Kingdom' },
};

const TEAMS: Record<TeamKey, { name: string; description: string; department: DepartmentKey }> = {
  PLATFORM: { name: 'Platform', description: 'Internal platform, CI/CD and cloud infrastructure.', department: 'ENG' },
  KEY_ACCOUNTS: { name: 'Key Accounts', description: 'Account management for the top 50 wholesale customers.', department: 'SALES' },
  NIGHT_SHIFT: { name: 'Warehouse Night Shift', description: 'Overnight picking, packing and dispatch at the London warehouse.', department: 'OPS' },
};

const TAGS: Record<TagKey, { name: string; colour: string }> = {
  FIRST_AIDER: { name: 'First aider', colour: '#2E7D32' },
  FIRE_WARDEN: { name: 'Fire warden', colour: '#C62828' },
  MHFA: { name: 'Mental health first aider', colour: '#6A1B9A' },
  KEY_HOLDER: { name: 'Key holder', colour: '#F9A825' },
};

const PART_TIME_MON_TO_WED = ['7.5', '7.5', '7.5', '0', '0', '0', '0'];
const PART_TIME_TUE_TO_FRI = ['0', '6', '6', '6', '6', '0', '0'];
const PART_TIME_MORNINGS = ['4', '4', '4', '4', '4', '0', '0'];
const PART_TIME_MON_TUE_THU = ['7.5', '7.5', '0', '7.5', '0', '0', '0'];
const PART_TIME_WED_TO_FRI = ['0', '0', '8', '8', '8', '0', '0'];
const PART_TIME_SHORT_DAYS = ['5', '5', '5', '5', '0', '0', '0'];
const NO_FIXED_HOURS = ['0', '0', '0', '0', '0', '0', '0'];

const PEOPLE: readonly SeedPerson[] = [
  // Leadership: the managing director and the demo admin (Head of People).
  { first: 'Catherine', last: 'Oyelaran', department: 'PF', role: 'ADMIN', manager: null, location: 'LON', tags: ['KEY_HOLDER'], tenureDays: 2905 },
  { first: 'Alex', last: 'Morgan', department: 'PF', role: 'ADMIN', manager: 'catherine.oyelaran', location: 'LON', tags: ['MHFA'], tenureDays: 2480 },
  // Department managers.
  { first: 'Nadia', last: 'Haddad', department: 'ENG', role: 'MANAGER', manager: 'catherine.oyelaran', location: 'LON', teams: ['PLATFORM'], tenureDays: 2210 },
  { first: 'Marcus', last: 'Reid', department: 'SALES', role: 'MANAGER', manager: 'catherine.oyelaran', location: 'LON', teams: ['KEY_ACCOUNTS'], tenureDays: 2650 },
  { first: 'Gareth', last: 'Llewellyn', department: 'OPS', role: 'MANAGER', manager: 'catherine.oyelaran', location: 'LON', tags: ['KEY_HOLDER'], tenureDays: 2790 },
  { first: 'Rajesh', last: 'Iyer', department: 'PF', role: 'MANAGER', manager: 'alex.morgan', location: 'LON', tenureDays: 1930 },
  // People & Finance.
  { first: 'Sophie', last: 'Laurent', department: 'PF', role: 'EMPLOYEE', manager: 'rajesh.iyer', location: 'LON', tags: ['FIRE_WARDEN'] },
  { first: 'Daniel', last: 'Kowalczyk', department: 'PF', role: 'EMPLOYEE', manager: 'rajesh.iyer', location: 'LON', type: 'PART_TIME', pattern: PART_TIME_TUE_TO_FRI },
  { first: 'Amara', last: 'Nwosu', department: 'PF', role: 'EMPLOYEE', manager: 'rajesh.iyer', location: 'EDI' },
  // Engineering.
  { first: 'Oliver', last: 'Grant', department: 'ENG', role: 'EMPLOYEE', manager: 'nadia.haddad', location: 'LON', teams: ['PLATFORM'] },
  { first: 'Mei', last: 'Chen', department: 'ENG', role: 'EMPLOYEE', manager: 'nadia.haddad', location: 'LON', teams: ['PLATFORM'] },
  { first: 'Kwame', last: 'Mensah', department: 'ENG', role: 'EMPLOYEE', manager: 'nadia.haddad', location: 'LON', teams: ['PLATFORM'] },
  { first: 'João', last: 'Pereira', department: 'ENG', role: 'EMPLOYEE', manager: 'nadia.haddad', location: 'REMOTE_BR', teams: ['PLATFORM'] },
  { first: 'Siobhán', last: "O'Connor", department: 'ENG', role: 'EMPLOYEE', manager: 'nadia.haddad', location: 'REMOTE_IE', teams: ['PLATFORM'] },
  { first: 'Lucas', last: 'Meyer', department: 'ENG', role: 'EMPLOYEE', manager: 'nadia.haddad', location: 'LON' },
  { first: 'Hannah', last: 'Brooks', department: 'ENG', role: 'EMPLOYEE', manager: 'nadia.haddad', location: 'LON', type: 'PART_TIME', pattern: PART_TIME_MON_TO_WED, tags: ['MHFA'] },
  { first: 'Arjun', last: 'Patel', department: 'ENG', role: 'EMPLOYEE', manager: 'nadia.haddad', location: 'LON' },
  { first: 'Fiona', last: 'MacLeod', department: 'ENG', role: 'EMPLOYEE', manager: 'nadia.haddad', location: 'EDI', tags: ['FIRST_AIDER'] },
  { first: 'Ewan', last: 'Fraser', department: 'ENG', role: 'EMPLOYEE', manager: 'nadia.haddad', location: 'EDI' },
  { first: 'Yuki', last: 'Tanaka', department: 'ENG', role: 'EMPLOYEE', manager: 'nadia.haddad', location: 'LON' },
  { first: 'Zainab', last: 'Hussain', department: 'ENG', role: 'EMPLOYEE', manager: 'nadia.haddad', location: 'LON', type: 'PART_TIME', pattern: PART_TIME_MORNINGS },
  // Sales.
  { first: 'Chloé', last: 'Dubois', department: 'SALES', role: 'EMPLOYEE', manager: 'marcus.reid', location: 'LON', teams: ['KEY_ACCOUNTS'] },
  { first: 'Samuel', last: 'Adeyemi', department: 'SALES', role: 'EMPLOYEE', manager: 'marcus.reid', location: 'LON', teams: ['KEY_ACCOUNTS'], tags: ['FIRST_AIDER'] },
  { first: 'Grace', last: 'Kim', department: 'SALES', role: 'EMPLOYEE', manager: 'marcus.reid', location: 'LON', teams: ['KEY_ACCOUNTS'] },
  { first: 'Liam', last: 'Doherty', department: 'SALES', role: 'EMPLOYEE', manager: 'marcus.reid', location: 'EDI', teams: ['KEY_ACCOUNTS'] },
  { first: 'Priya', last: 'Sharma', department: 'SALES', role: 'EMPLOYEE', manager: 'marcus.reid', location: 'LON', type: 'PART_TIME', pattern: PART_TIME_MON_TUE_THU },
  { first: 'Tom', last: 'Hughes', department: 'SALES', role: 'EMPLOYEE', manager: 'marcus.reid', location: 'LON' },
  { first: 'Elena', last: 'Rossi', department: 'SALES', role: 'EMPLOYEE', manager: 'marcus.reid', location: 'LON' },
  { first: 'Ben', last: 'Carter', department: 'SALES', role: 'EMPLOYEE', manager: 'marcus.reid', location: 'LON', type: 'IRREGULAR_HOURS', pattern: NO_FIXED_HOURS },
  { first: 'Aisha', last: 'Rahman', department: 'SALES', role: 'EMPLOYEE', manager: 'marcus.reid', location: 'LON', type: 'PART_TIME', pattern: PART_TIME_SHORT_DAYS },
  // Operations.
  { first: 'Patrick', last: 'Byrne', department: 'OPS', role: 'EMPLOYEE', manager: 'gareth.llewellyn', location: 'LON', teams: ['NIGHT_SHIFT'] },
  { first: 'Dmitri', last: 'Volkov', department: 'OPS', role: 'EMPLOYEE', manager: 'gareth.llewellyn', location: 'LON', teams: ['NIGHT_SHIFT'], tags: ['KEY_HOLDER'] },
  { first: 'Tunde', last: 'Bakare', department: 'OPS', role: 'EMPLOYEE', manager: 'gareth.llewellyn', location: 'LON', type: 'IRREGULAR_HOURS', pattern: NO_FIXED_HOURS, teams: ['NIGHT_SHIFT'] },
  { first: 'Agnieszka', last: 'Nowak', department: 'OPS', role: 'EMPLOYEE', manager: 'gareth.llewellyn', location: 'LON', type: 'IRREGULAR_HOURS', pattern: NO_FIXED_HOURS, teams: ['NIGHT_SHIFT'] },
  { first: 'Rosa', last: 'Martínez', department: 'OPS', role: 'EMPLOYEE', manager: 'gareth.llewellyn', location: 'LON', tags: ['FIRST_AIDER'] },
  { first: 'Callum', last: 'Stewart', department: 'OPS', role: 'EMPLOYEE', manager: 'gareth.llewellyn', location: 'EDI', tags: ['FIRE_WARDEN', 'KEY_HOLDER'] },
  { first: 'Isla', last: 'Campbell', department: 'OPS', role: 'EMPLOYEE', manager: 'gareth.llewellyn', location: 'EDI', type: 'PART_TIME', pattern: PART_TIME_WED_TO_FRI },
  { first: 'Jack', last: 'Thompson', department: 'OPS', role: 'EMPLOYEE', manager: 'gareth.llewellyn', location: 'LON', tags: ['FIRE_WARDEN'] },
  { first: 'Leila', last: 'Karimi', department: 'OPS', role: 'EMPLOYEE', manager: 'gareth.llewellyn', location: 'LON' },
  { first: 'Noah', last: 'Williams', department: 'OPS', role: 'EMPLOYEE', manager: 'gareth.llewellyn', location: 'LON' },
];

/** Notes the demo admin has written, by subject's `first.last` key. */
const NOTES: readonly { subject: string; body: string }[] = [
  {
    subject: 'daniel.kowalczyk',
    body: 'Flexible working request approved: Tuesday to Friday, 6 hours a day, from his return from paternity leave. Review in six months.',
  },
  {
    subject: 'fiona.macleod',
    body: 'Completed the three-day First Aid at Work refresher. Certificate valid for three years; renewal reminder booked.',
  },
  {
    subject: 'joao.pereira',
    body: 'Employed through our employer-of-record partner in Brazil: public holidays follow São Paulo (SP). Leave approvals still go through Nadia.',
  },
];

/** Longest tenure drawn for someone without a fixed one: just under eight years. */
const MAX_TENURE_DAYS = 2900;
const MIN_TENURE_DAYS = 45;
const PRNG_SEED = 0x4e57_2024;
const DAY_MS = 86_400_000;

// ---------------------------------------------------------------------------------------

/** `first.last`, lower-case ASCII: accents dropped, apostrophes and spaces removed. */
function emailLocalPart(first: string, last: string): string {
  const ascii = (s: string) =>
    s
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, '');
  return `${ascii(first)}.${ascii(last)}`;
}

/** mulberry32: a tiny deterministic PRNG, uniform in [0, 1). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** `today` minus `days`, moved back to that week's Monday (people start on Mondays), as YYYY-MM-DD. */
function startDate(today: Date, days: number): string {
  const base = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  const day = new Date(base - days * DAY_MS);
  const sinceMonday = (day.getUTCDay() + 6) % 7;
  return new Date(day.getTime() - sinceMonday * DAY_MS).toISOString().slice(0, 10);
}

function location(loc: Location): { site: SiteKey | null; country: string; region: string | null } {
  switch (loc) {
    case 'LON':
      return { site: 'LON', country: 'GB', region: 'ENG' };
    case 'EDI':
      return { site: 'EDI', country: 'GB', region: 'SCT' };
    case 'REMOTE_IE':
      return { site: null, country: 'IE', region: null };
    case 'REMOTE_BR':
      return { site: null, country: 'BR', region: 'SP' };
  }
}

function must<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`demo seed: unknown ${what}`);
  return value;
}

/** The demo admin's id in an existing demo organization: by email, else its first active admin. */
async function findDemoAdmin(db: PeopleDb): Promise<string> {
  const byEmail = await findUserIdByEmail(db, DEMO_ORG_ID, DEMO_ADMIN_EMAIL);
  if (byEmail) return byEmail;
  const [admin] = await listUsers(db, DEMO_ORG_ID, { roles: ['ADMIN'], status: 'ACTIVE' }, 1, {});
  if (!admin) throw new Error(`demo organization ${DEMO_ORG_ID} exists but has no active admin`);
  return admin.id;
}

/**
 * Seeds the demo organization once; returns its ids. A second call finds it and changes nothing.
 *
 * "Northwind Trading" (Europe/London, GB, leave year from January) with its fixed id
 * {@link DEMO_ORG_ID}: two sites (London HQ, Edinburgh), four departments with their
 * managers, 40 people (2 admins, 4 managers, 34 employees; full-time, part-time and
 * irregular-hours; two remote workers in Ireland and Brazil), three teams, four tags and
 * a few notes by the demo admin, Alex Morgan ({@link DEMO_ADMIN_EMAIL}). Everything is
 * inserted in one transaction, so a failed seed leaves nothing behind. The data is fixed
 * except employment start dates, which are fixed offsets (up to eight years) back from
 * `options.today` (default today). Two processes seeding at once: one inserts, the other
 * finds its result.
 */
export async function seedDemoOrganization(db: PeopleDb, options: SeedDemoOptions = {}): Promise<DemoOrganization> {
  const [existing] = await findOrganizations(db, [DEMO_ORG_ID]);
  if (existing) return { orgId: existing.id, adminUserId: await findDemoAdmin(db), created: false };
  try {
    const adminUserId = await db.transaction().execute(async (trx) => {
      const admin = await insertDemoOrganization(trx, options.today ?? new Date());
      // The seed bypasses the mutations: publish the same facts they would have.
      await appendEvents(trx, await organizationSnapshotEvents(trx, DEMO_ORG_ID));
      return admin;
    });
    return { orgId: DEMO_ORG_ID, adminUserId, created: true };
  } catch (error) {
    // Another process seeded it between our look-up and our insert.
    if (isUniqueViolation(error, 'organizations_pkey')) return { orgId: DEMO_ORG_ID, adminUserId: await findDemoAdmin(db), created: false };
    throw error;
  }
}

/** Inserts every row of the demo organization; returns the demo admin's id. */
async function insertDemoOrganization(trx: PeopleDb, today: Date): Promise<string> {
  const org = await insertOrganization(trx, {
    id: DEMO_ORG_ID,
    name: DEMO_ORG_NAME,
    time_zone: 'Europe/London',
    country: 'GB',
    leave_year_start_month: 1,
  });
  const orgId = org.id;

  const siteIds = new Map<SiteKey, string>();
  for (const [key, site] of Object.entries(SITES) as [SiteKey, (typeof SITES)[SiteKey]][]) {
    const row = await insertSite(trx, {
      org_id: orgId,
      name: site.name,
      time_zone: 'Europe/London',
      country: 'GB',
      region: site.region,
      address: site.address,
      deactivated_at: null,
    });
    siteIds.set(key, row.id);
  }

  // Departments first, without managers: their managers do not exist yet.
  const departmentIds = new Map<DepartmentKey, string>();
  for (const [key, department] of Object.entries(DEPARTMENTS) as [DepartmentKey, (typeof DEPARTMENTS)[DepartmentKey]][]) {
    const row = await insertDepartment(trx, { org_id: orgId, name: department.name, manager_id: null, deactivated_at: null });
    departmentIds.set(key, row.id);
  }

  // External ids follow seniority (longest-serving first); ties keep list order.
  const random = mulberry32(PRNG_SEED);
  const tenures = PEOPLE.map((p) => p.tenureDays ?? MIN_TENURE_DAYS + Math.floor(random() * (MAX_TENURE_DAYS - MIN_TENURE_DAYS)));
  const bySeniority = PEOPLE.map((_, i) => i).sort((a, b) => (tenures[b] ?? 0) - (tenures[a] ?? 0) || a - b);
  const externalIds = new Map<number, string>(bySeniority.map((index, rank) => [index, `EMP-${String(rank + 1).padStart(4, '0')}`]));

  const userIds = new Map<string, string>();
  for (const [index, person] of PEOPLE.entries()) {
    const key = emailLocalPart(person.first, person.last);
    const where = location(person.location);
    const hours = DEPARTMENTS[person.department].hoursPerDay;
    const row = await insertUser(trx, {
      org_id: orgId,
      email: `${key}@${DEMO_EMAIL_DOMAIN}`,
      first_name: person.first,
      last_name: person.last,
      role: person.role,
      department_id: must(departmentIds.get(person.department), `department ${person.department}`),
      manager_id: person.manager === null ? null : must(userIds.get(person.manager), `manager ${person.manager} (list managers first)`),
      site_id: where.site === null ? null : must(siteIds.get(where.site), `site ${where.site}`),
      country: where.country,
      region: where.region,
      employment_start_date: startDate(today, tenures[index] ?? 0),
      employment_type: person.type ?? 'FULL_TIME',
      working_pattern: [...(person.pattern ?? [hours, hours, hours, hours, hours, '0', '0'])],
      external_id: must(externalIds.get(index), `external id of ${key}`),
      deactivated_at: null,
    });
    userIds.set(key, row.id);
  }

  for (const [key, managerKey] of Object.entries(DEPARTMENT_MANAGERS) as [DepartmentKey, string][]) {
    await updateDepartment(trx, orgId, must(departmentIds.get(key), `department ${key}`), {
      manager_id: must(userIds.get(managerKey), `manager ${managerKey}`),
    });
  }

  for (const [key, team] of Object.entries(TEAMS) as [TeamKey, (typeof TEAMS)[TeamKey]][]) {
    const row = await insertTeam(trx, {
      org_id: orgId,
      name: team.name,
      description: team.description,
      department_id: must(departmentIds.get(team.department), `department ${team.department}`),
      deactivated_at: null,
    });
    const members = PEOPLE.filter((p) => p.teams?.includes(key)).map((p) => must(userIds.get(emailLocalPart(p.first, p.last)), 'member'));
    await setTeamMembers(trx, orgId, row.id, members);
  }

  const tagIds = new Map<TagKey, string>();
  for (const [key, tag] of Object.entries(TAGS) as [TagKey, (typeof TAGS)[TagKey]][]) {
    const row = await insertTag(trx, { org_id: orgId, name: tag.name, colour: tag.colour });
    tagIds.set(key, row.id);
  }
  for (const person of PEOPLE) {
    if (!person.tags || person.tags.length === 0) continue;
    const userId = must(userIds.get(emailLocalPart(person.first, person.last)), 'tagged user');
    await setUserTags(trx, orgId, userId, person.tags.map((t) => must(tagIds.get(t), `tag ${t}`)));
  }

  const adminUserId = must(userIds.get(DEMO_ADMIN_EMAIL.split('@')[0] ?? ''), 'demo admin');
  for (const note of NOTES) {
    await insertUserNote(trx, {
      org_id: orgId,
      user_id: must(userIds.get(note.subject), `note subject ${note.subject}`),
      author_id: adminUserId,
      body: note.body,
    });
  }
  return adminUserId;
}
