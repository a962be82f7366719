/**
 * Where the tests build and serve the bundle: a folder of its own, not dist/, because a parallel
 * `npm run build` (turbo builds this package for the server's tests) cleans dist/ at any moment.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const TEST_BUNDLE_DIR = path.join(PACKAGE_ROOT, 'node_modules', '.cache', 'risk-dashboard-test');
/** esbuild's metafile of the test bundle: which source files went into it. */
export const TEST_BUNDLE_METAFILE = path.join(TEST_BUNDLE_DIR, 'risk-dashboard.meta.json');
