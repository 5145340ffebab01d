import { sql, type Insertable, type Updateable } from 'kysely';
import type { PeopleDb } from '../database.ts';
import type { TeamRow, TeamsTable } from '../tables/teams.ts';

export async function insertTeam(db: PeopleDb, values: Insertable<TeamsTable>): Promise<TeamRow> {
  return db.insertInto('teams').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function updateTeam(db: PeopleDb, orgId: string, id: string, patch: Updateable<TeamsTable>): Promise<TeamRow> {
  return db
    .updateTable('teams')
    .set({ ...patch, updated_at: new Date() })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Replaces a team's members. */
export async function setTeamMembers(db: PeopleDb, orgId: string, teamId: string, userIds: readonly string[]): Promise<void> {
  await db.deleteFrom('team_members').where('org_id', '=', orgId).where('team_id', '=', teamId).execute();
  if (userIds.length > 0) {
    await db.insertInto('team_members').values(userIds.map((user_id) => ({ org_id: orgId, team_id: teamId, user_id }))).execute();
  }
}

/** Active teams of each of `userIds`, as (user id, team row) pairs, by team name. */
export async function findTeamsOfUsers(
  db: PeopleDb,
  orgId: string,
  userIds: readonly string[],
): Promise<(TeamRow & { member_id: string })[]> {
  if (userIds.length === 0) return [];
  return db
    .selectFrom('team_members as m')
    .innerJoin('teams as t', 't.id', 'm.team_id')
    .selectAll('t')
    .select(sql<string>`m.user_id`.as('member_id'))
    .where('m.org_id', '=', orgId)
    .where('m.user_id', 'in', userIds)
    .where('t.deactivated_at', 'is', null)
    .orderBy('t.name')
    .execute();
}
