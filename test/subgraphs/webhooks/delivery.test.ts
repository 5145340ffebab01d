import crypto from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendEvents } from '../../../subgraphs/shared/outbox.ts';
import { EVENT_STREAMS } from '../../../schema/events/index.ts';
import { startWebhooksServer } from '../../../subgraphs/webhooks/server.ts';
import { createKey, createTestOrg, startTestGraph, type TestGraph, type TestOrg } from '../../helpers/graph.ts';
import { dataOf, expectError } from '../../helpers/assertions.ts';
import { startReceiver, waitFor, type Receiver } from './receiver.ts';

// The whole graph with the webhooks worker on a millisecond retry schedule, delivering to a
// real local HTTP receiver (the development setting allows http and loopback here; the
// refusals without it are in url-safety.test.ts).

let graph: TestGraph;
let receiver: Receiver;
let a: TestOrg;
let b: TestOrg;

beforeAll(async () => {
  graph = await startTestGraph({
    webhooks: { allowInsecure: true, pollIntervalMs: 50, delivery: { retryScheduleMs: [40, 40, 40, 40, 40], jitter: 0 } },
  });
  receiver = await startReceiver();
  a = await createTestOrg(graph.peopleDb);
  b = await createTestOrg(graph.peopleDb);
});

afterAll(async () => {
  await graph?.stop();
  await receiver?.stop();
});

const CREATE = `mutation($input: CreateWebhookEndpointInput!) {
  createWebhookEndpoint(input: $input) { signingSecret endpoint { id url eventTypes enabled } } }`;

async function createEndpoint(org: TestOrg, path: string, eventTypes?: string[]): Promise<{ id: string; secret: string }> {
  const res = await graph.gql<{ createWebhookEndpoint: { signingSecret: string; endpoint: { id: string } } }>(org.admin.key, CREATE, {
    input: { url: `${receiver.url}${path}`, ...(eventTypes ? { eventTypes } : {}) },
  });
  const created = dataOf(res).createWebhookEndpoint;
  return { id: created.endpoint.id, secret: created.signingSecret };
}

/** Commits `n` events of `type` (default leave_request.approved) of `org` to the outbox, as the leave subgraph would. */
async function publish(org: TestOrg, n = 1, type = 'leave_request.approved'): Promise<number[]> {
  return graph.database.handle.root.transaction().execute((trx) =>
    appendEvents(
      trx,
      Array.from({ length: n }, () => ({
        orgId: org.id,
        type,
        entityType: 'LeaveRequest',
        entityId: crypto.randomUUID(),
        actorId: org.admin.id,
        payload: { userId: org.admin.id, departmentId: null, leaveTypeId: crypto.randomUUID(), status: 'APPROVED', startDate: '2026-12-01', endDate: '2026-12-02', amount: '2', unit: 'DAYS' },
      })),
    ),
  );
}

function plainHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

