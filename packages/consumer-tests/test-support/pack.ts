/**
 * `npm pack` of every public package, in one npm call, into a folder of tarballs: exactly what
 * `npm publish` would upload (same `files`, same package.json).
 */
import path from 'node:path';
import { publicPackages, REPO_ROOT, type PackageManifest } from './public-packages.js';
import { runOrThrow } from './run-command.js';

/** One packed package. */
export interface PackedPackage {
  name: string;
  /** Workspace folder, relative to the repository root. */
  dir: string;
  /** Absolute path of the `.tgz`. */
  tarball: string;
  /** Files in the tarball, relative to the package root (`package/` stripped). */
  files: Array<{ path: string; size: number }>;
  /** Tarball size in bytes. */
  size: number;
  unpackedSize: number;
  manifest: PackageManifest;
}

interface NpmPackEntry {
  name: string;
  filename: string;
  size: number;
  unpackedSize: number;
  files: Array<{ path: string; size: number }>;
}

/** Packs every public package into `destination` (which must exist). */
export async function packPublicPackages(destination: string): Promise<PackedPackage[]> {
  const packages = publicPackages();
  const args = ['pack', '--json', '--pack-destination', destination, ...packages.flatMap((pkg) => ['-w', pkg.manifest.name])];
  const { stdout } = await runOrThrow('npm', args, { cwd: REPO_ROOT, timeoutMs: 180_000 });
  // npm prints the JSON array last; anything before it would be lifecycle-script output.
  const entries = JSON.parse(stdout.slice(stdout.indexOf('['))) as NpmPackEntry[];
  return packages.map((pkg) => {
    const entry = entries.find((candidate) => candidate.name === pkg.manifest.name);
    if (!entry) throw new Error(`npm pack did not pack ${pkg.manifest.name}`);
    return {
      name: entry.name,
      dir: pkg.dir,
      tarball: path.join(destination, entry.filename),
      files: entry.files,
      size: entry.size,
      unpackedSize: entry.unpackedSize,
      manifest: pkg.manifest,
    };
  });
}
