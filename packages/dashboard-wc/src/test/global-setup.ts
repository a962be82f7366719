/** Builds the self-contained bundle once before the browser tests load it. */
import path from 'node:path';
import { buildBundle } from '../../scripts/build-bundle.mjs';
import { TEST_BUNDLE_DIR } from './paths.js';

export default async function setup(): Promise<void> {
  await buildBundle({ outfile: path.join(TEST_BUNDLE_DIR, 'risk-dashboard.js') });
}
