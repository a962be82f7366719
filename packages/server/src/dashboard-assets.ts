/** Finds the built `<risk-dashboard>` bundle so the server can serve it at `/`. */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** The folder holding `risk-dashboard.js`, or undefined when the dashboard package is not built. */
export function findDashboardDir(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    const entry = require.resolve('@autoheal/dashboard-wc');
    const dir = path.dirname(entry);
    for (const candidate of [dir, path.join(dir, '..', 'dist')]) {
      if (existsSync(path.join(candidate, 'risk-dashboard.js'))) return candidate;
    }
  } catch {
    // not installed
  }
  return undefined;
}