describe('webhooks', () => {
  it('should list every outbox type of the event catalogue in webhookEventTypes, with its JSON Schema', async () => {
    const res = await graph.gql<{ webhookEventTypes: { totalCount: number; nodes: { type: string; dataSchema: unknown; publisher: string }[] } }>(
      a.admin.key,
      '{ webhookEventTypes(first: 100) { totalCount nodes { type publisher dataSchema } } }',
    );
    const nodes = dataOf(res).webhookEventTypes.nodes;
    for (const stream of EVENT_STREAMS) {
      for (const [type, declaration] of Object.entries(stream.events)) {
        expect(nodes.find((n) => n.type === type)).toEqual({ type, publisher: stream.publisher, dataSchema: declaration.data });
      }
    }
    expect(nodes.map((n) => n.type)).toContain('webhook_endpoint.disabled');
  });

  it('should deliver a signed event that the standardwebhooks package verifies, and sign the raw body in X-Webhook-Signature', async () => {
    const endpoint = await createEndpoint(a, '/signed', ['leave_request.approved']);
    expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const [eventId] = await publish(a);
    await waitFor(() => receiver.at('/signed').length === 1, 10_000, 'the delivery');
    const got = receiver.at('/signed')[0]!;
    const verified = new Webhook(endpoint.secret).verify(got.body, plainHeaders(got.headers)) as Record<string, unknown>;
    expect(verified).toMatchObject({ id: `evt_${eventId}`, type: 'leave_request.approved', organizationId: a.id, data: { status: 'APPROVED', userId: a.admin.id } });
    expect(got.headers['x-webhook-signature']).toBe(crypto.createHmac('sha256', endpoint.secret).update(got.body).digest('hex'));
    // A forged body fails verification.
    expect(() => new Webhook(endpoint.secret).verify(got.body.replace('APPROVED', 'REJECTED'), plainHeaders(got.headers))).toThrow();
  });

  it('should retry a receiver that fails 3 times, delivering 4 times with one webhook-id, and log every attempt', async () => {
    receiver.respond('/flaky', (call) => ({ status: call <= 3 ? 503 : 204, body: call <= 3 ? 'down for maintenance' : '' }));
    const endpoint = await createEndpoint(a, '/flaky');
    await publish(a);
    await waitFor(() => receiver.at('/flaky').length === 4, 10_000, 'four attempts');
    const ids = new Set(receiver.at('/flaky').map((r) => r.headers['webhook-id']));
    expect(ids.size).toBe(1);
    const log = await waitForLog(endpoint.id, 4);
    expect(log.map((l) => [l.attempt, l.responseStatus, l.succeeded])).toEqual([
      [4, 204, true],
      [3, 503, false],
      [2, 503, false],
      [1, 503, false],
    ]);
    expect(log[1]?.responseBody).toBe('down for maintenance');
    expect(log[1]?.nextRetryAt).not.toBeNull();
    expect(log[0]?.requestHeaders['webhook-id']).toBe([...ids][0]);
    const deliveries = await graph.gql<{ webhookDeliveries: { nodes: { status: string; attempts: number }[] } }>(
      a.admin.key,
      'query($f: WebhookDeliveryFilter) { webhookDeliveries(filter: $f) { nodes { status attempts } } }',
      { f: { endpointId: endpoint.id, status: 'SUCCEEDED', eventType: 'leave_request.approved' } },
    );
    expect(dataOf(deliveries).webhookDeliveries.nodes).toEqual([{ status: 'SUCCEEDED', attempts: 4 }]);
  });

  it('should fail a delivery after the last retry and send it again with redeliverWebhook', async () => {
    let healthy = false;
    receiver.respond('/dead', () => ({ status: healthy ? 200 : 500 }));
    const endpoint = await createEndpoint(a, '/dead');
    await publish(a);
    // 1 attempt plus 5 retries of the test schedule.
    await waitFor(() => receiver.at('/dead').length === 6, 10_000, 'every attempt');
    const failed = await waitForDelivery(endpoint.id, 'FAILED');
    healthy = true;
    const res = await graph.gql<{ redeliverWebhook: { status: string } }>(a.admin.key, 'mutation($id: ID!) { redeliverWebhook(id: $id) { status } }', { id: failed.id });
    expect(dataOf(res).redeliverWebhook.status).toBe('PENDING');
    await waitForDelivery(endpoint.id, 'SUCCEEDED');
    expect(new Set(receiver.at('/dead').map((r) => r.headers['webhook-id'])).size).toBe(1);
    // Redelivering a pending or unknown delivery is refused.
    expectError(await graph.gql(a.admin.key, 'mutation($id: ID!) { redeliverWebhook(id: $id) { status } }', { id: crypto.randomUUID() }), 'NOT_FOUND');
    expectError(await graph.gql(a.admin.key, 'mutation { redeliverWebhook(id: "nope") { status } }'), 'BAD_USER_INPUT', 'id');
  });

  it('should send a webhook.test event with sendTestWebhook', async () => {
    const endpoint = await createEndpoint(a, '/test-event', ['leave_request.created']);
    const res = await graph.gql<{ sendTestWebhook: { eventType: string } }>(a.admin.key, 'mutation($id: ID!) { sendTestWebhook(id: $id) { eventType } }', { id: endpoint.id });
    expect(dataOf(res).sendTestWebhook.eventType).toBe('webhook.test');
    await waitFor(() => receiver.at('/test-event').length === 1, 10_000, 'the test event');
    const got = receiver.at('/test-event')[0]!;
    expect(new Webhook(endpoint.secret).verify(got.body, plainHeaders(got.headers))).toMatchObject({ type: 'webhook.test', organizationId: a.id });
  });

  it('should sign with both secrets during a rotation window, and only the new one after a rotation without one', async () => {
    const endpoint = await createEndpoint(a, '/rotate');
    const rotated = await graph.gql<{ rotateWebhookSecret: { signingSecret: string; endpoint: { previousSecretExpiresAt: string } } }>(
      a.admin.key,
      'mutation($id: ID!) { rotateWebhookSecret(id: $id) { signingSecret endpoint { previousSecretExpiresAt } } }',
      { id: endpoint.id },
    );
    const { signingSecret, endpoint: after } = dataOf(rotated).rotateWebhookSecret;
    expect(Date.parse(after.previousSecretExpiresAt) - Date.now()).toBeGreaterThan(23.9 * 3_600_000);
    await publish(a);
    await waitFor(() => receiver.at('/rotate').length === 1, 10_000, 'the delivery');
    const got = receiver.at('/rotate')[0]!;
    expect(String(got.headers['webhook-signature']).split(' ')).toHaveLength(2);
    for (const secret of [endpoint.secret, signingSecret]) {
      expect(new Webhook(secret).verify(got.body, plainHeaders(got.headers))).toMatchObject({ type: 'leave_request.approved' });
      expect(String(got.headers['x-webhook-signature']).split(',')).toContain(crypto.createHmac('sha256', secret).update(got.body).digest('hex'));
    }
    const again = await graph.gql<{ rotateWebhookSecret: { signingSecret: string } }>(a.admin.key, 'mutation($id: ID!) { rotateWebhookSecret(id: $id, input: { windowHours: 0 }) { signingSecret } }', { id: endpoint.id });
    const newest = dataOf(again).rotateWebhookSecret.signingSecret;
    await publish(a);
    await waitFor(() => receiver.at('/rotate').length === 2, 10_000, 'the second delivery');
    const second = receiver.at('/rotate')[1]!;
    expect(String(second.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(() => new Webhook(newest).verify(second.body, plainHeaders(second.headers))).not.toThrow();
    expect(() => new Webhook(signingSecret).verify(second.body, plainHeaders(second.headers))).toThrow();
    expectError(await graph.gql(a.admin.key, 'mutation($id: ID!) { rotateWebhookSecret(id: $id, input: { windowHours: 500 }) { signingSecret } }', { id: endpoint.id }), 'BAD_USER_INPUT', 'input.windowHours');
  });

  it('should not let a slow endpoint delay a fast one', async () => {
    receiver.respond('/slow', () => ({ status: 200, delayMs: 3000 }));
    // Their own event type, so the endpoints of the other tests (all types) stay out of it.
    await createEndpoint(a, '/slow', ['leave_request.rejected']);
    await createEndpoint(a, '/fast', ['leave_request.rejected']);
    const before = Date.now();
    await publish(a, 3, 'leave_request.rejected');
    await waitFor(() => receiver.at('/fast').length === 3, 10_000, 'the fast endpoint');
    expect(Date.now() - before).toBeLessThan(2500);
    expect(receiver.at('/slow').length).toBeLessThanOrEqual(1);
    await waitFor(() => receiver.at('/slow').length === 3, 15_000, 'the slow endpoint');
    // In outbox order per endpoint.
    const order = (path: string) => receiver.at(path).map((r) => (JSON.parse(r.body) as { id: string }).id);
    expect(order('/slow')).toEqual(order('/fast'));
  }, 30_000);

  it('should deliver each attempt once with two worker instances', async () => {
    const second = await startWebhooksServer({ database: graph.database.handle, identitySecret: graph.identitySecret, allowInsecure: true, pollIntervalMs: 50 });
    try {
      await createEndpoint(a, '/pair-1', ['leave_request.cancelled']);
      await createEndpoint(a, '/pair-2', ['leave_request.cancelled']);
      await publish(a, 30, 'leave_request.cancelled');
      await waitFor(() => receiver.at('/pair-1').length >= 30 && receiver.at('/pair-2').length >= 30, 60_000, 'sixty deliveries');
      await new Promise((r) => setTimeout(r, 300));
      for (const path of ['/pair-1', '/pair-2']) {
        const ids = receiver.at(path).map((r) => r.headers['webhook-id']);
        expect(ids).toHaveLength(30);
        expect(new Set(ids).size).toBe(30);
      }
    } finally {
      await second.stop();
    }
  }, 90_000);

  it("should never send an organization's events to another's endpoint, nor show its endpoints or log", async () => {
    const bEndpoint = await createEndpoint(b, '/tenant-b');
    const aEndpoint = await createEndpoint(a, '/tenant-a');
    await publish(a, 2);
    await waitFor(() => receiver.at('/tenant-a').length === 2, 10_000, "A's deliveries");
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.at('/tenant-b')).toHaveLength(0);
    const asB = await graph.gql<{ webhookEndpoint: unknown; webhookDeliveries: { nodes: unknown[] }; webhookDeliveryAttempts: { nodes: { endpointId: string }[] }; webhookEndpoints: { nodes: { id: string }[] } }>(
      b.admin.key,
      `query($id: ID!) { webhookEndpoint(id: $id) { id }
        webhookDeliveries(filter: { endpointId: $id }) { nodes { id } }
        webhookDeliveryAttempts(first: 100) { nodes { endpointId } }
        webhookEndpoints(first: 100) { nodes { id } } }`,
      { id: aEndpoint.id },
    );
    const seen = dataOf(asB);
    expect(seen.webhookEndpoint).toBeNull();
    expect(seen.webhookDeliveries.nodes).toEqual([]);
    expect(seen.webhookDeliveryAttempts.nodes.every((n) => n.endpointId === bEndpoint.id)).toBe(true);
    expect(seen.webhookEndpoints.nodes.map((n) => n.id)).toEqual([bEndpoint.id]);
    for (const mutation of [
      'mutation($id: ID!) { updateWebhookEndpoint(id: $id, input: { enabled: false }) { id } }',
      'mutation($id: ID!) { rotateWebhookSecret(id: $id) { signingSecret } }',
      'mutation($id: ID!) { sendTestWebhook(id: $id) { id } }',
    ]) {
      expectError(await graph.gql(b.admin.key, mutation, { id: aEndpoint.id }), 'NOT_FOUND');
    }
    const deleted = await graph.gql<{ deleteWebhookEndpoint: boolean }>(b.admin.key, 'mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }', { id: aEndpoint.id });
    expect(dataOf(deleted).deleteWebhookEndpoint).toBe(false);
  });

  it("should deliver people's events (user.*, department.*) with their snapshot as data", async () => {
    const endpoint = await createEndpoint(a, '/people', ['user.created', 'department.created']);
    const person = await a.addUser({ firstName: 'Pat', lastName: 'Person', externalId: 'HR-7' });
    const department = await a.addDepartment('Payroll', person.id);
    await waitFor(() => receiver.at('/people').length === 2, 10_000, "people's deliveries");
    const [first, second] = receiver.at('/people').map((r) => new Webhook(endpoint.secret).verify(r.body, plainHeaders(r.headers)) as Record<string, unknown>);
    expect(first).toMatchObject({ type: 'user.created', organizationId: a.id, data: { id: person.id, email: person.email, name: 'Pat Person', externalId: 'HR-7', active: true } });
    expect(second).toMatchObject({ type: 'department.created', data: { id: department, name: 'Payroll', managerId: person.id, active: true } });
  });

  it("should refuse an endpoint for event types its registrar's scopes cannot read, naming the field", async () => {
    const key = (await createKey(graph.peopleDb, a.id, a.admin.id, ['write:webhooks', 'read:leave'])).secret;
    const url = `${receiver.url}/scoped`;
    const ok = await graph.gql<{ createWebhookEndpoint: { endpoint: { id: string } } }>(key, CREATE, { input: { url, eventTypes: ['leave_request.approved'] } });
    const id = dataOf(ok).createWebhookEndpoint.endpoint.id;
    expectError(await graph.gql(key, CREATE, { input: { url, eventTypes: ['leave_request.approved', 'user.updated'] } }), 'FORBIDDEN', 'input.eventTypes');
    // No list means every type, people's and boarding's included.
    expectError(await graph.gql(key, CREATE, { input: { url } }), 'FORBIDDEN', 'input.eventTypes');
    expectError(await graph.gql(key, 'mutation($id: ID!) { updateWebhookEndpoint(id: $id, input: { eventTypes: [] }) { id } }', { id }), 'FORBIDDEN', 'input.eventTypes');
    const types = await graph.gql<{ webhookEventTypes: { nodes: { type: string; requiredScopes: string[][] }[] } }>(a.admin.key, '{ webhookEventTypes(first: 100) { nodes { type requiredScopes } } }');
    expect(dataOf(types).webhookEventTypes.nodes.find((t) => t.type === 'user.updated')?.requiredScopes).toEqual([['read:people']]);
  });

  it('should count deliveries and attempts matching the filter in totalCount, across pages', async () => {
    receiver.respond('/counted', (call) => ({ status: call === 1 ? 500 : 200 }));
    const endpoint = await createEndpoint(a, '/counted', ['overtime.approved']);
    await publish(a, 3, 'overtime.approved');
    await waitFor(() => receiver.at('/counted').length === 4, 10_000, 'four attempts');
    await waitForLog(endpoint.id, 4);
    const res = await graph.gql<{ webhookDeliveries: { totalCount: number; nodes: unknown[] }; succeeded: { totalCount: number }; webhookDeliveryAttempts: { totalCount: number; nodes: unknown[] }; failedOnes: { totalCount: number } }>(
      a.admin.key,
      `query($id: ID!) { webhookDeliveries(filter: { endpointId: $id }, first: 2) { totalCount nodes { id } }
        succeeded: webhookDeliveries(filter: { endpointId: $id, status: SUCCEEDED }) { totalCount }
        webhookDeliveryAttempts(filter: { endpointId: $id }, first: 1) { totalCount nodes { id } }
        failedOnes: webhookDeliveryAttempts(filter: { endpointId: $id, status: FAILED }) { totalCount } }`,
      { id: endpoint.id },
    );
    const counts = dataOf(res);
    expect([counts.webhookDeliveries.totalCount, counts.webhookDeliveries.nodes.length, counts.succeeded.totalCount]).toEqual([3, 2, 3]);
    expect([counts.webhookDeliveryAttempts.totalCount, counts.webhookDeliveryAttempts.nodes.length, counts.failedOnes.totalCount]).toEqual([4, 1, 0]);
    const other = await graph.gql<{ webhookDeliveries: { totalCount: number }; webhookDeliveryAttempts: { totalCount: number } }>(
      b.admin.key,
      'query($f: WebhookDeliveryFilter) { webhookDeliveries(filter: $f) { totalCount } webhookDeliveryAttempts(filter: $f) { totalCount } }',
      { f: { endpointId: endpoint.id } },
    );
    expect(dataOf(other)).toEqual({ webhookDeliveries: { totalCount: 0 }, webhookDeliveryAttempts: { totalCount: 0 } });
  });

  it('should refuse bad input naming the field, and callers who are not admins', async () => {
    expectError(await graph.gql(a.admin.key, CREATE, { input: { url: `${receiver.url}/x`, eventTypes: ['leave_request.exploded'] } }), 'BAD_USER_INPUT', 'input.eventTypes');
    expectError(await graph.gql(a.admin.key, CREATE, { input: { url: 'not a url' } }), 'BAD_USER_INPUT', 'input.url');
    expectError(await graph.gql(a.admin.key, CREATE, { input: { url: `${receiver.url}/x`, description: 'x'.repeat(501) } }), 'BAD_USER_INPUT', 'input.description');
    expectError(await graph.gql(a.admin.key, 'mutation { updateWebhookEndpoint(id: "x", input: {}) { id } }'), 'BAD_USER_INPUT', 'id');
    expectError(await graph.gql(a.admin.key, '{ webhookEndpoints(first: 0) { totalCount } }'), 'BAD_USER_INPUT', 'first');
    const employee = await a.addUser();
    const res = await graph.gql(employee.key, CREATE, { input: { url: `${receiver.url}/x` } });
    expect(res.body.errors?.[0]?.extensions?.['code']).toMatch(/FORBIDDEN|UNAUTHORIZED/);
  });

  it('should update, disable and delete an endpoint; a disabled endpoint gets no new deliveries', async () => {
    const endpoint = await createEndpoint(a, '/toggle');
    const updated = await graph.gql<{ updateWebhookEndpoint: { enabled: boolean; description: string; eventTypes: string[] } }>(
      a.admin.key,
      'mutation($id: ID!) { updateWebhookEndpoint(id: $id, input: { enabled: false, description: "payroll", eventTypes: ["allowance.changed"] }) { enabled description eventTypes } }',
      { id: endpoint.id },
    );
    expect(dataOf(updated).updateWebhookEndpoint).toEqual({ enabled: false, description: 'payroll', eventTypes: ['allowance.changed'] });
    await publish(a);
    await graph.webhooks.worker?.catchUp();
    await new Promise((r) => setTimeout(r, 200));
    expect(receiver.at('/toggle')).toHaveLength(0);
    const deleted = await graph.gql<{ deleteWebhookEndpoint: boolean }>(a.admin.key, 'mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }', { id: endpoint.id });
    expect(dataOf(deleted).deleteWebhookEndpoint).toBe(true);
    const gone = await graph.gql<{ webhookEndpoint: unknown }>(a.admin.key, 'query($id: ID!) { webhookEndpoint(id: $id) { id } }', { id: endpoint.id });
    expect(dataOf(gone).webhookEndpoint).toBeNull();
  });
});

interface LogLine {
  attempt: number;
  responseStatus: number | null;
  responseBody: string | null;
  succeeded: boolean;
  nextRetryAt: string | null;
  requestHeaders: Record<string, string>;
}

async function waitForLog(endpointId: string, n: number): Promise<LogLine[]> {
  let lines: LogLine[] = [];
  await waitFor(async () => {
    const res = await graph.gql<{ webhookDeliveryAttempts: { nodes: LogLine[] } }>(
      a.admin.key,
      'query($f: WebhookDeliveryFilter) { webhookDeliveryAttempts(filter: $f) { nodes { attempt responseStatus responseBody succeeded nextRetryAt requestHeaders } } }',
      { f: { endpointId } },
    );
    lines = dataOf(res).webhookDeliveryAttempts.nodes;
    return lines.length >= n;
  }, 10_000, 'the log');
  return lines;
}

async function waitForDelivery(endpointId: string, status: string): Promise<{ id: string }> {
  let found: { id: string } | undefined;
  await waitFor(async () => {
    const res = await graph.gql<{ webhookDeliveries: { nodes: { id: string }[] } }>(
      a.admin.key,
      'query($f: WebhookDeliveryFilter) { webhookDeliveries(filter: $f) { nodes { id } } }',
      { f: { endpointId, status } },
    );
    found = dataOf(res).webhookDeliveries.nodes[0];
    return found !== undefined;
  }, 10_000, `a ${status} delivery`);
  return found!;
}
