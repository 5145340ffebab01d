import type { Resolvers } from '../generated/graphql.ts';

/**
 * `User` entities: every field boarding adds filters by the caller's organization and the
 * user's id, so another organization's user (or an unknown id) simply has no rolls or records.
 */
export const userResolvers = {
  User: {
    __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
  },
} satisfies Resolvers;
