import crypto from 'node:crypto';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIdentity, type Identity } from '../../../subgraphs/shared/identity.ts';
import { captureLogs, type CapturedLogs } from '../../../subgraphs/shared/logger.ts';
import { startSubgraphServer, type RunningServer } from '../../../subgraphs/shared/subgraph-server.ts';

const secret = crypto.randomBytes(32).toString('hex');
const identity: Identity = { orgId: crypto.randomUUID(), userId: null, role: 'ADMIN', scopes: ['admin'], keyId: null, authMethod: 'api-key' };
let server: RunningServer;
let logs: CapturedLogs;
beforeAll(async () => {
  server = await startSubgraphServer({
    name: 'sample',
    typeDefs: parse('type Query { "Fails." boom: String }'),
    resolvers: {
      Query: {
        boom: () => {
          throw new Error('the database exploded');
        },
      },
    },
    identitySecret: secret,
    createContext: () => ({}),
    checkReady: async () => undefined,
  });
  logs = captureLogs('info');
});
afterAll(async () => {
  logs.restore();
  await server.stop();
});

describe('subgraph server logs', () => {
  it('should log an unexpected error with the request id it served, next to its access line', async () => {
    const body = JSON.stringify({ query: 'query Boom { boom }', operationName: 'Boom' });
    const res = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'srv-1', ...signIdentity(identity, secret, { audience: 'sample', body }) },
      body,
    });
    expect(res.headers.get('x-request-id')).toBe('srv-1');
    const answer = (await res.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(answer.errors[0]).toMatchObject({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    for (let attempt = 0; attempt < 50 && !logs.records().some((r) => r['msg'] === 'request'); attempt++) await new Promise((resolve) => setTimeout(resolve, 10));
    const records = logs.records().filter((r) => r['requestId'] === 'srv-1');
    expect(records.find((r) => r['level'] === 'error')).toMatchObject({ service: 'errors', err: { message: 'the database exploded' } });
    expect(records.find((r) => r['msg'] === 'request')).toMatchObject({ service: 'sample', operation: 'Boom', status: 200, path: '/graphql' });
  });

  it('should log a refused unsigned request on its access line with its status', async () => {
    const res = await fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'srv-2' }, body: '{}' });
    expect(res.status).toBe(401);
    for (let attempt = 0; attempt < 50 && !logs.records().some((r) => r['requestId'] === 'srv-2'); attempt++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(logs.records().filter((r) => r['requestId'] === 'srv-2')).toMatchObject([{ msg: 'request', status: 401, service: 'sample' }]);
  });
});
