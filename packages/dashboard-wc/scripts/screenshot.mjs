#!/usr/bin/env node
// Saves screenshots of <risk-dashboard> with the test fixture data to docs/images/ (repository
// root): risk-dashboard.png (light, desktop), risk-dashboard-dark.png and risk-dashboard-phone.png.
// Uses the same fixture API server as the browser tests, compiled on the fly with esbuild.
import { build } from 'esbuild';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildBundle } from './build-bundle.mjs';

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const imagesDir = path.resolve(packageRoot, '..', '..', 'docs', 'images');
// Inside the package so that playwright-core resolves from its node_modules.
const cacheDir = path.join(packageRoot, 'node_modules', '.cache', 'risk-dashboard-screenshot');

const bundleDir = path.join(cacheDir, 'bundle');
await rm(cacheDir, { recursive: true, force: true });
await buildBundle({ outfile: path.join(bundleDir, 'risk-dashboard.js') });
await build({
  absWorkingDir: packageRoot,
  entryPoints: { harness: 'scripts/screenshot-harness.ts' },
  outdir: cacheDir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  packages: 'external',
  logLevel: 'warning',
});
const { launchBrowser, startFixtureServer, startStaticServer, dashboardPage } = await import(pathToFileURL(path.join(cacheDir, 'harness.mjs')).href);

await mkdir(imagesDir, { recursive: true });
const statics = await startStaticServer(bundleDir);
const fixture = await startFixtureServer({ allowedOrigin: statics.url });
const browser = await launchBrowser();
try {
  const shots = [
    { file: 'risk-dashboard.png', theme: 'light', viewport: { width: 1280, height: 1180 } },
    { file: 'risk-dashboard-dark.png', theme: 'dark', viewport: { width: 1280, height: 1180 } },
    { file: 'risk-dashboard-phone.png', theme: 'light', viewport: { width: 360, height: 1400 } },
  ];
  for (const shot of shots) {
    const context = await browser.newContext({ viewport: shot.viewport, deviceScaleFactor: 1, timezoneId: 'UTC' });
    const page = await context.newPage();
    const url = statics.page(shot.file.replace('.png', '.html'), dashboardPage({ 'api-base': fixture.url, token: 'secret-token', theme: shot.theme }));
    await page.goto(url);
    await page.locator('[part="signals"] tbody tr').nth(6).waitFor();
    await page.locator('[part="status"]', { hasText: 'Live' }).waitFor();
    const out = path.join(imagesDir, shot.file);
    await page.screenshot({ path: out });
    console.log(`[dashboard-wc] wrote ${path.relative(process.cwd(), out)}`);
    await context.close();
  }
} finally {
  await browser.close();
  await fixture.close();
  await statics.close();
}
