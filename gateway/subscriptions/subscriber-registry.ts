/** An open WebSocket connection or SSE stream, as the registry sees it. */
export interface Subscriber {
  /** Its transport, for the active-subscriptions metric. */
  readonly transport: 'websocket' | 'sse';
  /** Its active subscriptions. */
  readonly subscriptions: () => number;
  /** Ends it because its key was revoked or expired. */
  readonly revoke: () => void;
  /** When its credential expires (epoch ms): it is ended then. Null or absent: no expiry. */
  readonly expiresAt?: number | null;
}

export interface SubscriberRegistryOptions {
  /** Verifies a key or token again, skipping any cached verdict; throws when refused or unreachable. */
  readonly authenticate: (credential: string, options: { fresh: boolean }) => Promise<unknown>;
  /** True when an error of `authenticate` means the key is no longer valid (not a passing failure). */
  readonly isRefusal: (error: unknown) => boolean;
  /** How often keys of open subscribers are verified again, ms; default 30 000. */
  readonly recheckIntervalMs?: number | undefined;
}

/** Open subscribers of every transport, by API key. */
export interface SubscriberRegistry {
  /** Registers a subscriber of a key; returns its removal. */
  add(credential: string, subscriber: Subscriber): () => void;
  /** Active subscriptions of a key across every transport of this instance. */
  count(credential: string): number;
  /** Active subscriptions of this instance by transport. */
  countByTransport(): Record<'websocket' | 'sse', number>;
  /** Stops re-verifying. */
  close(): void;
}

/**
 * Tracks open subscribers of both transports, so one per-key limit covers them all, and
 * verifies their keys again every interval (one verification per distinct key): a revoked
 * or expired key's subscribers are ended within it; a subscriber whose token expires is
 * ended at its expiry.
 */
export function createSubscriberRegistry(options: SubscriberRegistryOptions): SubscriberRegistry {
  const byCredential = new Map<string, Set<Subscriber>>();
  const recheck = setInterval(() => {
    for (const [credential, subscribers] of byCredential) {
      options.authenticate(credential, { fresh: true }).catch((error: unknown) => {
        if (!options.isRefusal(error)) return;
        for (const subscriber of subscribers) subscriber.revoke();
      });
    }
  }, options.recheckIntervalMs ?? 30_000);
  recheck.unref();
  return {
    add(credential, subscriber) {
      const set = byCredential.get(credential) ?? new Set<Subscriber>();
      set.add(subscriber);
      byCredential.set(credential, set);
      // A token that expires while subscribed ends its subscriber at that moment.
      const expiry =
        subscriber.expiresAt !== null && subscriber.expiresAt !== undefined
          ? setTimeout(() => subscriber.revoke(), Math.max(0, Math.min(subscriber.expiresAt - Date.now(), 2 ** 31 - 1)))
          : null;
      expiry?.unref();
      return () => {
        if (expiry) clearTimeout(expiry);
        set.delete(subscriber);
        if (set.size === 0 && byCredential.get(credential) === set) byCredential.delete(credential);
      };
    },
    count(credential) {
      let n = 0;
      for (const subscriber of byCredential.get(credential) ?? []) n += subscriber.subscriptions();
      return n;
    },
    countByTransport() {
      const counts = { websocket: 0, sse: 0 };
      for (const subscribers of byCredential.values()) for (const subscriber of subscribers) counts[subscriber.transport] += subscriber.subscriptions();
      return counts;
    },
    close() {
      clearInterval(recheck);
    },
  };
}
