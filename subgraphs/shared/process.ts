/**
 * On the first SIGINT or SIGTERM, runs `stop` once and exits: 0 when it resolves, 1 when
 * it throws (logged). Later signals while stopping are ignored.
 */
export function stopOnSignals(stop: () => Promise<void>): void {
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      if (stopping) return;
      stopping = true;
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
