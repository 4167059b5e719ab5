import { defineConfig } from 'vitest/config';

// Three projects, each runnable alone (npm run test:unit | test:e2e | test:apps):
// unit tests beside the code, end-to-end runs of the real CLI against the demo and
// servers of our own, and the slow suites against real third-party applications.
export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['src/**/*.test.ts', 'demo/**/*.test.ts', 'security/**/*.test.ts', 'perf/**/*.test.ts', 'tests/**/*.test.ts', '.github/**/*.test.ts'] },
      },
      { extends: true, test: { name: 'e2e', include: ['e2e/**/*.test.ts'], exclude: ['e2e/real-apps/**'] } },
      { extends: true, test: { name: 'apps', include: ['e2e/real-apps/**/*.test.ts'] } },
    ],
  },
});
