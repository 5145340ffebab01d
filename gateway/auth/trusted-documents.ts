import { postInternal } from '../http/internal-request.ts';
import { callInternal } from '../http/subgraph-failure.ts';

/** Trusted (persisted) documents of an organization, by id (`sha256:<hex>` of the body). */
export interface TrustedDocumentStore {
  /** The body registered under `id` for `orgId`, or null; `requestId` goes on the lookup call. */
  find(orgId: string, id: string, requestId?: string): Promise<string | null>;
}

export interface TrustedDocumentStoreOptions {
  /** The people subgraph's GraphQL URL; its `/internal/trusted-document` route answers. */
  readonly peopleUrl: string;
  readonly identitySecret: string;
  /** Most cached bodies (each at most 100 000 characters); default 1 000. */
  readonly maxEntries?: number;
  /** How long an unknown id is remembered as unknown, ms; default 5 000. */
  readonly negativeTtlMs?: number;
}

/**
 * Looks documents up in the people subgraph. A body never changes for its id (the id is
 * its hash), so found bodies are cached until evicted; a deleted document keeps working on
 * an instance that cached it until eviction or restart. Unknown ids are cached briefly.
 */
export function createTrustedDocumentStore(options: TrustedDocumentStoreOptions): TrustedDocumentStore {
  const maxEntries = options.maxEntries ?? 1_000;
  const negativeTtl = options.negativeTtlMs ?? 5_000;
  const found = new Map<string, string>();
  const missing = new Map<string, number>();
  return {
    async find(orgId, id, requestId) {
      const key = `${orgId}|${id}`;
      const body = found.get(key);
      if (body !== undefined) return body;
      if ((missing.get(key) ?? 0) > Date.now()) return null;
      const response = await callInternal('people', () => postInternal(options.peopleUrl, '/internal/trusted-document', { orgId, id }, options.identitySecret, { requestId }));
      if (response.status === 404) {
        missing.set(key, Date.now() + negativeTtl);
        if (missing.size > maxEntries) missing.delete(missing.keys().next().value as string);
        return null;
      }
      if (!response.ok) throw new Error(`trusted document lookup failed with HTTP ${response.status}`);
      const result = (await response.json()) as { body: string };
      found.set(key, result.body);
      if (found.size > maxEntries) found.delete(found.keys().next().value as string);
      return result.body;
    },
  };
}
