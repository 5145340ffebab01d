import type { Identity } from '../shared/identity.ts';
import type { TimeDb } from './db/database.ts';
import { createDirectoryLoaders, type DirectoryLoaders } from './loaders.ts';

/** Process-wide services a resolver may use. */
export interface TimeServices {
  /** Applies people events not yet in the directory: call before a write that reads it. */
  readonly catchUpDirectory: () => Promise<void>;
  /** Applies the organization's TOIL uses from leave not applied yet (read-your-writes for balances). */
  readonly catchUpToilUses: (orgId: string) => Promise<void>;
  /** Current time; tests may fix it. */
  readonly now: () => Date;
}

/** Per-request DataLoaders by name, created on first use. */
export class LoaderCache {
  readonly #loaders = new Map<string, unknown>();
  get<T>(name: string, create: () => T): T {
    let loader = this.#loaders.get(name) as T | undefined;
    if (loader === undefined) {
      loader = create();
      this.#loaders.set(name, loader);
    }
    return loader;
  }
}

/** What every time resolver gets: the verified caller, the database, fresh loaders and services. */
export interface TimeContext {
  readonly identity: Identity;
  readonly db: TimeDb;
  readonly directory: DirectoryLoaders;
  readonly loaders: LoaderCache;
  readonly services: TimeServices;
}

export function createTimeContext(db: TimeDb, identity: Identity, services: TimeServices): TimeContext {
  return { identity, db, directory: createDirectoryLoaders(db, identity.orgId), loaders: new LoaderCache(), services };
}

/** Catches TOIL uses up once per request, before its first balance read. */
export function toilUsesApplied(ctx: TimeContext): Promise<void> {
  return ctx.loaders.get('toilUsesApplied', () => ctx.services.catchUpToilUses(ctx.identity.orgId));
}
