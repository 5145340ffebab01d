export interface UserTagsTable {
  org_id: string;
  user_id: string;
  tag_id: string;
}
