import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendEvents } from '../../../subgraphs/shared/outbox.ts';
import { blockedAddressReason, checkEndpointUrl, UnsafeUrlError } from '../../../subgraphs/webhooks/domain/url-safety.ts';
import { createTestOrg, startTestGraph, type TestGraph, type TestOrg } from '../../helpers/graph.ts';
import { dataOf, expectError } from '../../helpers/assertions.ts';
import { waitFor } from './receiver.ts';

// SSRF with the development setting off (production): refused at registration with a
// BAD_USER_INPUT naming input.url, and refused again at send time when DNS changes.

const PUBLIC = '93.184.215.14';
/** Names the test resolver knows; anything else does not resolve. */
const dnsTable = new Map<string, string[]>([
  ['hooks.example.com', [PUBLIC]],
  ['loopback.example.com', ['127.0.0.1']],
  ['mixed.example.com', [PUBLIC, '10.1.2.3']],
  ['mapped.example.com', ['::ffff:127.0.0.1']],
]);
const resolve = async (host: string) => {
  const addresses = dnsTable.get(host);
  if (!addresses) throw new Error('ENOTFOUND');
  return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};

let graph: TestGraph;
let org: TestOrg;

beforeAll(async () => {
  graph = await startTestGraph({ webhooks: { resolve, pollIntervalMs: 50, delivery: { retryScheduleMs: [20], jitter: 0 } } });
  org = await createTestOrg(graph.peopleDb);
});
afterAll(async () => {
  await graph?.stop();
});

const CREATE = 'mutation($url: String!) { createWebhookEndpoint(input: { url: $url }) { endpoint { id url } } }';

describe('endpoint URL safety', () => {
  it.each([
    ['https://127.0.0.1/hook', 'private network'],
    ['https://10.0.0.1/hook', 'private network'],
    ['https://169.254.169.254/latest/meta-data', 'private network'],
    ['https://[::1]/hook', 'private network'],
    ['https://[::ffff:127.0.0.1]/hook', 'private network'],
    ['https://[fe80::1]/hook', 'private network'],
    ['https://192.168.1.10/hook', 'private network'],
    ['https://loopback.example.com/hook', 'private network'],
    ['https://mixed.example.com/hook', 'private network'],
    ['https://mapped.example.com/hook', 'private network'],
    ['http://hooks.example.com/hook', 'must use https'],
    ['https://user:pass@hooks.example.com/hook', 'credentials'],
    ['https://nowhere.example.com/hook', 'does not resolve'],
    ['/relative', 'absolute URL'],
  ])('should refuse %s at registration with BAD_USER_INPUT UNSAFE_URL on input.url, saying why', async (url, why) => {
    const error = expectError(await graph.gql(org.admin.key, CREATE, { url }), 'BAD_USER_INPUT', { field: 'input.url', rule: 'UNSAFE_URL' });
    expect(error.message).toContain(why);
  });

  it('should accept a public https URL', async () => {
    const res = await graph.gql<{ createWebhookEndpoint: { endpoint: { url: string } } }>(org.admin.key, CREATE, { url: 'https://hooks.example.com/orout' });
    expect(dataOf(res).createWebhookEndpoint.endpoint.url).toBe('https://hooks.example.com/orout');
  });

  it('should refuse a delivery when the name resolves to loopback at send time (DNS rebinding), and log why', async () => {
    dnsTable.set('rebind.example.com', [PUBLIC]);
    const res = await graph.gql<{ createWebhookEndpoint: { endpoint: { id: string } } }>(org.admin.key, CREATE, { url: 'https://rebind.example.com/hook' });
    const endpointId = dataOf(res).createWebhookEndpoint.endpoint.id;
    dnsTable.set('rebind.example.com', ['127.0.0.1']);
    await graph.database.handle.root.transaction().execute((trx) =>
      appendEvents(trx, [
        {
          orgId: org.id,
          type: 'allowance.changed',
          entityType: 'Allowance',
          entityId: crypto.randomUUID(),
          actorId: null,
          payload: { userId: org.admin.id, leaveTypeId: crypto.randomUUID(), year: 2026, cause: 'SET' },
        },
      ]),
    );
    let attempts: { error: string | null; responseStatus: number | null }[] = [];
    await waitFor(async () => {
      const log = await graph.gql<{ webhookDeliveryAttempts: { nodes: typeof attempts } }>(
        org.admin.key,
        'query($f: WebhookDeliveryFilter) { webhookDeliveryAttempts(filter: $f) { nodes { error responseStatus } } }',
        { f: { endpointId, status: 'FAILED' } },
      );
      attempts = dataOf(log).webhookDeliveryAttempts.nodes;
      return attempts.length === 2;
    }, 10_000, 'two refused attempts');
    for (const attempt of attempts) {
      expect(attempt.responseStatus).toBeNull();
      expect(attempt.error).toMatch(/^refused: url must not reach a private network: rebind\.example\.com resolves to 127\.0\.0\.1/);
    }
  });
});

describe('blockedAddressReason', () => {
  it.each(['127.0.0.1', '10.0.0.1', '172.16.5.4', '192.168.0.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '::', 'fe80::1', 'fc00::1', 'fd12:3456::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:a9fe:a9fe', 'ff02::1'])(
    'should block %s',
    (address) => {
      expect(blockedAddressReason(address)).not.toBeNull();
    },
  );
  it.each(['93.184.215.14', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('should allow %s', (address) => {
    expect(blockedAddressReason(address)).toBeNull();
  });
  it('should allow http and loopback only with the development setting', async () => {
    await expect(checkEndpointUrl('http://127.0.0.1:9/x', { allowInsecure: false, resolve })).rejects.toBeInstanceOf(UnsafeUrlError);
    await expect(checkEndpointUrl('http://127.0.0.1:9/x', { allowInsecure: true, resolve })).resolves.toMatchObject({ address: '127.0.0.1' });
  });
});
