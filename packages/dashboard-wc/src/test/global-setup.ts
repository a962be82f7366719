/** Builds the self-contained bundle once before the browser tests load it. */
import { buildBundle } from '../../scripts/build-bundle.mjs';

export default async function setup(): Promise<void> {
  await buildBundle();
}
