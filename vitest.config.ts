import { defineConfig } from 'vitest/config';

// Every test file gets its own database (see test/helpers/database.ts), so files run in parallel.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
