#!/usr/bin/env node
// One set-up step shared by `npm test`, `npm run demo` and `npm run build`, so a fresh clone needs no
// other command: install npm dependencies when they are missing or stale, and (for the tests) make
// sure the Debian packages the integration tests start are present. Uses only Node's standard library,
// because it runs before node_modules exists.
import { execSync, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const forTests = process.argv.includes('--for=test');

function run(command) {
  console.log(`[autoheal setup] ${command}`);
  execSync(command, { cwd: root, stdio: 'inherit', env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' } });
}

function has(binary) {
  return spawnSync('sh', ['-c', `command -v ${binary}`], { stdio: 'ignore' }).status === 0;
}

// 1. npm dependencies: `npm ci` when node_modules is absent or older than the lockfile.
const installedMarker = path.join(root, 'node_modules', '.package-lock.json');
const lockfile = path.join(root, 'package-lock.json');
if (!existsSync(installedMarker) || statSync(installedMarker).mtimeMs < statSync(lockfile).mtimeMs) {
  run('npm ci --no-audit --no-fund');
}

// 2. Debian packages used by the integration tests: a real Prometheus and a real headless Chromium.
if (forTests) {
  const missing = [];
  if (!has('prometheus')) missing.push('prometheus');
  if (!has('chromium')) missing.push('chromium');
  if (missing.length > 0) {
    const install = `apt-get update && apt-get install -y --no-install-recommends ${missing.join(' ')}`;
    const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    if (isRoot && has('apt-get')) {
      run(`${install.replace('apt-get install', 'DEBIAN_FRONTEND=noninteractive apt-get install')}`);
    } else {
      console.error(
        `[autoheal setup] The tests start a real ${missing.join(' and a real ')}, which are not installed.\n` +
          `Install them first (as root), then run npm test again:\n\n  sudo sh -c '${install}'\n`,
      );
      process.exit(1);
    }
  }
}
