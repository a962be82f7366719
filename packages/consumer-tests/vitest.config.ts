import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // Packs, installs the fresh projects, fetches the Node runtimes and starts the sandbox and
    // Prometheus once for every test file.
    globalSetup: ['test-support/global-setup.ts'],
    // The files start Node processes, a browser and the server: one file at a time keeps a small
    // machine responsive (the work is in the child processes, not in the test workers).
    fileParallelism: false,
    // Within a file, two runtimes at a time: the work is in child processes.
    maxConcurrency: 2,
    testTimeout: 120_000,
    hookTimeout: 900_000,
  },
});
