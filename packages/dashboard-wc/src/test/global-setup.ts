/** Builds the self-contained bundle once before the browser tests load it (and records its inputs for the bundle test). */
import path from 'node:path';
import { buildBundle } from '../../scripts/build-bundle.mjs';
import { TEST_BUNDLE_DIR, TEST_BUNDLE_METAFILE } from './paths.js';

export default async function setup(): Promise<void> {
  await buildBundle({ outfile: path.join(TEST_BUNDLE_DIR, 'risk-dashboard.js'), metafile: TEST_BUNDLE_METAFILE });
}
