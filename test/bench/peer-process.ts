// Starting and stopping one gateway of the benchmarks (peer-gateway-main.ts) in a process of its own.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PeerConfig } from './peer-gateway-main.ts';
import { build } from '../../scripts/build.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');

/** Linux's USER_HZ, the unit of /proc/<pid>/stat's times. */
const CLOCK_TICKS = 100;

/**
 * CPU seconds (user and system) a process has used so far, from /proc/<pid>/stat; null where
 * there is no /proc (not Linux) or the process is gone.
 */
export function cpuSeconds(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    // Fields after the command's last closing parenthesis: utime and stime are the 12th and 13th.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

/**
 * Where the gateway processes are compiled to: git-ignored, inside the project so that
 * packages resolve from its node_modules, and not under .bench-peers/, whose own
 * node_modules (Hive's) would resolve a second graphql.
 */
const COMPILED_DIR = path.join(root, '.bench-build');
let compiledMain: string | null = null;

/**
 * The gateway process's command: plain `node` on JavaScript compiled once per benchmark run,
 * as production runs (`npm run build`); with PEERS_TSX=1, the sources under tsx's loader.
 */
function peerCommand(): string[] {
  if (process.env['PEERS_TSX'] === '1') return ['--import', 'tsx/esm', path.join(here, 'peer-gateway-main.ts')];
  if (!compiledMain) {
    const started = performance.now();
    build(COMPILED_DIR, ['test/bench/peer-gateway-main.ts']);
    console.log(`  gateway processes compiled to .bench-build/ in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    compiledMain = path.join(COMPILED_DIR, 'test', 'bench', 'peer-gateway-main.js');
  }
  return [compiledMain];
}

/** Starts one gateway process; resolves with its URL once it listens. `cpuProfileDir`: `node --cpu-prof` into `<dir>/<kind>/`. */
export function startPeer(config: PeerConfig, cpuProfileDir?: string): Promise<{ url: string; child: ChildProcess }> {
  // A folder per gateway: under tsx, its loader thread writes a profile of its own beside the main thread's.
  const profile = cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.join(path.resolve(cpuProfileDir), config.kind)}`] : [];
  const child = spawn(process.execPath, [...profile, ...peerCommand()], {
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

