#!/usr/bin/env node
// Builds the self-contained browser bundle dist/risk-dashboard.js (Lit inside, one ES module) with
// esbuild. Used by `npm run build` and by the browser tests' global setup, so the tests always run
// against the bundle users load with a <script type="module">.
import { build } from 'esbuild';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Builds the bundle (by default to dist/risk-dashboard.js) and returns its path. With `metafile`, also
 * writes esbuild's list of the bundle's inputs there (the tests check that no code of
 * @autoheal/core or zod got in).
 */
export async function buildBundle({ minify = true, outfile = path.join(packageRoot, 'dist', 'risk-dashboard.js'), metafile } = {}) {
  const result = await build({
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
    metafile: metafile !== undefined,
  });
  if (metafile !== undefined) await writeFile(metafile, JSON.stringify(result.metafile));
  return outfile;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outfile = await buildBundle();
  console.log(`[dashboard-wc] wrote ${path.relative(process.cwd(), outfile)}`);
}
