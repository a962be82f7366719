import { defineConfig } from 'tsup';

// The library builds as ESM + CJS with type declarations; the CLI is an ESM-only executable
// (it uses top-level await and is never require()d).
export default defineConfig([
  {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node20',
  },
  {
    entry: ['src/cli.ts'],
    format: ['esm'],
    dts: false,
    clean: false,
    sourcemap: true,
    target: 'node20',
  },
]);
