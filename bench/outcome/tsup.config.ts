import { defineConfig } from 'tsup';

// Two entries: the command (`npm run bench:outcome`) and the worker process it forks per core.
export default defineConfig({
  entry: ['src/cli.ts', 'src/worker.ts'],
  format: ['esm'],
  dts: false,
  clean: true,
  sourcemap: true,
  target: 'node20',
});
