/**
 * The repository's packages as the registry would see them: every workspace whose package.json is
 * not `private` is public, and is packed and installed by the consumer tests.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The fields of a package.json the checks read. */
export interface PackageManifest {
  name: string;
  version: string;
  private?: boolean;
  engines?: { node?: string };
  main?: string;
  module?: string;
  types?: string;
  bin?: string | Record<string, string>;
  exports?: unknown;
  files?: string[];
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

/** One workspace package. */
export interface WorkspacePackage {
  /** Folder, relative to the repository root (e.g. `packages/adapters/onnx`). */
  dir: string;
  manifest: PackageManifest;
}

function readManifest(file: string): PackageManifest {
  return JSON.parse(readFileSync(file, 'utf8')) as PackageManifest;
}

/** The root package.json. */
export function rootManifest(): PackageManifest & { workspaces: string[] } {
  return readManifest(path.join(REPO_ROOT, 'package.json')) as PackageManifest & { workspaces: string[] };
}

/** Every workspace, expanding the root's `workspaces` globs (plain folders and `dir/*`). */
export function workspacePackages(): WorkspacePackage[] {
  const dirs: string[] = [];
  for (const pattern of rootManifest().workspaces) {
    if (pattern.endsWith('/*')) {
      const parent = pattern.slice(0, -2);
      for (const entry of readdirSync(path.join(REPO_ROOT, parent), { withFileTypes: true })) {
        if (entry.isDirectory()) dirs.push(`${parent}/${entry.name}`);
      }
    } else {
      dirs.push(pattern);
    }
  }
  return dirs
    .filter((dir) => existsSync(path.join(REPO_ROOT, dir, 'package.json')))
    .map((dir) => ({ dir, manifest: readManifest(path.join(REPO_ROOT, dir, 'package.json')) }));
}

/** The workspaces that are published (not `private`), sorted by name. */
export function publicPackages(): WorkspacePackage[] {
  return workspacePackages()
    .filter((pkg) => pkg.manifest.private !== true)
    .sort((a, b) => a.manifest.name.localeCompare(b.manifest.name));
}
