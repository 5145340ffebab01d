/** How long a graceful stop may take before the process exits anyway (SHUTDOWN_TIMEOUT_MS). */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 10_000;

/**
 * On the first SIGINT or SIGTERM, runs `stop` once (stop accepting, finish what is in
 * flight, close the database) and exits 0 when it resolves, 1 when it throws (logged) or
 * when it has not finished within `timeoutMs` (SHUTDOWN_TIMEOUT_MS, default 10 s). Later
 * signals while stopping are ignored. Run services with plain `node` (no npm, sh or tsx
 * process in between) or `exec` in an npm script, so the signal reaches this process.
 */
export function stopOnSignals(stop: () => Promise<void>, timeoutMs = shutdownTimeoutMs(process.env)): void {
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      const deadline = setTimeout(() => {
        console.error(`stop did not finish within ${timeoutMs} ms (SHUTDOWN_TIMEOUT_MS): exiting anyway`);
        process.exit(1);
      }, timeoutMs);
      deadline.unref();
      stop().then(
        () => process.exit(0),
        (error: unknown) => {
          console.error(error);
          process.exit(1);
        },
      );
    });
  }
}

/** SHUTDOWN_TIMEOUT_MS: 100 ms to 10 minutes, default 10 s; an invalid value is the default. */
export function shutdownTimeoutMs(env: Readonly<Record<string, string | undefined>>): number {
  const raw = env['SHUTDOWN_TIMEOUT_MS'];
  const value = raw === undefined ? NaN : Number(raw);
  return Number.isInteger(value) && value >= 100 && value <= 600_000 ? value : DEFAULT_SHUTDOWN_TIMEOUT_MS;
}

/** `scheme://user:password@` in a connection string, so that a reported error never shows the password. */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)([^:/?#@\s]*):([^@/?#\s]*)@/gi;

/** One line saying why a service could not start: the error's message and code, passwords removed, no stack. */
export function startFailureReason(error: unknown): string {
  const e = error as { message?: unknown; code?: unknown; name?: unknown } | null;
  const message = typeof e?.message === 'string' && e.message !== '' ? e.message : String(error);
  const code = typeof e?.code === 'string' && !message.includes(e.code) ? ` (${e.code})` : '';
  const oneLine = `${message}${code}`.replace(/\s*\n\s*/g, ' ').replace(URL_CREDENTIALS, '$1$2:***@');
  // A database error names the server, not the configuration: say which variable to check.
  const databaseHint = /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|database .* does not exist|password authentication|role .* does not exist|no pg_hba|SSL/i.test(oneLine)
    ? ' (check DATABASE_URL)'
    : '';
  return `${oneLine}${databaseHint}`;
}

/**
 * Until the returned function is called (once the service listens), an error that escapes
 * start-up (a wrong DATABASE_URL, a bad variable) is printed as one line on stderr,
 * `<service>: cannot start: <reason>`, without its stack or any password, and the process
 * exits with status 1.
 */
export function exitOnStartFailure(service: string): () => void {
  const fail = (error: unknown): void => {
    console.error(`${service}: cannot start: ${startFailureReason(error)}`);
    process.exit(1);
  };
  process.on('uncaughtException', fail);
  process.on('unhandledRejection', fail);
  return () => {
    process.off('uncaughtException', fail);
    process.off('unhandledRejection', fail);
  };
}
