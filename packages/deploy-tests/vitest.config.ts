import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@autoheal/source'] },
  ssr: { resolve: { conditions: ['@autoheal/source'], externalConditions: ['@autoheal/source'] } },
  test: {
    include: ['src/**/*.test.ts'],
    globalSetup: ['src/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
