import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schemaDb } from '../../../../../subgraphs/shared/database.ts';
import { PEOPLE_SCHEMA, type PeopleDatabase, type PeopleDb } from '../../../../../subgraphs/people/db/database.ts';
import {
  DEMO_ADMIN_EMAIL,
  DEMO_ORG_ID,
  seedDemoOrganization,
  type DemoOrganization,
} from '../../../../../subgraphs/people/db/seed/demo-organization.ts';
import type { UserRow } from '../../../../../subgraphs/people/db/tables/users.ts';
import { createTestDatabase, type TestDatabase } from '../../../../helpers/test-database.ts';

const TABLES = ['organizations', 'sites', 'departments', 'users', 'teams', 'team_members', 'tags', 'user_tags', 'user_notes'] as const;

let database: TestDatabase;
let db: PeopleDb;
let first: DemoOrganization;
let users: UserRow[];

/** Every row of every seeded table, in a stable order: to compare before and after. */
async function snapshot(): Promise<Record<string, unknown[]>> {
  const result: Record<string, unknown[]> = {};
  for (const table of TABLES) {
    const rows = await db.selectFrom(table).selectAll().execute();
    result[table] = rows.map((r) => JSON.stringify(r)).sort();
  }
  return result;
}

beforeAll(async () => {
  database = await createTestDatabase();
  db = schemaDb<PeopleDatabase>(database.handle, PEOPLE_SCHEMA);
  first = await seedDemoOrganization(db, { today: new Date('2026-11-23T12:00:00Z') });
  users = await db.selectFrom('users').selectAll().where('org_id', '=', first.orgId).execute();
});
afterAll(() => database.close());

