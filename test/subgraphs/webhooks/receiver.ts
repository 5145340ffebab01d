import http from 'node:http';
import type { Socket } from 'node:net';
import { listen, close } from '../../../subgraphs/shared/http.ts';

/** One request a test receiver got. */
export interface Received {
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  readonly at: number;
}

/** A local HTTP receiver whose answer per path the test decides. */
export interface Receiver {
  readonly url: string;
  readonly requests: Received[];
  /** Requests to `path`. */
  at(path: string): Received[];
  /** Sets how `path` answers: a status (and optional delay, ms) per call number (1-based); default 200. */
  respond(path: string, answer: (call: number) => { status: number; delayMs?: number; body?: string }): void;
  stop(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const requests: Received[] = [];
  const answers = new Map<string, (call: number) => { status: number; delayMs?: number; body?: string }>();
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      requests.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
      const call = requests.filter((r) => r.path === path).length;
      const answer = answers.get(path)?.(call) ?? { status: 200 };
      setTimeout(() => {
        if (res.destroyed) return;
        res.writeHead(answer.status, { 'content-type': 'text/plain' });
        res.end(answer.body ?? 'ok');
      }, answer.delayMs ?? 0);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const url = await listen(server, 0, '127.0.0.1');
  return {
    url,
    requests,
    at: (path) => requests.filter((r) => r.path === path),
    respond: (path, answer) => void answers.set(path, answer),
    async stop() {
      for (const socket of sockets) socket.destroy();
      await close(server);
    },
  };
}

/** Polls `check` until it returns true or `timeoutMs` passes (then throws). */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
