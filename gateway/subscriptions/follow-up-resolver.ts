import type { ApolloServerPlugin } from '@apollo/server';
import type { DocumentNode, GraphQLError } from 'graphql';
import type { GatewayContext } from '../context.ts';
import type { Identity } from '../../subgraphs/shared/identity.ts';
import type { OutboxEvent } from '../../subgraphs/shared/outbox.ts';
import type { FollowUp } from './follow-up.ts';

/**
 * What a follow-up query gave for one subscriber group: the payload's data; `invisible` when
 * the subscriber may not see the entity (a genuine NOT_FOUND/FORBIDDEN answer, or a field out
 * of their scopes); `failed` when it could not be resolved now (a subgraph down, a network
 * error, an HTTP error, a timeout, any other error): retried, never taken for invisibility.
 */
export type FollowUpOutcome =
  | { readonly kind: 'delivered'; readonly data: Record<string, unknown> }
  | { readonly kind: 'invisible' }
  | { readonly kind: 'failed'; readonly code: string; readonly service: string | null; readonly message: string };

/** Runs a query through the gateway as `identity`, with a fresh context; resolves to its outcome. */
export type RunQuery = (document: DocumentNode, variables: Record<string, unknown>, identity: Identity) => Promise<FollowUpOutcome>;

/** How long a delivered or invisible resolution is shared with later subscribers of the same event, ms. */
const SHARE_MS = 30_000;

const VISIBILITY_CODES = new Set(['NOT_FOUND', 'FORBIDDEN']);

/** An error that is the entity's visibility answer: NOT_FOUND/FORBIDDEN from a subgraph's resolver (not an HTTP 401/403 of the subgraph itself). */
function isVisibilityAnswer(error: GraphQLError): boolean {
  const code = error.extensions?.['code'];
  return typeof code === 'string' && VISIBILITY_CODES.has(code) && error.extensions['response'] === undefined;
}

/**
 * Classifies a follow-up's result from its raw (unmasked) errors: any error that is not a
 * visibility answer is a failure (SUBREQUEST_HTTP_ERROR for a subgraph's HTTP error status,
 * else SERVICE_UNAVAILABLE, with the service from the error or `serviceOf`); otherwise an entity or actor
 * that came back null makes the event invisible; complete data is delivered.
 */
export function classifyFollowUp(
  data: Record<string, unknown> | null | undefined,
  errors: readonly GraphQLError[],
  serviceOf: (message: string) => string | null = () => null,
): FollowUpOutcome {
  const failure = errors.find((e) => !isVisibilityAnswer(e));
  if (failure) {
    // The gateway hands network failures on as they are (no extensions): their message names the subgraph's URL.
    const ext: Readonly<Record<string, unknown>> = failure.extensions ?? {};
    const service = ext['serviceName'] ?? ext['service'] ?? serviceOf(failure.message);
    // The gateway reports a subgraph's HTTP status in `extensions.response`.
    // The gateway's data source names a failed fetch SUBREQUEST_HTTP_ERROR or SUBREQUEST_MALFORMED_RESPONSE.
    const code = ext['code'] === 'SUBREQUEST_HTTP_ERROR' || ext['code'] === 'SUBREQUEST_MALFORMED_RESPONSE' ? ext['code'] : ext['response'] !== undefined ? 'SUBREQUEST_HTTP_ERROR' : 'SERVICE_UNAVAILABLE';
    return { kind: 'failed', code, service: typeof service === 'string' ? service : null, message: failure.message };
  }
  if (!data) {
    return errors.length > 0 ? { kind: 'invisible' } : { kind: 'failed', code: 'SERVICE_UNAVAILABLE', service: null, message: 'the follow-up query returned no data' };
  }
  // A root field that answered null (with a visibility error or none: a nullable lookup) is an entity the subscriber cannot see.
  if (Object.values(data).some((v) => v === null)) return { kind: 'invisible' };
  return { kind: 'delivered', data };
}

/** Who sees the same follow-up answers: all admins of an organization with the same scopes; anyone else only themselves. */
export function followUpVisibility(identity: Identity): string {
  const scopes = identity.scopes.join(',');
  return identity.role === 'ADMIN' ? `admin|${scopes}` : `user|${identity.userId}|${identity.role}|${scopes}`;
}

/**
 * Resolves subscription payloads by follow-up query, once per (event, query, variables,
 * visibility) group: all admins of an organization see the same, any other person only
 * their own. A failed resolution (including one with no answer within `attemptTimeoutMs`,
 * default 10 000) is dropped at once (the next attempt runs again), so a failure is never
 * cached. Counts the queries run, by query text.
 */
export function createFollowUpResolver(run: RunQuery, options: { attemptTimeoutMs?: number } = {}) {
  const attemptTimeoutMs = options.attemptTimeoutMs ?? 10_000;
  const counts = new Map<string, number>();
  const shared = new Map<string, Promise<FollowUpOutcome>>();
  return {
    resolve(event: OutboxEvent, identity: Identity, followUp: FollowUp, variables: Record<string, unknown>): Promise<FollowUpOutcome> {
      const key = `${event.id}|${followUpVisibility(identity)}|${followUp.text}|${JSON.stringify(variables)}`;
      let pending = shared.get(key);
      if (!pending) {
        counts.set(followUp.text, (counts.get(followUp.text) ?? 0) + 1);
        let timer: NodeJS.Timeout | undefined;
        // A subgraph that never answers is a failure after the attempt timeout (and retried), not a stuck subscriber.
        const timeout = new Promise<FollowUpOutcome>((resolve) => {
          timer = setTimeout(() => resolve({ kind: 'failed', code: 'SERVICE_UNAVAILABLE', service: null, message: `no answer within ${attemptTimeoutMs} ms` }), attemptTimeoutMs);
          timer.unref();
        });
        const attempt = run(followUp.document, variables, identity).catch(
          (error: unknown): FollowUpOutcome => ({ kind: 'failed', code: 'SERVICE_UNAVAILABLE', service: null, message: error instanceof Error ? error.message : String(error) }),
        );
        const started = Promise.race([attempt, timeout]).finally(() => clearTimeout(timer));
        pending = started;
        shared.set(key, started);
        void started.then((outcome) => {
          if (outcome.kind === 'failed') {
            if (shared.get(key) === started) shared.delete(key);
          } else {
            setTimeout(() => shared.get(key) === started && shared.delete(key), SHARE_MS).unref();
          }
        });
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

/** Collects the raw errors of a follow-up query into its context's `followUpErrors` (Apollo masks what it returns). */
export const followUpErrorsPlugin: ApolloServerPlugin<GatewayContext> = {
  async requestDidStart({ contextValue }) {
    const sink = contextValue.followUpErrors;
    if (!sink) return;
    return {
      async didEncounterErrors({ errors }) {
        sink.push(...errors);
      },
    };
  },
};
