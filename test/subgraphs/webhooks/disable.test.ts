import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendEvents, readEvents } from '../../../subgraphs/shared/outbox.ts';
import { createTestOrg, startTestGraph, type TestGraph, type TestOrg } from '../../helpers/graph.ts';
import { dataOf } from '../../helpers/assertions.ts';
import { startReceiver, waitFor, type Receiver } from './receiver.ts';

// An endpoint failing for longer than disableAfterMs (5 days in production; 100 ms here) is
// disabled with a reason and a webhook_endpoint.disabled event.

let graph: TestGraph;
let receiver: Receiver;
let org: TestOrg;

beforeAll(async () => {
  graph = await startTestGraph({
    webhooks: { allowInsecure: true, pollIntervalMs: 50, delivery: { retryScheduleMs: [80, 80, 80, 80, 80, 80], jitter: 0, disableAfterMs: 100 } },
  });
  receiver = await startReceiver();
  org = await createTestOrg(graph.peopleDb);
});
afterAll(async () => {
  await graph?.stop();
  await receiver?.stop();
});

describe('disabling a failing endpoint', () => {
  it('should disable an endpoint whose deliveries fail for too long, with a reason and a webhook_endpoint.disabled event', async () => {
    receiver.respond('/down', () => ({ status: 500 }));
    const created = await graph.gql<{ createWebhookEndpoint: { endpoint: { id: string } } }>(
      org.admin.key,
      'mutation($url: String!) { createWebhookEndpoint(input: { url: $url }) { endpoint { id } } }',
      { url: `${receiver.url}/down` },
    );
    const id = dataOf(created).createWebhookEndpoint.endpoint.id;
    await graph.database.handle.root.transaction().execute((trx) =>
      appendEvents(trx, [{ orgId: org.id, type: 'allowance.changed', entityType: 'Allowance', entityId: crypto.randomUUID(), actorId: null, payload: { userId: org.admin.id, leaveTypeId: crypto.randomUUID(), year: 2026, cause: 'SET' } }]),
    );
    let endpoint: { enabled: boolean; disabledReason: string | null } | null = null;
    await waitFor(async () => {
      const res = await graph.gql<{ webhookEndpoint: typeof endpoint }>(org.admin.key, 'query($id: ID!) { webhookEndpoint(id: $id) { enabled disabledReason } }', { id });
      endpoint = dataOf(res).webhookEndpoint;
      return endpoint?.enabled === false;
    }, 10_000, 'the endpoint disabled');
    expect(endpoint!.disabledReason).toMatch(/^every delivery failed for .* \(last: HTTP 500\)$/);
    const events = await readEvents(graph.database.handle.root, 0, 1000, ['webhook_endpoint.']);
    expect(events.filter((e) => e.entityId === id).map((e) => [e.type, e.orgId])).toEqual([['webhook_endpoint.disabled', org.id]]);
    // Attempts stop: the delivery is failed, not retried against a disabled endpoint.
    const count = receiver.at('/down').length;
    await new Promise((r) => setTimeout(r, 400));
    expect(receiver.at('/down').length).toBe(count);
    // Enabling it again clears the reason.
    const enabled = await graph.gql<{ updateWebhookEndpoint: { enabled: boolean; disabledReason: string | null } }>(
      org.admin.key,
      'mutation($id: ID!) { updateWebhookEndpoint(id: $id, input: { enabled: true }) { enabled disabledReason } }',
      { id },
    );
    expect(dataOf(enabled).updateWebhookEndpoint).toEqual({ enabled: true, disabledReason: null });
  });
});
