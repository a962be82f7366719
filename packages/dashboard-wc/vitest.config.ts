import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@autoheal/source'] },
  ssr: { resolve: { conditions: ['@autoheal/source'], externalConditions: ['@autoheal/source'] } },
  test: {
    include: ['src/**/*.test.ts'],
    // The browser tests load dist/risk-dashboard.js: build it first, also on a fresh clone.
    globalSetup: ['src/test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
