import { defineConfig } from 'vitest/config';

// Two projects so that only test files that need the built worker pay for building it: vitest runs a project's
// globalSetup only when that project has test files in the run.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'worker',
          include: ['test/worker/**/*.test.ts'],
          globalSetup: ['test/support/build-worker.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'node',
          include: ['test/**/*.test.ts'],
          exclude: ['test/worker/**'],
        },
      },
    ],
  },
});
