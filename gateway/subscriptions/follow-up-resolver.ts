import type { DocumentNode } from 'graphql';
import type { Identity } from '../../subgraphs/shared/identity.ts';
import type { OutboxEvent } from '../../subgraphs/shared/outbox.ts';
import type { FollowUp } from './follow-up.ts';

/** Runs a query through the gateway as `identity`, with a fresh context; resolves to its data (null on failure). */
export type RunQuery = (document: DocumentNode, variables: Record<string, unknown>, identity: Identity) => Promise<Record<string, unknown> | null>;

/** How long a resolution is shared with later subscribers of the same event, ms. */
const SHARE_MS = 30_000;

/**
 * Resolves subscription payloads by follow-up query, once per (event, query, variables,
 * visibility) group: all admins of an organization see the same, any other person only
 * their own. Counts the queries run, by query text.
 */
export function createFollowUpResolver(run: RunQuery) {
  const counts = new Map<string, number>();
  const shared = new Map<string, Promise<Record<string, unknown> | null>>();
  return {
    resolve(event: OutboxEvent, identity: Identity, followUp: FollowUp, variables: Record<string, unknown>): Promise<Record<string, unknown> | null> {
      const scopes = identity.scopes.join(',');
      const visibility = identity.role === 'ADMIN' ? `admin|${scopes}` : `user|${identity.userId}|${identity.role}|${scopes}`;
      const key = `${event.id}|${visibility}|${followUp.text}|${JSON.stringify(variables)}`;
      let pending = shared.get(key);
      if (!pending) {
        counts.set(followUp.text, (counts.get(followUp.text) ?? 0) + 1);
        pending = run(followUp.document, variables, identity);
        shared.set(key, pending);
        setTimeout(() => shared.delete(key), SHARE_MS).unref();
      }
      return pending;
    },
    /** Follow-up queries run, all or those whose text contains `matching`. */
    count(matching?: string): number {
      let n = 0;
      for (const [text, c] of counts) if (matching === undefined || text.includes(matching)) n += c;
      return n;
    },
  };
}
