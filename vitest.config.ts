import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);
// Warnings and errors only, unless LOG_LEVEL says otherwise: access lines would drown the output.
process.env['LOG_LEVEL'] ??= 'warn';

export default defineConfig({
  resolve: {
    // One copy of graphql: Vitest would otherwise load its ESM and CJS builds side by side
    // ("Cannot use GraphQLSchema from another module or realm").
    alias: { graphql: require.resolve('graphql') },
  },
  test: {
    include: ['test/**/*.test.ts'],
    // Suites that need Redis (*.redis.test.ts) run when TEST_REDIS_URL names one (.ci/run sets it);
    // left out otherwise, so that `npm test` passes on a machine without Redis.
    exclude: ['test/bench/**', 'node_modules/**', ...(process.env['TEST_REDIS_URL'] ? [] : ['test/**/*.redis.test.ts'])],
    globalSetup: ['test/helpers/global-setup.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    // No metrics listener in services started as child processes (a test that needs one sets a port).
    env: { METRICS_PORT: 'off' },
    hookTimeout: 60_000,
  },
});
