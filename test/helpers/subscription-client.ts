import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

/** One result of a subscription as a test reads it. */
export interface SubscriptionResult {
  data?: Record<string, unknown> | null;
  errors?: unknown;
}

/** A graphql-ws client of `gatewayUrl` authenticated with `key`, no retries; added to `clients` for disposal. */
export function connectWs(gatewayUrl: string, key: string, clients: Client[]): Client {
  const client = createClient({ url: `${gatewayUrl.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { 'X-Api-Key': key }, retryAttempts: 0 });
  clients.push(client);
  return client;
}

/** Subscribes and collects the results; `next(n)` waits for the n-th (or fails on an error or after `ms`). */
export function collectResults(client: Client, query: string, variables: Record<string, unknown> = {}) {
  const results: SubscriptionResult[] = [];
  let failure: unknown = null;
  const finished = new Promise<unknown>((resolve) => {
    client.subscribe({ query, variables }, { next: (r) => void results.push(r as SubscriptionResult), error: (e) => resolve((failure = e)), complete: () => resolve(null) });
  });
  return {
    results,
    finished,
    async next(n: number, ms = 10_000): Promise<SubscriptionResult> {
      const end = Date.now() + ms;
      while (results.length < n) {
        if (failure) throw new Error(`subscription failed: ${JSON.stringify(failure)}`);
        if (Date.now() > end) throw new Error(`only ${results.length} of ${n} results after ${ms} ms`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return results[n - 1]!;
    },
  };
}
