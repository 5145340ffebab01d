// The production shape from outside: services as child processes on an empty database, the
// operator's bootstrap command, a nested query with the printed key, and a graceful stop of
// every process on SIGTERM (exit 0 within the deadline, subscriptions closed with 1001).
// On PostgreSQL (TEST_DATABASE_URL) each service is its own process; on PGlite the
// all-in-one `main.ts` is the one process (an embedded data directory serves one process).
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, describe, expect, it } from 'vitest';
import { adminUrl } from '../helpers/global-setup.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SECRET = crypto.randomBytes(24).toString('hex');
const SHUTDOWN_TIMEOUT_MS = 8_000;

interface Service {
  readonly name: string;
  readonly child: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

const running: Service[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const service of running) if (service.child.exitCode === null) service.child.kill('SIGKILL');
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function baseEnv(extra: Record<string, string>): Record<string, string> {
  return { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? os.tmpdir(), IDENTITY_SECRET: SECRET, SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS), ...extra };
}

/** Starts an entry point as the npm scripts do (`node --import tsx`, no wrapper process). */
function start(name: string, entry: string, env: Record<string, string>): Service {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], { cwd: root, env: baseEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  const service = { name, child, output: () => output, exited };
  running.push(service);
  return service;
}

/** Runs the operator's command to completion. */
async function admin(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'subgraphs/people/admin.ts', ...args], { cwd: root, env: baseEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { code, stdout, stderr };
}

