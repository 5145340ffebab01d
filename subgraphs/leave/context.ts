import type { Identity } from '../shared/identity.ts';
import type { LeaveDb } from './db/database.ts';
import { createDirectoryLoaders, type DirectoryLoaders } from './loaders.ts';

/** Settings of the documents store. */
export interface DocumentSettings {
  /** Directory where uploaded files are kept. */
  readonly directory: string;
  /** Largest accepted file, bytes. */
  readonly maxBytes: number;
  /** Base URL clients reach the leave subgraph's document routes through (the gateway's public URL). */
  readonly publicUrl: string;
  /** HMAC key of signed upload and download URLs. */
  readonly signingSecret: string;
}

/** Process-wide services a resolver may use. */
export interface LeaveServices {
  /** Applies people events not yet in the directory: call before a write that reads it. */
  readonly catchUpDirectory: () => Promise<void>;
  /** Applies the organization's hours-worked events not yet accrued (read-your-writes for allowances). */
  readonly catchUpAccruals: (orgId: string) => Promise<void>;
  /** Applies the organization's TOIL snapshots from the time subgraph not yet in the projection. */
  readonly catchUpToil: (orgId: string) => Promise<void>;
  readonly documents: DocumentSettings;
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

/** What every leave resolver gets: the verified caller, the database, fresh loaders and services. */
export interface LeaveContext {
  readonly identity: Identity;
  readonly db: LeaveDb;
  readonly directory: DirectoryLoaders;
  readonly loaders: LoaderCache;
  readonly services: LeaveServices;
}

export function createLeaveContext(db: LeaveDb, identity: Identity, services: LeaveServices): LeaveContext {
  return { identity, db, directory: createDirectoryLoaders(db, identity.orgId), loaders: new LoaderCache(), services };
}

/** Catches accruals up once per request, before its first allowance read (see `LeaveServices.catchUpAccruals`). */
export function accrualsApplied(ctx: LeaveContext): Promise<void> {
  return ctx.loaders.get('accrualsApplied', () => ctx.services.catchUpAccruals(ctx.identity.orgId));
}
