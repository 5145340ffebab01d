import type { Identity } from '../subgraphs/shared/identity.ts';

/** Per-request context of the gateway: who is calling. */
export interface GatewayContext {
  readonly identity: Identity;
}
