import crypto from 'node:crypto';
import { schemaDb, type DatabaseHandle } from '../../subgraphs/shared/database.ts';
import { GATEWAY_SCHEMA, type GatewayDatabase } from '../db/database.ts';
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  pruneIdempotencyKeys,
  releaseIdempotencyKey,
  type IdempotencyScope,
} from '../db/repositories/idempotency-keys.ts';
import type { Identity } from '../../subgraphs/shared/identity.ts';
import { HttpError } from '../../subgraphs/shared/http.ts';
import type { InputRule } from '../../subgraphs/shared/errors.ts';

/** The request header (Stripe's convention). */
export const IDEMPOTENCY_HEADER = 'idempotency-key';
/** The response header set on an answer replayed from a first request. */
export const REPLAYED_HEADER = 'Idempotent-Replayed';
/** How long a key is remembered: 24 hours. */
export const IDEMPOTENCY_TTL_MS = 86_400_000;
/** Longest accepted key, in characters (Stripe's limit). */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/** A stored first answer. */
export interface StoredAnswer {
  readonly status: number;
  readonly body: string;
}

/** What claiming a key found. */
export type Claim =
  | { readonly kind: 'claimed' }
  | { readonly kind: 'replay'; readonly answer: StoredAnswer }
  | { readonly kind: 'running' }
  | { readonly kind: 'mismatch' };

/** Where keys live: the gateway's database (shared by every instance) or this process's memory. */
export interface IdempotencyStore {
  claim(scope: IdempotencyScope, fingerprint: string, now: number): Promise<Claim>;
  complete(scope: IdempotencyScope, answer: StoredAnswer): Promise<void>;
  release(scope: IdempotencyScope): Promise<void>;
  /** Forgets keys older than 24 hours; returns how many. */
  prune(now: number): Promise<number>;
}

/**
 * The `Idempotency-Key` header of a request, or null when absent. 1 to 255 printable ASCII
 * characters (no spaces): anything else is a 400 BAD_USER_INPUT naming the header.
 */
export function readIdempotencyKey(headers: Record<string, string | string[] | undefined>): string | null {
  const raw = headers[IDEMPOTENCY_HEADER];
  if (raw === undefined) return null;
  const refuse = (rule: InputRule, detail: string): never => {
    throw new HttpError(400, `Idempotency-Key: ${detail}`, 'BAD_USER_INPUT', {}, { field: 'Idempotency-Key', rule });
  };
  if (Array.isArray(raw)) return refuse('INVALID_FORMAT', 'send the header once');
  if (raw.length === 0) return refuse('TOO_SHORT', 'must not be empty');
  if (raw.length > MAX_IDEMPOTENCY_KEY_LENGTH) return refuse('TOO_LONG', `must have at most ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`);
  if (!/^[\x21-\x7e]+$/.test(raw)) return refuse('INVALID_FORMAT', 'must be printable ASCII characters without spaces (a UUID is a good key)');
  return raw;
}

/** Keys are scoped per organization and per caller: the API key, or the user of a JWT. */
export function idempotencyScope(identity: Identity, key: string): IdempotencyScope {
  const caller = identity.keyId ? `key:${identity.keyId}` : `user:${identity.userId ?? 'none'}`;
  return { orgId: identity.orgId, caller, key };
}

/** SHA-256 of what makes two requests the same: the operation (or trusted-document id), its name and its variables. */
export function requestFingerprint(request: { query?: unknown; documentId?: unknown; operationName?: unknown; variables?: unknown }): string {
  const canonical = JSON.stringify([request.query ?? null, request.documentId ?? null, request.operationName ?? null, canonicalValue(request.variables ?? null)]);
  return crypto.createHash('sha256').update(canonical).digest('base64url');
}

/** Objects with their keys sorted, so that `{a, b}` and `{b, a}` are one body. */
function canonicalValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonicalValue);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonicalValue((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** Keys in the gateway schema of `database`, shared by every gateway instance on it. */
export function createDatabaseIdempotencyStore(database: DatabaseHandle): IdempotencyStore {
  const db = schemaDb<GatewayDatabase>(database, GATEWAY_SCHEMA);
  return {
    async claim(scope, fingerprint, now) {
      const row = await claimIdempotencyKey(db, scope, fingerprint, new Date(now), new Date(now - IDEMPOTENCY_TTL_MS));
      if (!row) return { kind: 'claimed' };
      if (row.fingerprint !== fingerprint) return { kind: 'mismatch' };
      if (row.status === null || row.body === null) return { kind: 'running' };
      return { kind: 'replay', answer: { status: row.status, body: row.body } };
    },
    complete: (scope, answer) => completeIdempotencyKey(db, scope, answer.status, answer.body),
    release: (scope) => releaseIdempotencyKey(db, scope),
    prune: (now) => pruneIdempotencyKeys(db, new Date(now - IDEMPOTENCY_TTL_MS)),
  };
}

/** Keys in this process's memory (a gateway without a database), pruned like the database's. */
export function createMemoryIdempotencyStore(): IdempotencyStore {
  const entries = new Map<string, { fingerprint: string; createdAt: number; answer: StoredAnswer | null }>();
  const id = (scope: IdempotencyScope): string => JSON.stringify([scope.orgId, scope.caller, scope.key]);
  return {
    async claim(scope, fingerprint, now) {
      const entry = entries.get(id(scope));
      if (!entry || entry.createdAt < now - IDEMPOTENCY_TTL_MS) {
        entries.set(id(scope), { fingerprint, createdAt: now, answer: null });
        return { kind: 'claimed' };
      }
      if (entry.fingerprint !== fingerprint) return { kind: 'mismatch' };
      return entry.answer ? { kind: 'replay', answer: entry.answer } : { kind: 'running' };
    },
    async complete(scope, answer) {
      const entry = entries.get(id(scope));
      if (entry) entry.answer = answer;
    },
    async release(scope) {
      if (entries.get(id(scope))?.answer === null) entries.delete(id(scope));
    },
    async prune(now) {
      let pruned = 0;
      for (const [key, entry] of entries) {
        if (entry.createdAt < now - IDEMPOTENCY_TTL_MS) {
          entries.delete(key);
          pruned += 1;
        }
      }
      return pruned;
    },
  };
}

/**
 * Whether an answer is kept for replay: not when a subgraph failed on a root field (the
 * mutation may not have run, so a retry with the key must run it), nor a server error.
 */
export function isReplayable(status: number, body: string): boolean {
  if (status >= 500) return false;
  try {
    const parsed = JSON.parse(body) as { errors?: { path?: unknown[]; extensions?: { code?: unknown } }[] };
    return !(parsed.errors ?? []).some(
      (e) => (e.extensions?.code === 'SUBREQUEST_HTTP_ERROR' || e.extensions?.code === 'SUBREQUEST_MALFORMED_RESPONSE') && (e.path?.length ?? 0) <= 1,
    );
  } catch {
    return false;
  }
}
