import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoOrganization } from '../../subgraphs/people/db/seed/demo-organization.ts';
import { ensureDemoApiKey } from '../../subgraphs/people/demo-api-key.ts';
import { startTestGraph, type TestGraph } from '../helpers/graph.ts';

let graph: TestGraph;
let dir: string;
beforeAll(async () => {
  graph = await startTestGraph();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-key-'));
});
afterAll(async () => {
  await graph.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

interface UsersPage {
  me: { name: string; role: string };
  users: { totalCount: number; nodes: { name: string; department: { name: string } | null; manager: { name: string } | null }[] };
}

describe('the demo graph of npm start', () => {
  it('should answer me and the first users with departments and managers for the printed demo key', async () => {
    const demo = await seedDemoOrganization(graph.peopleDb);
    const file = path.join(dir, 'demo-api-key');
    const key = await ensureDemoApiKey(graph.peopleDb, demo.orgId, demo.adminUserId, file);
    const res = await graph.gql<UsersPage>(
      key,
      '{ me { name role } users(first: 5) { totalCount nodes { name department { name } manager { name } } } }',
    );
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data?.me).toEqual({ name: 'Alex Morgan', role: 'ADMIN' });
    expect(res.body.data?.users.totalCount).toBe(40);
    expect(res.body.data?.users.nodes).toHaveLength(5);
    const employees = res.body.data?.users.nodes.filter((u) => u.manager) ?? [];
    expect(employees.length).toBeGreaterThan(0);
    for (const user of employees) expect(user.department?.name).toMatch(/\w/);
  });

  it('should print the same key after a restart, and a new one if the stored key was revoked', async () => {
    const demo = await seedDemoOrganization(graph.peopleDb);
    expect(demo.created).toBe(false);
    const file = path.join(dir, 'demo-api-key');
    const first = await ensureDemoApiKey(graph.peopleDb, demo.orgId, demo.adminUserId, file);
    expect(await ensureDemoApiKey(graph.peopleDb, demo.orgId, demo.adminUserId, file)).toBe(first);
    expect(fs.statSync(file).mode & 0o077).toBe(0);
    await graph.peopleDb.updateTable('api_keys').set({ revoked_at: new Date() }).where('org_id', '=', demo.orgId).execute();
    const second = await ensureDemoApiKey(graph.peopleDb, demo.orgId, demo.adminUserId, file);
    expect(second).not.toBe(first);
    expect(second).toMatch(/^lv_live_[0-9A-Za-z]{32}$/);
  });
});
