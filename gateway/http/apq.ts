/**
 * Automatic persisted queries (APQ), as Apollo Server and Router implement them: a client
 * sends `extensions.persistedQuery.sha256Hash` alone; on `PERSISTED_QUERY_NOT_FOUND` it sends
 * the query with the hash, which registers it. Registered documents are kept per organization
 * (a key never runs a document registered by another organization), in memory on each gateway
 * instance, bounded per organization by entries and overall by bytes.
 */

/** Default most documents kept per organization (APQ_CACHE_SIZE). */
export const DEFAULT_APQ_ENTRIES_PER_ORG = 1_000;
/** Default most bytes (UTF-16 code units × 2) of documents kept overall (APQ_CACHE_MAX_BYTES). */
export const DEFAULT_APQ_MAX_BYTES = 50_000_000;

export interface ApqCacheOptions {
  /** Most documents per organization; 0 turns registration off (every hash-only request misses). */
  readonly entriesPerOrganization?: number;
  /** Most bytes of documents over all organizations; the least recently used go first. */
  readonly maxBytes?: number;
}

/** Registered APQ documents by organization and hash (lower-case hex SHA-256). */
export interface ApqCache {
  /** The document registered under `hash` for `orgId`, marking it recently used; or null. */
  get(orgId: string, hash: string): string | null;
  /** Registers `query` under `hash` (the caller has checked the hash) for `orgId`. */
  set(orgId: string, hash: string, query: string): void;
  /** Documents and bytes held (for tests and metrics). */
  size(): { entries: number; bytes: number };
}

const bytesOf = (query: string): number => query.length * 2;

/** An LRU per organization inside one LRU over every entry (JavaScript Maps keep insertion order). */
export function createApqCache(options: ApqCacheOptions = {}): ApqCache {
  const perOrg = options.entriesPerOrganization ?? DEFAULT_APQ_ENTRIES_PER_ORG;
  const maxBytes = options.maxBytes ?? DEFAULT_APQ_MAX_BYTES;
  const byOrg = new Map<string, Map<string, string>>();
  // Every entry, least recently used first: `${orgId}\n${hash}` → [orgId, hash].
  const all = new Map<string, readonly [string, string]>();
  let bytes = 0;

  const remove = (orgId: string, hash: string): void => {
    const documents = byOrg.get(orgId);
    const query = documents?.get(hash);
    if (documents === undefined || query === undefined) return;
    documents.delete(hash);
    if (documents.size === 0) byOrg.delete(orgId);
    all.delete(`${orgId}\n${hash}`);
    bytes -= bytesOf(query);
  };
  const touch = (orgId: string, hash: string): void => {
    const key = `${orgId}\n${hash}`;
    all.delete(key);
    all.set(key, [orgId, hash]);
  };

  return {
    get(orgId, hash) {
      const documents = byOrg.get(orgId);
      const query = documents?.get(hash);
      if (documents === undefined || query === undefined) return null;
      documents.delete(hash);
      documents.set(hash, query);
      touch(orgId, hash);
      return query;
    },
    set(orgId, hash, query) {
      if (perOrg === 0 || bytesOf(query) > maxBytes) return;
      remove(orgId, hash);
      let documents = byOrg.get(orgId);
      if (!documents) byOrg.set(orgId, (documents = new Map()));
      documents.set(hash, query);
      touch(orgId, hash);
      bytes += bytesOf(query);
      while (documents.size > perOrg) remove(orgId, documents.keys().next().value as string);
      while (bytes > maxBytes) {
        const [oldestOrg, oldestHash] = all.values().next().value as readonly [string, string];
        remove(oldestOrg, oldestHash);
      }
    },
    size: () => ({ entries: all.size, bytes }),
  };
}

/**
 * Misses waiting for their registering request, so that the pair counts as one request
 * against the hourly limit: the miss is counted (it costs one counted request, so misses are
 * never free work), and leaves a credit that the next request of the same subject registering
 * the same hash consumes instead of being counted again. At most one credit per miss; credits
 * expire after `ttlMs` and the oldest go past `maxEntries`. Per instance: a registration that
 * lands on another instance than its miss is counted again.
 */
export function createApqCredits(options: { ttlMs?: number; maxEntries?: number; now?: () => number } = {}) {
  const ttl = options.ttlMs ?? 60_000;
  const max = options.maxEntries ?? 10_000;
  const now = options.now ?? Date.now;
  const credits = new Map<string, number>();
  return {
    /** Records a counted miss of `subject` for `hash`. */
    grant(subject: string, hash: string): void {
      const key = `${subject}\n${hash}`;
      credits.delete(key);
      credits.set(key, now() + ttl);
      while (credits.size > max) credits.delete(credits.keys().next().value as string);
    },
    /** True (once) when `subject` missed `hash` within the TTL. */
    take(subject: string, hash: string): boolean {
      const key = `${subject}\n${hash}`;
      const expires = credits.get(key);
      if (expires === undefined) return false;
      credits.delete(key);
      return expires > now();
    },
  };
}

export type ApqCredits = ReturnType<typeof createApqCredits>;
