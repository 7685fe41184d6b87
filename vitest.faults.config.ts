import { defineConfig } from 'vitest/config';

/**
 * Fault-injection tests: each starts (and stops, kills, restarts) its own
 * embedded PostgreSQL and Kranz processes, so they run one file at a time,
 * apart from the main suite.
 */
export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts'],
    testTimeout: 240_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
