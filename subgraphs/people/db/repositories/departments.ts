import type { Insertable, Updateable } from 'kysely';
import type { PeopleDb } from '../database.ts';
import type { DepartmentRow, DepartmentsTable } from '../tables/departments.ts';

export async function insertDepartment(db: PeopleDb, values: Insertable<DepartmentsTable>): Promise<DepartmentRow> {
  return db.insertInto('departments').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function updateDepartment(
  db: PeopleDb,
  orgId: string,
  id: string,
  patch: Updateable<DepartmentsTable>,
): Promise<DepartmentRow> {
  return db
    .updateTable('departments')
    .set({ ...patch, updated_at: new Date() })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Every department of the organization (for publishing a full snapshot, e.g. after seeding). */
export async function findDepartmentsOfOrganization(db: PeopleDb, orgId: string): Promise<DepartmentRow[]> {
  return db.selectFrom('departments').selectAll().where('org_id', '=', orgId).orderBy('created_at').orderBy('id').execute();
}
