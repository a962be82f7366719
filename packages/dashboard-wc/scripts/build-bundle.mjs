#!/usr/bin/env node
// Builds the self-contained browser bundle dist/risk-dashboard.js (Lit inside, one ES module) with
// esbuild. Used by `npm run build` and by the browser tests' global setup, so the tests always run
// against the bundle users load with a <script type="module">.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Builds the bundle (by default to dist/risk-dashboard.js) and returns its path. */
export async function buildBundle({ minify = true, outfile = path.join(packageRoot, 'dist', 'risk-dashboard.js') } = {}) {
  await build({
    absWorkingDir: packageRoot,
    entryPoints: ['src/index.ts'],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2021', 'chrome100', 'firefox100', 'safari15'],
    minify,
    sourcemap: true,
    legalComments: 'eof',
    tsconfig: 'tsconfig.json',
    logLevel: 'warning',
  });
  return outfile;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outfile = await buildBundle();
  console.log(`[dashboard-wc] wrote ${path.relative(process.cwd(), outfile)}`);
}
