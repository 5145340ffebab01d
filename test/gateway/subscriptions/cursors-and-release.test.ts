import { createClient as createSseClient } from 'graphql-sse';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { encodeEventCursor } from '../../../gateway/subscriptions/subscription-schema.ts';
import { lastEventId } from '../../../subgraphs/shared/outbox.ts';
import { createTestOrg, startTestGraph, type TestGraph, type TestOrg } from '../../helpers/graph.ts';

let graph: TestGraph;
let org: TestOrg;
const clients: Client[] = [];

function connect(key: string): Client {
  const client = createClient({ url: `${graph.gateway.url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { 'X-Api-Key': key }, retryAttempts: 0 });
  clients.push(client);
  return client;
}

async function until(check: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The first result of a subscription with `after`. */
function firstResult(after: string): Promise<{ errors?: { message: string; extensions?: Record<string, unknown> }[] }> {
  return new Promise((resolve, reject) => {
    connect(org.admin.key).subscribe(
      { query: 'subscription($after: String) { leaveRequestEvents(after: $after) { cursor } }', variables: { after } },
      { next: (r) => resolve(r as never), error: reject, complete: () => undefined },
    );
  });
}

beforeAll(async () => {
  graph = await startTestGraph();
  org = await createTestOrg(graph.peopleDb);
});
afterAll(async () => {
  for (const client of clients) await client.dispose();
  await graph.stop();
});

describe('subscriptions are released when they end', () => {
  it('should release a WebSocket subscription at once when it completes or its socket closes, with no event', async () => {
    const before = graph.gateway.eventListeners();
    const client = connect(org.admin.key);
    const disposers = Array.from({ length: 20 }, () =>
      client.subscribe({ query: 'subscription { leaveRequestEvents { cursor } }' }, { next: () => undefined, error: () => undefined, complete: () => undefined }),
    );
    await until(() => graph.gateway.eventListeners() === before + 20);
    for (const dispose of disposers.slice(0, 10)) dispose();
    await until(() => graph.gateway.eventListeners() === before + 10);
    // The rest go with their connection.
    await client.dispose();
    await until(() => graph.gateway.eventListeners() === before);
  });

  it('should release an SSE subscription at once when the stream closes, with no event', async () => {
    const before = graph.gateway.eventListeners();
    const client = createSseClient({ url: `${graph.gateway.url}/graphql/stream`, headers: { 'X-Api-Key': org.admin.key }, retryAttempts: 0 });
    const disposers = Array.from({ length: 5 }, () =>
      client.subscribe({ query: 'subscription { allowanceEvents { cursor } }' }, { next: () => undefined, error: () => undefined, complete: () => undefined }),
    );
    await until(() => graph.gateway.eventListeners() === before + 5);
    for (const dispose of disposers) dispose();
    await until(() => graph.gateway.eventListeners() === before);
    client.dispose();
  });
});

describe('resume cursors', () => {
  it('should refuse a cursor beyond the newest event with BAD_USER_INPUT on after', async () => {
    const newest = await lastEventId(graph.database.handle.root);
    const result = await firstResult(encodeEventCursor(newest + 1_000));
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after', rule: 'CURSOR_AHEAD' });
    // The newest event's own cursor is fine: nothing to replay, then live.
    const ok = connect(org.admin.key);
    const results: unknown[] = [];
    ok.subscribe({ query: 'subscription($after: String) { leaveRequestEvents(after: $after) { cursor } }', variables: { after: encodeEventCursor(newest) } }, { next: (r) => void results.push(r), error: (e) => void results.push(e), complete: () => undefined });
    await new Promise((r) => setTimeout(r, 300));
    expect(results).toEqual([]);
  });

  it.each([
    ['a number beyond bigint', Buffer.from('event:99999999999999999999999').toString('base64url')],
    ['a number beyond the safe integers', Buffer.from('event:9007199254740993').toString('base64url')],
    ['a negative number', Buffer.from('event:-1').toString('base64url')],
    ['not a cursor', 'bm90IGEgY3Vyc29y'],
  ])('should refuse %s as BAD_USER_INPUT on after, with no database error', async (_what, cursor) => {
    const result = await firstResult(cursor);
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    expect(result.errors?.[0]?.message).not.toMatch(/bigint|syntax/);
  });
});