describe('seedDemoOrganization', () => {
  it('should create Northwind Trading with its fixed id and return the demo admin', async () => {
    expect(first).toMatchObject({ orgId: DEMO_ORG_ID, created: true });
    const org = await db.selectFrom('organizations').selectAll().where('id', '=', first.orgId).executeTakeFirstOrThrow();
    expect(org).toMatchObject({ name: 'Northwind Trading', time_zone: 'Europe/London', country: 'GB', leave_year_start_month: 1 });
    const admin = users.find((u) => u.id === first.adminUserId);
    expect(admin).toMatchObject({ email: DEMO_ADMIN_EMAIL, first_name: 'Alex', last_name: 'Morgan', role: 'ADMIN' });
    const peopleAndFinance = await db.selectFrom('departments').selectAll().where('id', '=', admin!.department_id!).executeTakeFirstOrThrow();
    expect(peopleAndFinance.name).toBe('People & Finance');
  });

  it('should create 40 users: 2 admins, 4 managers and 34 employees', () => {
    expect(users).toHaveLength(40);
    const count = (role: string) => users.filter((u) => u.role === role).length;
    expect([count('ADMIN'), count('MANAGER'), count('EMPLOYEE')]).toEqual([2, 4, 34]);
  });

  it('should give every user a unique lower-case ASCII first.last email and a unique external id', () => {
    const emails = users.map((u) => u.email);
    expect(new Set(emails).size).toBe(40);
    for (const email of emails) expect(email).toMatch(/^[a-z0-9-]+\.[a-z0-9-]+@northwind\.example$/);
    const externalIds = users.map((u) => u.external_id);
    expect(new Set(externalIds).size).toBe(40);
    for (const id of externalIds) expect(id).toMatch(/^EMP-\d{4}$/);
  });

  it('should give at least 3 departments each a MANAGER who is a member of it', async () => {
    const departments = await db.selectFrom('departments').selectAll().where('org_id', '=', first.orgId).execute();
    expect(departments.length).toBeGreaterThanOrEqual(3);
    expect(departments.map((d) => d.name)).toEqual(expect.arrayContaining(['Engineering', 'Sales', 'Operations', 'People & Finance']));
    for (const department of departments) {
      const manager = users.find((u) => u.id === department.manager_id);
      expect(manager, department.name).toBeDefined();
      expect(manager!.role).toBe('MANAGER');
      expect(manager!.department_id).toBe(department.id);
    }
  });

  it("should give every non-admin a manager in the organization, and each employee their department's manager", async () => {
    const byId = new Map(users.map((u) => [u.id, u]));
    const departments = await db.selectFrom('departments').selectAll().where('org_id', '=', first.orgId).execute();
    const managerOf = new Map(departments.map((d) => [d.id, d.manager_id]));
    for (const user of users.filter((u) => u.role !== 'ADMIN')) {
      expect(user.manager_id, user.email).not.toBeNull();
      expect(byId.get(user.manager_id!)?.org_id, user.email).toBe(first.orgId);
    }
    for (const user of users.filter((u) => u.role === 'EMPLOYEE')) {
      expect(user.manager_id, user.email).toBe(managerOf.get(user.department_id!));
    }
    for (const manager of users.filter((u) => u.role === 'MANAGER')) {
      expect(byId.get(manager.manager_id!)?.role, manager.email).toBe('ADMIN');
    }
  });

  it('should have no management cycles', () => {
    const byId = new Map(users.map((u) => [u.id, u]));
    for (const user of users) {
      const seen = new Set<string>();
      let current: UserRow | undefined = user;
      while (current) {
        expect(seen.has(current.id), `cycle through ${user.email}`).toBe(false);
        seen.add(current.id);
        current = current.manager_id ? byId.get(current.manager_id) : undefined;
      }
    }
  });

  it('should give every user a valid working pattern for their employment type', () => {
    for (const user of users) {
      expect(user.working_pattern, user.email).toHaveLength(7);
      const hours = user.working_pattern.map(Number);
      for (const h of hours) expect(h >= 0 && h <= 24, user.email).toBe(true);
      const total = hours.reduce((a, b) => a + b, 0);
      if (user.employment_type === 'IRREGULAR_HOURS') expect(total, user.email).toBe(0);
      else expect(total, user.email).toBeGreaterThan(0);
      if (user.employment_type === 'FULL_TIME') expect([37.5, 40], user.email).toContain(total);
    }
    const count = (type: string) => users.filter((u) => u.employment_type === type).length;
    expect(count('PART_TIME')).toBe(6);
    expect(count('IRREGULAR_HOURS')).toBe(3);
  });

  it('should spread employment start dates over the last 8 years, on or before today', () => {
    const dates = users.map((u) => u.employment_start_date!).sort();
    expect(dates[0]! >= '2018-11-23').toBe(true);
    expect(dates.at(-1)! <= '2026-11-23').toBe(true);
    expect(new Set(dates.map((d) => d.slice(0, 4))).size).toBeGreaterThanOrEqual(6);
  });

  it('should place people in Edinburgh (SCT) and remote in other countries', async () => {
    const sites = await db.selectFrom('sites').selectAll().where('org_id', '=', first.orgId).execute();
    expect(sites.map((s) => [s.name, s.country, s.region]).sort()).toEqual([
      ['Edinburgh', 'GB', 'SCT'],
      ['London HQ', 'GB', 'ENG'],
    ]);
    const edinburgh = sites.find((s) => s.name === 'Edinburgh')!;
    const scots = users.filter((u) => u.site_id === edinburgh.id);
    expect(scots.length).toBeGreaterThanOrEqual(3);
    for (const user of scots) expect(user.region).toBe('SCT');
    expect(users.filter((u) => u.country !== 'GB').map((u) => u.country).sort()).toEqual(['BR', 'IE']);
  });

  it('should create teams with members, coloured tags on a few users and notes by the admin', async () => {
    const teams = await db.selectFrom('teams').selectAll().where('org_id', '=', first.orgId).execute();
    expect(teams.map((t) => t.name).sort()).toEqual(['Key Accounts', 'Platform', 'Warehouse Night Shift']);
    const members = await db.selectFrom('team_members').selectAll().where('org_id', '=', first.orgId).execute();
    for (const team of teams) expect(members.filter((m) => m.team_id === team.id).length, team.name).toBeGreaterThanOrEqual(3);

    const tags = await db.selectFrom('tags').selectAll().where('org_id', '=', first.orgId).execute();
    expect(tags.map((t) => t.name).sort()).toEqual(['Fire warden', 'First aider', 'Key holder', 'Mental health first aider']);
    for (const tag of tags) expect(tag.colour).toMatch(/^#[0-9A-F]{6}$/);
    const userTags = await db.selectFrom('user_tags').selectAll().where('org_id', '=', first.orgId).execute();
    expect(new Set(userTags.map((t) => t.tag_id)).size).toBe(4);

    const notes = await db.selectFrom('user_notes').selectAll().where('org_id', '=', first.orgId).execute();
    expect(notes.length).toBeGreaterThanOrEqual(2);
    for (const note of notes) expect(note.author_id).toBe(first.adminUserId);
  });

  it('should find the organization on a second call and change nothing', async () => {
    const before = await snapshot();
    const second = await seedDemoOrganization(db);
    expect(second).toEqual({ orgId: first.orgId, adminUserId: first.adminUserId, created: false });
    expect(await snapshot()).toEqual(before);
  });
});
