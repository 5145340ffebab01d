/** A function that runs `pass` so that every call is answered by a pass starting after it. */
export interface FreshPass {
  (): Promise<void>;
  /** Settles when no pass is running or waiting. */
  idle(): Promise<void>;
}

/**
 * Serializes runs of `pass`: a call made while a pass runs waits for it and then for a new
 * pass, because the running one may have read before the caller's change committed. Calls
 * made while one waits share that next pass, so a burst of wake-ups costs two passes.
 */
export function freshPass(pass: () => Promise<void>): FreshPass {
  let running: Promise<void> | null = null;
  let queued: Promise<void> | null = null;
  const run = (): Promise<void> => {
    if (queued) return queued;
    const previous = running ?? Promise.resolve();
    queued = previous
      .catch(() => undefined)
      .then(() => {
        queued = null;
        running = pass().finally(() => {
          running = null;
        });
        return running;
      });
    return queued;
  };
  return Object.assign(run, {
    async idle() {
      await queued?.catch(() => undefined);
      await running?.catch(() => undefined);
    },
  });
}
