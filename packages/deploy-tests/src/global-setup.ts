/**
 * The Dockerfile, SDK example and config tests run the built CLI and SDK (dist/), as the image
 * does. `npm test` at the root builds them first (turbo: test depends on ^build, and
 * @autoheal/server is a devDependency of this package); when this package's tests are run alone
 * on a fresh clone, build them here.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './render.js';

export default function setup(): void {
  if (existsSync(path.join(repoRoot, 'packages/server/dist/cli.js'))) return;
  console.warn('[autoheal] [deploy-tests] packages/server/dist is missing: building @autoheal/server and its dependencies (turbo)');
  execFileSync('npx', ['turbo', 'run', 'build', '--filter=@autoheal/server...'], { cwd: repoRoot, stdio: 'inherit' });
}
