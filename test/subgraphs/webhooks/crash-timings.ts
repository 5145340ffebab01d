/**
 * The crash test's worker timings, shared by the child and the worker that takes over: an
 * attempt times out after 3 s and its claim lasts 0.5 s longer; a heartbeat every 200 ms,
 * dead after 1 s without one; the sweep (the backstop) effectively off, so what recovers
 * the delivery is the heartbeat path.
 */
export const CRASH_TEST_TIMINGS = {
  pollIntervalMs: 50,
  heartbeatIntervalMs: 200,
  staleAfterMs: 1000,
  sweepIntervalMs: 3_600_000,
  delivery: { timeoutMs: 3000, leaseMarginMs: 500, retryScheduleMs: [100, 100], jitter: 0 },
} as const;
