import { defineConfig } from 'vitest/config';

// Two projects so that only test files that need the built worker pay for building it: vitest runs a project's
// globalSetup only when that project has test files in the run. test/browser/ (Debian's chromium against the built
// worker) shares the worker project's build and sets its own, longer timeouts.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'worker',
          include: ['test/worker/**/*.test.ts', 'test/browser/**/*.test.ts'],
          globalSetup: ['test/support/build-worker.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'node',
          include: ['test/**/*.test.ts'],
          exclude: ['test/worker/**', 'test/browser/**'],
        },
      },
    ],
  },
});
