import type { GraphQLError } from 'graphql';
import type { Identity } from '../subgraphs/shared/identity.ts';
import type { Admitted } from './operation-policy.ts';

/** Per-request context of the gateway: who is calling, and what the policy admitted. */
export interface GatewayContext {
  readonly identity: Identity;
  /** The admitted operation (HTTP requests); absent for the gateway's own follow-up queries. */
  readonly admitted?: Admitted;
  /** For the gateway's own follow-up queries: where the raw (unmasked) errors of the execution are collected. */
  readonly followUpErrors?: GraphQLError[];
}
