import type { GraphQLError } from 'graphql';
import type { Identity } from '../subgraphs/shared/identity.ts';
import type { Admitted } from './operation-policy.ts';

/** What the access line of a request reports, filled in as the request goes. */
export interface AccessRecord {
  operation?: string | null;
  orgId?: string;
  keyId?: string | null;
  estimatedCost?: number;
  /** Set by the cost report once the response's data is measured. */
  actualCost?: number;
  traceId?: string | undefined;
}

/** Per-request context of the gateway: who is calling, and what the policy admitted. */
export interface GatewayContext {
  readonly identity: Identity;
  /** The request id passed to every subgraph fetch of the operation (X-Request-Id). */
  readonly requestId?: string;
  /** The request's access record (HTTP requests). */
  readonly access?: AccessRecord;
  /** The admitted operation (HTTP requests); absent for the gateway's own follow-up queries. */
  readonly admitted?: Admitted;
  /** For the gateway's own follow-up queries: where the raw (unmasked) errors of the execution are collected. */
  readonly followUpErrors?: GraphQLError[];
  /**
   * For the gateway's preparation of a follow-up query when its selection is first subscribed:
   * the operation is parsed, validated and planned (and those kept), but no subgraph is called:
   * every fetch of its plan answers no data.
   */
  readonly planOnly?: true;
}
