import { defineConfig } from 'tsup';

export default defineConfig({
  // The v2 build's worker thread is its own file next to index.js and cli.js (they start it by URL).
  entry: { index: 'src/index.ts', cli: 'src/cli.ts', 'v2-simulation-worker': 'src/build/v2-simulation-worker.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
});
