import { defineConfig } from 'tsup';

// The package build for bundler users: ESM only (Lit is ESM only), Lit left external so the app
// dedupes it. The self-contained browser bundle is built separately by scripts/build-bundle.mjs.
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2021',
  platform: 'browser',
  external: ['lit', /^lit\//, /^@lit\//],
});
