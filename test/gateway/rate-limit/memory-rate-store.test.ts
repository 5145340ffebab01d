import { createMemoryRateStore } from '../../../gateway/rate-limit/memory-rate-store.ts';
import { describeRateLimiterSuite } from './rate-limiter-suite.ts';

// Two gateway "instances" in one process share the one store object.
describeRateLimiterSuite({
  name: 'memory',
  async open() {
    const store = createMemoryRateStore();
    return { first: store, second: store, close: async () => undefined };
  },
});