/** Waits until `url` answers 200, or fails with the service's output. */
async function waitFor(url: string, service: Service, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (service.child.exitCode !== null) throw new Error(`${service.name} exited ${service.child.exitCode}: ${service.output()}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${service.name} did not answer ${url}: ${service.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Bootstraps an organization, queries with its key, subscribes, then stops every service with SIGTERM. */
async function bootstrapQueryAndStop(gatewayUrl: string, services: readonly Service[], adminEnv: Record<string, string> | null, bootstrapFirst: () => Promise<string>): Promise<void> {
  const key = await bootstrapFirst();
  const res = await fetch(`${gatewayUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key },
    body: JSON.stringify({ query: '{ organization { name } me { name role allowances { remaining } toilBalance { available } overtimeSubmissions(first: 1) { totalCount } } }' }),
  });
  const body = (await res.json()) as { data?: { organization: unknown; me: Record<string, unknown> }; errors?: unknown[] };
  expect(body.errors).toBeUndefined();
  expect(body.data?.organization).toEqual({ name: 'Acme Operations' });
  expect(body.data?.me).toMatchObject({ name: 'Ops Person', role: 'ADMIN', allowances: [], toilBalance: { available: 0 }, overtimeSubmissions: { totalCount: 0 } });

  if (adminEnv) {
    // A second run of the bootstrap creates nothing and says so.
    const again = await admin(['create-organization', '--name', 'Acme Operations', '--country', 'GB', '--admin-email', 'ops@acme.test', '--json'], adminEnv);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ created: false });
  }

  const client = createClient({ url: `${gatewayUrl.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { 'X-Api-Key': key }, retryAttempts: 0 });
  const closed = new Promise<{ code: number }>((resolve) => client.on('closed', (event) => resolve(event as { code: number })));
  const connected = new Promise<void>((resolve) => client.on('connected', () => resolve()));
  client.subscribe({ query: 'subscription { leaveRequestEvents { cursor } }' }, { next: () => undefined, error: () => undefined, complete: () => undefined });
  await connected;

  // The gateway first (as an orchestrator drains it), then the subgraphs.
  const stopTimes: string[] = [];
  for (const service of services) {
    const sent = Date.now();
    service.child.kill('SIGTERM');
    const exit = await Promise.race([service.exited, new Promise<null>((r) => setTimeout(() => r(null), SHUTDOWN_TIMEOUT_MS + 2_000))]);
    expect(exit, `${service.name} did not exit after SIGTERM: ${service.output()}`).not.toBeNull();
    expect({ service: service.name, code: exit?.code, signal: exit?.signal }, service.output()).toEqual({ service: service.name, code: 0, signal: null });
    expect(exit!.at - sent).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
    stopTimes.push(`${service.name} ${exit!.at - sent} ms`);
    if (service === services[0]) expect((await closed).code).toBe(1001);
  }
  await client.dispose();
  console.log(`SIGTERM to exit 0: ${stopTimes.join(', ')}`);
}

const bootstrapArgs = ['create-organization', '--name', 'Acme Operations', '--country', 'GB', '--admin-email', 'ops@acme.test', '--admin-first-name', 'Ops', '--admin-last-name', 'Person', '--json'];

describe('operating the graph', () => {
  const url = process.env['TEST_DATABASE_URL'];

  // One of the two runs per database kind (registered, never skipped).
  if (url) it('should bootstrap an empty PostgreSQL database, serve a nested query with the printed key, and stop every service on SIGTERM', { timeout: 240_000 }, async () => {
    const name = `leave_graph_ops_${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
    const maintenance = new pg.Client({ connectionString: adminUrl(url) });
    await maintenance.connect();
    await maintenance.query(`create database "${name}"`);
    cleanups.push(async () => {
      await maintenance.query(`drop database if exists "${name}" with (force)`);
      await maintenance.end();
    });
    const target = new URL(url);
    target.pathname = `/${name}`;
    const databaseUrl = target.toString();
    const documents = fs.mkdtempSync(path.join(os.tmpdir(), 'leave-graph-ops-'));
    cleanups.push(async () => fs.rmSync(documents, { recursive: true, force: true }));

    const ports = { people: await freePort(), leave: await freePort(), time: await freePort(), boarding: await freePort(), webhooks: await freePort(), gateway: await freePort() };
    const common = { DATABASE_URL: databaseUrl, HOST: '127.0.0.1' };
    // People first: it migrates the schema the others' directories follow; then the rest side by side.
    const people = start('people', 'subgraphs/people/main.ts', { ...common, PORT: String(ports.people) });
    await waitFor(`http://127.0.0.1:${ports.people}/health`, people);
    const leave = start('leave', 'subgraphs/leave/main.ts', { ...common, PORT: String(ports.leave), PUBLIC_URL: `http://127.0.0.1:${ports.gateway}`, DOCUMENTS_DIR: documents });
    const time = start('time', 'subgraphs/time/main.ts', { ...common, PORT: String(ports.time) });
    const boarding = start('boarding', 'subgraphs/boarding/main.ts', { ...common, PORT: String(ports.boarding) });
    const webhooks = start('webhooks', 'subgraphs/webhooks/main.ts', { ...common, PORT: String(ports.webhooks) });
    for (const [service, port] of [[leave, ports.leave], [time, ports.time], [boarding, ports.boarding], [webhooks, ports.webhooks]] as const) {
      await waitFor(`http://127.0.0.1:${port}/health`, service);
    }
    const gateway = start('gateway', 'gateway/main.ts', {
      ...common,
      PORT: String(ports.gateway),
      PEOPLE_URL: `http://127.0.0.1:${ports.people}/graphql`,
      LEAVE_URL: `http://127.0.0.1:${ports.leave}/graphql`,
      TIME_URL: `http://127.0.0.1:${ports.time}/graphql`,
      BOARDING_URL: `http://127.0.0.1:${ports.boarding}/graphql`,
      WEBHOOKS_URL: `http://127.0.0.1:${ports.webhooks}/graphql`,
    });
    await waitFor(`http://127.0.0.1:${ports.gateway}/health`, gateway);

    await bootstrapQueryAndStop(`http://127.0.0.1:${ports.gateway}`, [gateway, people, leave, time, boarding, webhooks], { DATABASE_URL: databaseUrl }, async () => {
      const created = await admin(bootstrapArgs, { DATABASE_URL: databaseUrl });
      expect(created.stderr).toBe('');
      expect(created.code).toBe(0);
      const printed = JSON.parse(created.stdout) as { created: boolean; apiKey: string };
      expect(printed.created).toBe(true);
      // The other services learn the new organization from people's events.
      await new Promise((r) => setTimeout(r, 500));
      return printed.apiKey;
    });
  });

  else it('should bootstrap an empty embedded data directory, serve a nested query with the printed key, and stop on SIGTERM', { timeout: 240_000 }, async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leave-graph-ops-'));
    cleanups.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
    const env = { DATA_DIR: dataDir };
    // PGlite serves one process: the bootstrap runs before the graph starts.
    const created = await admin(bootstrapArgs, env);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const printed = JSON.parse(created.stdout) as { created: boolean; apiKey: string };
    expect(printed.created).toBe(true);
    // Bad input is refused with the option named, exit status 2, nothing written.
    const refused = await admin(['create-organization', '--name', 'X', '--country', 'XX', '--admin-email', 'ops@x.test'], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim()).toBe('admin: --country must be an ISO 3166-1 alpha-2 country code such as GB or BR');

    const port = await freePort();
    const graph = start('npm start', 'main.ts', { ...env, PORT: String(port), DEMO_SEED: 'false' });
    await waitFor(`http://127.0.0.1:${port}/health`, graph, 180_000);
    // While the graph runs the embedded directory is its own: no second bootstrap then.
    await bootstrapQueryAndStop(`http://127.0.0.1:${port}`, [graph], null, async () => printed.apiKey);
    const again = await admin(bootstrapArgs, env);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ created: false });
    const listed = await admin(['list-organizations', '--json'], env);
    expect(listed.code).toBe(0);
    expect((JSON.parse(listed.stdout) as { organizations: { name: string; activePeople: number }[] }).organizations).toEqual([
      expect.objectContaining({ name: 'Acme Operations', activePeople: 1 }),
    ]);
  });
});
