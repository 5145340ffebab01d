import type { Identity } from '../shared/identity.ts';
import { hasScope } from '../shared/identity.ts';
import type { BoardingDb } from './db/database.ts';

/** Process-wide services a resolver may use. */
export interface BoardingServices {
  /** Current time; tests may fix it. */
  readonly now: () => Date;
}

/**
 * Per-request DataLoaders by name, created on first use: each resolver module keeps its
 * loaders beside it and still gets one instance per request.
 */
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

/** What every boarding resolver gets: the verified caller, the database, fresh loaders and services. */
export interface BoardingContext {
  readonly identity: Identity;
  readonly db: BoardingDb;
  readonly loaders: LoaderCache;
  readonly services: BoardingServices;
  /** The request's clock reading: every status in one response is judged at the same instant. */
  readonly now: Date;
  /** Whether the caller may see sensitive pastoral records (`read:pastoral-sensitive`, or `admin`). */
  readonly seesSensitive: boolean;
}

/** The scope that makes sensitive pastoral records exist for a caller. */
export const SENSITIVE_SCOPE = 'read:pastoral-sensitive';

export function createBoardingContext(db: BoardingDb, identity: Identity, services: BoardingServices): BoardingContext {
  return { identity, db, loaders: new LoaderCache(), services, now: services.now(), seesSensitive: hasScope(identity, SENSITIVE_SCOPE) };
}
