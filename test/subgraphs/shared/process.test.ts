import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startFailureReason } from '../../../subgraphs/shared/process.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Runs an entry point as `npm start` would (tsx), and collects its exit code and output. */
function run(entry: string, env: Record<string, string>): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', entry], {
      cwd: root,
      env: { PATH: process.env['PATH'] ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, stdout });
    });
  });
}

describe('start-up failures', () => {
  // Port 1 on loopback: nothing listens, the connection is refused at once.
  const badUrl = 'postgres://leave:s3cret-password@127.0.0.1:1/leave';
  const entries: [string, string][] = [
    ['main.ts', 'leave graph'],
    ['gateway/main.ts', 'gateway'],
    ['subgraphs/people/main.ts', 'people'],
    ['subgraphs/leave/main.ts', 'leave'],
    ['subgraphs/time/main.ts', 'time'],
    ['subgraphs/boarding/main.ts', 'boarding'],
    ['subgraphs/webhooks/main.ts', 'webhooks'],
  ];

  it.each(entries)('should make %s exit non-zero with one line on stderr, without the password, for an unreachable DATABASE_URL', { timeout: 90_000 }, async (entry, service) => {
    const result = await run(entry, { DATABASE_URL: badUrl, IDENTITY_SECRET: 'x'.repeat(40), PORT: '0', GATEWAY_PORT: '0', PEOPLE_PORT: '0', LEAVE_PORT: '0' });
    expect(result.code).not.toBe(0);
    expect(result.code).not.toBeNull();
    const lines = result.stderr.trim().split('\n');
    expect(lines).toEqual([`${service}: cannot start: connect ECONNREFUSED 127.0.0.1:1 (check DATABASE_URL)`]);
    expect(result.stderr + result.stdout).not.toContain('s3cret-password');
  });
});

describe('startFailureReason', () => {
  it('should remove the password of any connection string in the message', () => {
    expect(startFailureReason(new Error('cannot reach postgres://app:pa55@db.internal:5432/leave'))).toBe('cannot reach postgres://app:***@db.internal:5432/leave');
  });

  it('should keep to one line and add the error code when the message lacks it', () => {
    const error = Object.assign(new Error('getaddrinfo failed\n  for host db'), { code: 'ENOTFOUND' });
    expect(startFailureReason(error)).toBe('getaddrinfo failed for host db (ENOTFOUND) (check DATABASE_URL)');
  });

  it('should say which variable to check for a database that does not exist', () => {
    expect(startFailureReason(new Error('database "leave" does not exist'))).toBe('database "leave" does not exist (check DATABASE_URL)');
  });

  it('should leave other reasons as they are', () => {
    expect(startFailureReason(new Error('IDENTITY_SECRET must have at least 32 characters'))).toBe('IDENTITY_SECRET must have at least 32 characters');
  });
});
