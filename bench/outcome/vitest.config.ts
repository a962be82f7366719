import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@autoheal/source'] },
  ssr: { resolve: { conditions: ['@autoheal/source'], externalConditions: ['@autoheal/source'] } },
  test: { include: ['src/**/*.test.ts'], testTimeout: 300_000, hookTimeout: 60_000 },
});
