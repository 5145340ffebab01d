import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { openDatabase, schemaDb, type DatabaseHandle } from '../../../subgraphs/shared/database.ts';
import { WEBHOOKS_SCHEMA, type WebhooksDatabase } from '../../../subgraphs/webhooks/db/database.ts';
import { startWebhooksServer, type RunningWebhooksServer } from '../../../subgraphs/webhooks/server.ts';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-database.ts';
import { CRASH_TEST_TIMINGS } from './crash-timings.ts';
import { startReceiver, waitFor, type Receiver } from './receiver.ts';

// Killing a worker mid-delivery loses nothing: a real child process runs the webhooks
// service, the receiver holds its first request open, the child is SIGKILLed, and the
// worker that takes over delivers every event, the interrupted one again with the same
// webhook-id. On PostgreSQL the taker-over is another graphile-worker runner that finds the
// child's heartbeat stale and unlocks its job; on PGlite (one process per data directory)
// it is the restarted embedded service, which releases the dead process's claims at start.

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const postgres = Boolean(process.env['TEST_DATABASE_URL']);

let receiver: Receiver | undefined;
let child: ChildProcess | undefined;
let testDatabase: TestDatabase | undefined;
let reopened: DatabaseHandle | undefined;
let takeover: RunningWebhooksServer | undefined;
let dataDir: string | undefined;

afterAll(async () => {
  child?.kill('SIGKILL');
  await takeover?.stop();
  await reopened?.close();
  await testDatabase?.close();
  await receiver?.stop();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Starts the child; resolves with its first JSON line. */
function startChild(env: Record<string, string>): Promise<{ runnerId?: string; seeded: { orgId: string; endpointId: string; eventIds: number[] } }> {
  return new Promise((resolve, reject) => {
    child = spawn(process.execPath, ['--import', 'tsx', 'test/subgraphs/webhooks/worker-process.ts'], {
      cwd: root,
      env: { PATH: process.env['PATH'] ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve(JSON.parse(line) as never);
    });
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => reject(new Error(`child exited (${code}) before it was running: ${stderr}`)));
  });
}

describe(`killing a webhooks worker mid-delivery (${postgres ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('should deliver every event after the worker is SIGKILLed mid-delivery, the interrupted one with the same webhook-id', async () => {
    receiver = await startReceiver();
    // The first request is held open until the child is dead; every later one is answered.
    receiver.respond('/hold', (call) => ({ status: 200, delayMs: call === 1 ? 600_000 : 0 }));
    let env: Record<string, string>;
    if (postgres) {
      testDatabase = await createTestDatabase();
      env = { DATABASE_URL: testDatabase.handle.url! };
    } else {
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'webhooks-crash-'));
      env = { PGLITE_DIR: dataDir, PGLITE_TEMPLATE: inject('pgliteTemplate') };
    }
    const { runnerId, seeded } = await startChild({ ...env, SEED_URL: `${receiver.url}/hold` });
    await waitFor(() => receiver!.at('/hold').length === 1, 30_000, 'the first request to reach the receiver');
    const dying = child!;
    dying.removeAllListeners('exit');
    const exited = new Promise((resolve) => dying.once('exit', resolve));
    dying.kill('SIGKILL');
    await exited;

    const database = postgres ? testDatabase!.handle : (reopened = await openDatabase({ dataDir }));
    const db = schemaDb<WebhooksDatabase>(database, WEBHOOKS_SCHEMA);
    if (postgres) {
      // The child's jobs are still locked by its workers (the interrupted one, and maybe the
      // others it was holding back), and its heartbeat row is there.
      const locked = await sql<{ n: string }>`select count(*) as n from graphile_worker._private_jobs where locked_by is not null`.execute(db);
      expect(Number(locked.rows[0]?.n)).toBeGreaterThanOrEqual(1);
      expect(await db.selectFrom('worker_heartbeats').select('runner_id').execute()).toEqual([{ runner_id: runnerId }]);
    }
    takeover = await startWebhooksServer({ database, identitySecret: 'crash-test-identity-secret-0123456789', host: '127.0.0.1', port: 0, allowInsecure: true, ...CRASH_TEST_TIMINGS });
    await waitFor(() => receiver!.at('/hold').length === 4, 30_000, 'the three deliveries after the crash');

    const got = receiver.at('/hold').map((r) => ({ id: r.headers['webhook-id'], event: (JSON.parse(r.body) as { id: string }).id }));
    const events = seeded.eventIds.map((id) => `evt_${id}`);
    // The interrupted delivery again (one webhook-id), then the others, in outbox order.
    expect(got.map((g) => g.event)).toEqual([events[0], events[0], events[1], events[2]]);
    expect(got[1]?.id).toBe(got[0]?.id);
    expect(new Set(got.map((g) => g.id)).size).toBe(3);
    await waitFor(async () => (await db.selectFrom('deliveries').select('id').where('status', '=', 'SUCCEEDED').execute()).length === 3, 10_000, 'three succeeded deliveries');
    // The dead attempt left no record: each delivery has one attempt, which succeeded.
    const attempts = await db.selectFrom('delivery_attempts').select(['attempt', 'succeeded', 'response_status']).where('endpoint_id', '=', seeded.endpointId).execute();
    expect(attempts).toEqual([1, 2, 3].map(() => ({ attempt: 1, succeeded: true, response_status: 200 })));
    if (postgres) {
      // Recovered through the heartbeat (the sweep is off): the dead runner is gone, and no job is left locked.
      expect((await db.selectFrom('worker_heartbeats').select('runner_id').execute()).map((r) => r.runner_id)).toEqual([takeover.worker?.runnerId]);
      const locked = await sql<{ n: string }>`select count(*) as n from graphile_worker._private_jobs where locked_by is not null`.execute(db);
      expect(Number(locked.rows[0]?.n)).toBe(0);
    }
  }, 90_000);
});
