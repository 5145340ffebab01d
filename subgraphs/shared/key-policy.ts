/**
 * What the gateway enforces for one API key, handed over in the people subgraph's
 * verification verdict.
 */
export interface KeyPolicy {
  /** `test`: the key belongs to a sandbox organization; `live`: to a real one. */
  readonly mode: 'live' | 'test';
  /** Normalised CIDR ranges the key may be used from; empty: any address. */
  readonly ipAllowlist: readonly string[];
  /** Requests the key may make per hour; null: the organization's default. */
  readonly requestsPerHour: number | null;
  /** When true, the key may only run trusted (registered) documents. */
  readonly trustedDocumentsOnly: boolean;
}
