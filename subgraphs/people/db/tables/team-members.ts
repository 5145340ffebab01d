export interface TeamMembersTable {
  org_id: string;
  team_id: string;
  user_id: string;
}
