/** Hourly limits high enough never to refuse a test or a benchmark, while every request is still counted and charged. */
export const TEST_RATE_LIMITS = { requestsPerHour: 1_000_000, budgetMaximum: 10_000_000, restorePerSecond: 1_000_000 } as const;
