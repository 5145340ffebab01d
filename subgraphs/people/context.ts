import { hasScope, type Identity } from '../shared/identity.ts';
import { forbidden } from '../shared/errors.ts';
import type { PeopleDb } from './db/database.ts';
import type { OrganizationRequestLimits } from '../shared/request-limits.ts';
import { createPeopleLoaders, type PeopleLoaders } from './loaders.ts';

/** What every people resolver gets: the verified caller, the database and fresh loaders. */
export interface PeopleContext {
  readonly identity: Identity;
  readonly db: PeopleDb;
  readonly loaders: PeopleLoaders;
  /** The operator's hourly request limits of organizations, when people is configured with them (keys may not exceed them). */
  readonly requestLimits: OrganizationRequestLimits | null;
}

export function createPeopleContext(db: PeopleDb, identity: Identity, requestLimits: OrganizationRequestLimits | null = null): PeopleContext {
  return { identity, db, loaders: createPeopleLoaders(db, identity.orgId), requestLimits };
}

/**
 * Throws FORBIDDEN unless the caller is an admin (a service key acts as one) whose key
 * carries `scope` (default `write:people`; the `admin` scope implies every scope).
 */
export function requireAdmin(ctx: PeopleContext, action: string, scope = 'write:people'): void {
  if (ctx.identity.role !== 'ADMIN') throw forbidden(`only admins may ${action}`);
  if (!hasScope(ctx.identity, scope)) throw forbidden(`${action} needs the ${scope} scope, which this key does not have`);
}
