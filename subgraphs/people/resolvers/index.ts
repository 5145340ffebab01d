import { DateScalar, DateTimeScalar } from '../../shared/scalars.ts';
import { apiKeyResolvers } from './api-keys.ts';
import { departmentResolvers } from './departments.ts';
import { organizationResolvers } from './organization.ts';
import { siteResolvers } from './sites.ts';
import { tagResolvers } from './tags.ts';
import { teamResolvers } from './teams.ts';
import { userNoteResolvers } from './user-notes.ts';
import { userResolvers } from './users.ts';

type ResolverMap = Record<string, Record<string, unknown>>;

/** Merges per-type resolver maps; a field defined twice is a programming error. */
export function mergeResolvers(...maps: ResolverMap[]): ResolverMap {
  const merged: ResolverMap = {};
  for (const map of maps) {
    for (const [type, fields] of Object.entries(map)) {
      const target = (merged[type] ??= {});
      for (const [field, resolver] of Object.entries(fields)) {
        if (field in target) throw new Error(`resolver ${type}.${field} is defined twice`);
        target[field] = resolver;
      }
    }
  }
  return merged;
}

/** Every resolver of the people subgraph. */
export const peopleResolvers = {
  Date: DateScalar,
  DateTime: DateTimeScalar,
  ...mergeResolvers(
    userResolvers,
    organizationResolvers,
    departmentResolvers,
    teamResolvers,
    siteResolvers,
    tagResolvers,
    userNoteResolvers,
    apiKeyResolvers,
  ),
};
