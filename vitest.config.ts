import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Fault injection stops and kills its own PostgreSQL: `npm run test:faults` runs it apart.
    exclude: ['test/faults/**', 'node_modules/**'],
    // One embedded PostgreSQL for the whole run; each test file makes its own database.
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // 2 cores: more workers only fight over them and over the one Postgres.
    maxWorkers: 2,
  },
});
