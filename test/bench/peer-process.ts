// Starting and stopping one gateway of the benchmarks (peer-gateway-main.ts) in a process of its own.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PeerConfig } from './peer-gateway-main.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');

/** Starts one gateway process; resolves with its URL once it listens. `cpuProfileDir`: `node --cpu-prof` into `<dir>/<kind>/`. */
export function startPeer(config: PeerConfig, cpuProfileDir?: string): Promise<{ url: string; child: ChildProcess }> {
  // A folder per gateway: tsx's loader thread writes a profile of its own beside the main thread's.
  const profile = cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.join(path.resolve(cpuProfileDir), config.kind)}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx/esm', path.join(here, 'peer-gateway-main.ts')], {
    cwd: root,
    env: { ...process.env, PEER_CONFIG: JSON.stringify(config), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const match = /listening (\S+)/.exec(out);
      if (match) resolve({ url: match[1]!, child });
    });
    child.once('exit', (code) => reject(new Error(`the ${config.kind} gateway exited (${code}) before listening`)));
  });
}

/** Stops a gateway process (SIGTERM) and waits for it to exit. */
export async function stopPeer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

