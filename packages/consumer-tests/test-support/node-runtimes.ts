/**
 * The Node.js versions the consumer tests run on, and where their binaries come from. The running
 * Node is used for its own major; the others come from the npm registry's `node-<os>-<arch>`
 * packages, which carry the official binary (`bin/node`), so no other download site is needed. They
 * are cached in this package's `.cache/` folder: only the first run on a machine downloads them.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand, runOrThrow } from './run-command.js';

/**
 * The majors the tests run on: the lower bound of each range in the packages' `engines`
 * (`^20.19.0 || ^22.12.0 || >=24.0.0`) plus 26, the newest LTS line that `>=24` admits. A test
 * checks that every range of `engines` starts on one of these.
 */
export const TESTED_NODE_MAJORS = [20, 22, 24, 26] as const;

/** One Node.js runtime to run consumer code with. */
export interface NodeRuntime {
  major: number;
  /** `process.version` of that binary, e.g. `v22.23.5`. */
  version: string;
  /** Absolute path of the `node` binary. */
  bin: string;
}

const CACHE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '.cache');

function registryPackageName(): string {
  const os = process.platform === 'win32' ? 'win' : process.platform;
  return `node-${os}-${process.arch}`;
}

async function versionOf(bin: string): Promise<string | undefined> {
  if (!existsSync(bin)) return undefined;
  const result = await runCommand(bin, ['--version'], { cwd: CACHE_DIR, timeoutMs: 30_000 }).catch(() => undefined);
  return result?.code === 0 ? result.stdout.trim() : undefined;
}

/** The binary for `major`: this process's own Node, the cached download, or a fresh download. */
export async function nodeRuntime(major: number): Promise<NodeRuntime> {
  if (Number(process.versions.node.split('.')[0]) === major) return { major, version: process.version, bin: process.execPath };
  const name = registryPackageName();
  const folder = path.join(CACHE_DIR, `${name}-${major}`);
  const bin = path.join(folder, 'node_modules', name, 'bin', process.platform === 'win32' ? 'node.exe' : 'node');
  let version = await versionOf(bin);
  if (version === undefined) {
    await mkdir(CACHE_DIR, { recursive: true });
    // Install next to the cache entry, then rename: an interrupted download never looks complete.
    const partial = await mkdtemp(path.join(CACHE_DIR, `${name}-${major}.partial-`));
    try {
      await runOrThrow('npm', ['install', '--prefix', partial, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--ignore-scripts', `${name}@${major}`], {
        cwd: partial,
        timeoutMs: 600_000,
      });
      await rm(folder, { recursive: true, force: true });
      await rename(partial, folder);
    } finally {
      await rm(partial, { recursive: true, force: true });
    }
    version = await versionOf(bin);
    if (version === undefined) throw new Error(`${name}@${major} from the npm registry has no runnable ${bin}`);
  }
  if (!version.startsWith(`v${major}.`)) throw new Error(`${bin} is ${version}, expected Node ${major}`);
  return { major, version, bin };
}

/** Every tested runtime, downloading the missing ones (two at a time). */
export async function nodeRuntimes(): Promise<NodeRuntime[]> {
  const runtimes: NodeRuntime[] = [];
  const queue = [...TESTED_NODE_MAJORS];
  await Promise.all(
    [0, 1].map(async () => {
      for (let major = queue.shift(); major !== undefined; major = queue.shift()) runtimes.push(await nodeRuntime(major));
    }),
  );
  return runtimes.sort((a, b) => a.major - b.major);
}
