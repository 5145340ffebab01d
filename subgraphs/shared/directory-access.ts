import type DataLoader from 'dataloader';
import { badInput, forbidden } from './errors.ts';
import type { Identity } from './identity.ts';
import { isId } from './validation.ts';

/** What the access rules read of a person in a subgraph's local directory of people. */
export interface DirectoryPerson {
  readonly id: string;
  readonly manager_id: string | null;
  readonly department_id: string | null;
}

/** The part of a subgraph's request context the access rules need: the caller and the directory. */
export interface DirectoryAccessContext<U extends DirectoryPerson> {
  readonly identity: Identity;
  readonly directory: {
    readonly users: DataLoader<string, U | null>;
    readonly departments: DataLoader<string, { readonly manager_id: string | null } | null>;
  };
  readonly services: { readonly catchUpDirectory: () => Promise<void> };
}

/** Throws FORBIDDEN unless the caller is an admin (a service key acts as one). */
export function requireAdmin(ctx: { readonly identity: Identity }, action: string): void {
  if (ctx.identity.role !== 'ADMIN') throw forbidden(`only admins may ${action}`);
}

/** True for admins and for the person's line manager or department manager (never the person themself). */
export async function managesUser<U extends DirectoryPerson>(ctx: DirectoryAccessContext<U>, user: U): Promise<boolean> {
  const { role, userId } = ctx.identity;
  if (role === 'ADMIN') return true;
  if (!userId || userId === user.id) return false;
  if (user.manager_id === userId) return true;
  if (!user.department_id) return false;
  const department = await ctx.directory.departments.load(user.department_id);
  return department?.manager_id === userId;
}

/** True when the caller may see the person's own records: themself, their managers, admins. */
export async function maySeeRecordsOf<U extends DirectoryPerson>(ctx: DirectoryAccessContext<U>, user: U): Promise<boolean> {
  return ctx.identity.userId === user.id || managesUser(ctx, user);
}

/** `maySeeRecordsOf` for a person by id: false when the id is no person of the directory. */
export async function maySeeRecordsOfId<U extends DirectoryPerson>(ctx: DirectoryAccessContext<U>, userId: string): Promise<boolean> {
  const user = await ctx.directory.users.load(userId);
  return user !== null && (await maySeeRecordsOf(ctx, user));
}

/**
 * The person `userId` from the directory, after catching up with people's events.
 * Unknown ids and other organizations' ids give the same BAD_USER_INPUT on `field`.
 */
export async function requireDirectoryUser<U extends DirectoryPerson>(ctx: DirectoryAccessContext<U>, userId: string, field: string): Promise<U> {
  const notAUser = () => badInput(field, 'UNKNOWN_REFERENCE', `${userId} is not a user of this organization`);
  // Not a uuid: no person can have it, and catching up would not change that.
  if (!isId(userId)) throw notAUser();
  let user = await ctx.directory.users.load(userId);
  if (!user) {
    // A person created a moment ago may not have reached the directory yet.
    await ctx.services.catchUpDirectory();
    ctx.directory.users.clear(userId);
    user = await ctx.directory.users.load(userId);
  }
  if (!user) throw notAUser();
  return user;
}
