import crypto from 'node:crypto';
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
type Level = (typeof LEVELS)[number];

/**
 * Object paths whose values never reach a log line (pino `redact`): credentials, identity
 * signatures, webhook secrets and signed document links, at the top level, in `headers`,
 * `req.headers` and the few objects that carry them. Explicit paths, no wildcards: a
 * wildcard costs every line about 45 µs, explicit paths nothing measurable. The first
 * defence is still never to log such values or whole requests.
 */
export const REDACTED_PATHS: readonly string[] = (() => {
  const keys = ['apiKey', 'key', 'secret', 'token', 'password', 'authorization', 'signature', 'signingSecret', 'identitySecret', 'credential', 'downloadUrl', 'uploadUrl'];
  const headers = ['authorization', 'x-api-key', 'x-leave-signature', 'x-leave-identity', 'cookie', 'set-cookie', 'webhook-signature'];
  const holders = ['endpoint', 'webhook', 'document', 'caller', 'key'];
  return [
    ...keys,
    ...holders.flatMap((holder) => keys.map((key) => `${holder}.${key}`)),
    ...['headers', 'req.headers', 'request.headers', 'res.headers'].flatMap((at) => headers.map((header) => `${at}["${header}"]`)),
  ];
})();

/** Shown in place of a redacted value. */
export const REDACTED = '[Redacted]';

/** The level from LOG_LEVEL (default `info`); an unknown value falls back to `info` with a warning. */
function levelOf(raw: string | undefined): { level: Level; invalid: string | null } {
  if (raw === undefined || raw === '') return { level: 'info', invalid: null };
  const wanted = raw.toLowerCase();
  return (LEVELS as readonly string[]).includes(wanted) ? { level: wanted as Level, invalid: null } : { level: 'info', invalid: raw };
}

/** JSON lines when LOG_FORMAT=json or NODE_ENV=production (unless LOG_FORMAT=pretty); otherwise readable lines. */
function jsonFormat(env: NodeJS.ProcessEnv): boolean {
  const format = env['LOG_FORMAT']?.toLowerCase();
  if (format === 'json') return true;
  if (format === 'pretty') return false;
  return env['NODE_ENV'] === 'production';
}

const COLORS: Record<string, string> = { trace: '90', debug: '36', info: '32', warn: '33', error: '31', fatal: '35' };
/** Keys shown at the start of a readable line rather than as key=value. */
const HEAD_KEYS = new Set(['level', 'time', 'msg', 'service', 'pid', 'hostname', 'err']);

/**
 * Formats one pino JSON line for a terminal: `12:04:05.120 INFO  gateway  request method=POST ...`,
 * an error's stack below it. Synchronous and in-process (no worker thread, unlike pino-pretty).
 */
export function prettyLine(json: string, color: boolean): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const level = String(record['level'] ?? 'info');
  const time = typeof record['time'] === 'string' ? record['time'].slice(11, 23) : '';
  const tag = level.toUpperCase().padEnd(5);
  const shownLevel = color ? `\x1b[${COLORS[level] ?? '0'}m${tag}\x1b[0m` : tag;
  const service = typeof record['service'] === 'string' ? ` ${record['service']}` : '';
  const fields = Object.entries(record)
    .filter(([key, value]) => !HEAD_KEYS.has(key) && value !== null && value !== undefined)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  const err = record['err'] as { type?: string; message?: string; stack?: string } | undefined;
  const stack = err ? `\n    ${(err.stack ?? `${err.type ?? 'Error'}: ${err.message ?? ''}`).replace(/\n/g, '\n    ')}` : '';
  return `${time} ${shownLevel}${service}  ${String(record['msg'] ?? '')}${fields.length > 0 ? `  ${fields.join(' ')}` : ''}${stack}\n`;
}

/**
 * stdout through sonic-boom, asynchronously: a write to a pipe is synchronous on Linux, and
 * a request should not wait for its log line. pino flushes it synchronously at exit.
 */
const stdout = pino.destination({ dest: 1, sync: false });
/** Where log lines go; tests swap it (captureLogs). */
let target: { write(line: string): unknown } = stdout;
const json = jsonFormat(process.env);
const color = process.stdout.isTTY === true && process.env['NO_COLOR'] === undefined;
const sink: DestinationStream = {
  write(line: string) {
    target.write(json || target !== stdout ? line : prettyLine(line, color));
  },
};

const configured = levelOf(process.env['LOG_LEVEL']);

/**
 * The process's logger: JSON lines (`level` as a name, ISO `time`) on stdout, redacting
 * REDACTED_PATHS. Services log through `logger.child({ service })`.
 */
export const logger: Logger = pino(
  {
    level: configured.level,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: [...REDACTED_PATHS], censor: REDACTED },
  },
  sink,
);
if (configured.invalid !== null) logger.warn(`LOG_LEVEL ${JSON.stringify(configured.invalid)} is not one of ${LEVELS.join(', ')}; using info`);

/** The logger of one service (or component): every line carries `service`. */
export function serviceLogger(service: string): Logger {
  return logger.child({ service });
}

/** Captured log records (tests). */
export interface CapturedLogs {
  /** Every record written since capture began, parsed. */
  records(): Record<string, unknown>[];
  /** The raw text written, to check that a secret appears nowhere. */
  text(): string;
  restore(): void;
}

/** Sends log lines to memory (JSON) at `level` until `restore()`: for tests. */
export function captureLogs(level: Level = 'info'): CapturedLogs {
  const previousTarget = target;
  const previousLevel = logger.level;
  const lines: string[] = [];
  target = { write: (line) => void lines.push(line) };
  logger.level = level;
  return {
    records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
    text: () => lines.join(''),
    restore() {
      target = previousTarget;
      logger.level = previousLevel;
    },
  };
}

export const REQUEST_ID_HEADER = 'x-request-id';
/** A request id a client may choose: 1 to 128 letters, digits and `-_.:`. */
const REQUEST_ID = /^[A-Za-z0-9_.:-]{1,128}$/;

/** The request's `X-Request-Id` when it is safe to log and pass on; otherwise a new random UUID. */
export function requestIdOf(headers: { readonly [name: string]: string | string[] | undefined }): string {
  const given = headers[REQUEST_ID_HEADER];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : crypto.randomUUID();
}
