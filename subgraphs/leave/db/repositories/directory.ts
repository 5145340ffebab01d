import { sql } from 'kysely';
import type { LeaveDb } from '../database.ts';
import type { DirectoryDepartmentRow, DirectoryDepartmentsTable, DirectoryOrganizationRow, DirectoryOrganizationsTable, DirectoryUserRow, DirectoryUsersTable } from '../tables/directory.ts';

// Upserts apply a snapshot only when it is newer than what the row holds, so replaying
// or reordering events can never move the directory backwards.

export async function upsertDirectoryOrganization(db: LeaveDb, row: DirectoryOrganizationsTable): Promise<void> {
  await db
    .insertInto('directory_organizations')
    .values(row)
    .onConflict((oc) =>
      oc
        .column('org_id')
        .doUpdateSet((eb) => ({
          time_zone: eb.ref('excluded.time_zone'),
          country: eb.ref('excluded.country'),
          leave_year_start_month: eb.ref('excluded.leave_year_start_month'),
          full_time_weekly_hours: eb.ref('excluded.full_time_weekly_hours'),
          last_event_id: eb.ref('excluded.last_event_id'),
        }))
        .where('directory_organizations.last_event_id', '<', sql<number>`excluded.last_event_id`),
    )
    .execute();
}

export async function upsertDirectoryDepartment(db: LeaveDb, row: DirectoryDepartmentsTable): Promise<void> {
  await db
    .insertInto('directory_departments')
    .values(row)
    .onConflict((oc) =>
      oc
        .column('id')
        .doUpdateSet((eb) => ({
          manager_id: eb.ref('excluded.manager_id'),
          active: eb.ref('excluded.active'),
          last_event_id: eb.ref('excluded.last_event_id'),
        }))
        .where('directory_departments.last_event_id', '<', sql<number>`excluded.last_event_id`),
    )
    .execute();
}

export async function upsertDirectoryUser(db: LeaveDb, row: DirectoryUsersTable): Promise<void> {
  await db
    .insertInto('directory_users')
    .values(row)
    .onConflict((oc) =>
      oc
        .column('id')
        .doUpdateSet((eb) => ({
          department_id: eb.ref('excluded.department_id'),
          manager_id: eb.ref('excluded.manager_id'),
          role: eb.ref('excluded.role'),
          country: eb.ref('excluded.country'),
          region: eb.ref('excluded.region'),
          working_pattern: eb.ref('excluded.working_pattern'),
          employment_type: eb.ref('excluded.employment_type'),
          employment_start_date: eb.ref('excluded.employment_start_date'),
          active: eb.ref('excluded.active'),
          last_event_id: eb.ref('excluded.last_event_id'),
        }))
        .where('directory_users.last_event_id', '<', sql<number>`excluded.last_event_id`),
    )
    .execute();
}

export async function findDirectoryUsers(db: LeaveDb, orgId: string, ids: readonly string[]): Promise<DirectoryUserRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('directory_users').selectAll().where('org_id', '=', orgId).where('id', 'in', ids).execute();
}

export async function findDirectoryDepartments(db: LeaveDb, orgId: string, ids: readonly string[]): Promise<DirectoryDepartmentRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('directory_departments').selectAll().where('org_id', '=', orgId).where('id', 'in', ids).execute();
}

export async function findDirectoryOrganization(db: LeaveDb, orgId: string): Promise<DirectoryOrganizationRow | undefined> {
  return db.selectFrom('directory_organizations').selectAll().where('org_id', '=', orgId).executeTakeFirst();
}

/** Active members of a department. */
export async function findDepartmentMembers(db: LeaveDb, orgId: string, departmentId: string): Promise<DirectoryUserRow[]> {
  return db
    .selectFrom('directory_users')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('department_id', '=', departmentId)
    .where('active', '=', true)
    .execute();
}

/** Ids of users, active or not, whose line manager is `managerId` or whose department `managerId` manages. */
export async function findManagedUserIds(db: LeaveDb, orgId: string, managerId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('directory_users as u')
    .leftJoin('directory_departments as d', (j) => j.onRef('d.id', '=', 'u.department_id').onRef('d.org_id', '=', 'u.org_id'))
    .select('u.id')
    .where('u.org_id', '=', orgId)
    .where((eb) => eb.or([eb('u.manager_id', '=', managerId), eb('d.manager_id', '=', managerId)]))
    .execute();
  return rows.map((r) => r.id);
}
