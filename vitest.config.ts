import { defineConfig } from 'vitest/config';

// Every test file gets its own database (see test/helpers/database.ts), so files run in parallel.
// The global setup captures every test server's log and, after the run, fails it if any
// secret or token the tests saw appears in a log line (test/helpers/log-capture.ts).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
