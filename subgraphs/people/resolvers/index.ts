import { DateScalar, DateTimeScalar } from '../../shared/scalars.ts';
import { apiKeyResolvers } from './api-keys.ts';
import { departmentResolvers } from './departments.ts';
import { organizationResolvers } from './organization.ts';
import { siteResolvers } from './sites.ts';
import { tagResolvers } from './tags.ts';
import { teamResolvers } from './teams.ts';
import { trustedDocumentResolvers } from './trusted-documents.ts';
import { userNoteResolvers } from './user-notes.ts';
import { userResolvers } from './users.ts';
import { mergeResolvers } from '../../shared/resolver-map.ts';
import type { Resolvers } from '../generated/graphql.ts';

/** Every resolver of the people subgraph. */
export const peopleResolvers: Resolvers = {
  Date: DateScalar,
  DateTime: DateTimeScalar,
  ...mergeResolvers<Resolvers>(
    userResolvers,
    organizationResolvers,
    departmentResolvers,
    teamResolvers,
    siteResolvers,
    tagResolvers,
    userNoteResolvers,
    apiKeyResolvers,
    trustedDocumentResolvers,
  ),
};
