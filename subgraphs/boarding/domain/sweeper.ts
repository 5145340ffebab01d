/** A background pass that publishes what has come due: run on an interval, or on demand. */
export interface Sweeper {
  /** Handles everything due now; resolves with how many items it handled. */
  runDue(): Promise<number>;
  start(): void;
  stop(): Promise<void>;
}

/**
 * Runs `batch` until it handles nothing, every `intervalMs`. One pass at a time per process
 * (an overlapping tick or `runDue` waits for the running pass); each batch is expected to
 * claim its rows with `for update skip locked` in its own transaction, so instances never
 * handle the same row twice.
 */
export function createSweeper(label: string, batch: () => Promise<number>, intervalMs = 1000): Sweeper {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<number> | null = null;

  async function runAll(): Promise<number> {
    let total = 0;
    for (let n = await batch(); n > 0; n = await batch()) total += n;
    return total;
  }

  const tick = (): Promise<number> => {
    running ??= runAll().finally(() => {
      running = null;
    });
    return running;
  };

  return {
    runDue: tick,
    start() {
      timer = setInterval(() => void tick().catch((error: unknown) => console.error(`boarding: ${label} failed`, error)), intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await running?.catch(() => undefined);
    },
  };
}
