import { forbidden, notFound } from '../../shared/errors.ts';
import { isId, requireText } from '../../shared/validation.ts';
import type { PeopleContext } from '../context.ts';
import { deleteUserNote, findUserNote, insertUserNote } from '../db/repositories/user-notes.ts';
import { toUserNote, type UserModel, type UserNoteModel } from './mappers.ts';
import { loadUser, userOf } from './lookups.ts';
import type { Resolvers } from '../generated/graphql.ts';

/** Admins, the user's manager, and their department's manager may read and write notes about a user. */
export async function mayAccessNotes(ctx: PeopleContext, user: UserModel): Promise<boolean> {
  const { role, userId } = ctx.identity;
  if (role === 'ADMIN') return true;
  if (!userId || userId === user.id) return false;
  if (user.managerId === userId) return true;
  const department = user.departmentId ? await ctx.loaders.departments.load(user.departmentId) : null;
  return department?.manager_id === userId;
}

export const userNoteResolvers = {
  UserNote: {
    author: (note: UserNoteModel, _: unknown, ctx: PeopleContext) => userOf(ctx, note.authorId),
  },
  Mutation: {
    addUserNote: async (_: unknown, { input: args }: { input: { userId: string; body: string } }, ctx: PeopleContext) => {
      const user = await loadUser(ctx, args.userId);
      if (!(await mayAccessNotes(ctx, user))) throw forbidden("only admins and the user's managers may add notes about a user");
      const body = requireText('input.body', args.body, 1, 5000);
      const note = await insertUserNote(ctx.db, { org_id: ctx.identity.orgId, user_id: user.id, author_id: ctx.identity.userId, body });
      return toUserNote(note);
    },
    deleteUserNote: async (_: unknown, { id }: { id: string }, ctx: PeopleContext) => {
      const note = isId(id) ? await findUserNote(ctx.db, ctx.identity.orgId, id) : undefined;
      if (!note) throw notFound('UserNote', id);
      if (ctx.identity.role !== 'ADMIN' && note.author_id !== ctx.identity.userId) {
        throw forbidden('only admins and the author may delete a note');
      }
      await deleteUserNote(ctx.db, ctx.identity.orgId, id);
      return toUserNote(note);
    },
  },
} satisfies Resolvers;
