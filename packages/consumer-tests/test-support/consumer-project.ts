/**
 * Fresh consumer projects, outside the repository (no workspace, no overrides), set up with the
 * install commands the READMEs give. The packages are not on the registry, so each `@autoheal/*` name
 * in a command is replaced by its tarball, and the tarballs of the `@autoheal/*` packages it depends
 * on are added to the same command; everything else comes from the registry.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { PackedPackage } from './pack.js';
import { rootManifest } from './public-packages.js';
import { runOrThrow } from './run-command.js';

/**
 * The install commands of the READMEs, one per way autoheal is used. A test checks that the root
 * README and each package's README show them word for word.
 */
export const INSTALL_COMMANDS = {
  sdk: 'npm install --ignore-scripts @autoheal/core @autoheal/adapter-prometheus @autoheal/adapter-onnx @autoheal/adapter-kubernetes @autoheal/adapter-slack',
  server: 'npm install --ignore-scripts @autoheal/server',
  webComponent: 'npm install @autoheal/dashboard-wc',
} as const;

/** The `@autoheal/*` packages `names` need, themselves included (dependencies and required peers). */
export function withAutohealDependencies(names: string[], packed: PackedPackage[]): string[] {
  const needed = new Set<string>();
  const visit = (name: string) => {
    if (needed.has(name)) return;
    const pkg = packed.find((candidate) => candidate.name === name);
    if (!pkg) throw new Error(`${name} is not a public package of this repository`);
    needed.add(name);
    const optionalPeers = (pkg.manifest as { peerDependenciesMeta?: Record<string, { optional?: boolean }> }).peerDependenciesMeta ?? {};
    const requiredPeers = Object.keys(pkg.manifest.peerDependencies ?? {}).filter((peer) => !optionalPeers[peer]?.optional);
    for (const dependency of [...Object.keys(pkg.manifest.dependencies ?? {}), ...requiredPeers]) {
      if (dependency.startsWith('@autoheal/')) visit(dependency);
    }
  };
  names.forEach(visit);
  return [...needed];
}

/** Runs one of {@link INSTALL_COMMANDS} in `dir` with tarballs in place of the `@autoheal/*` names. */
export async function runInstallCommand(dir: string, command: string, packed: PackedPackage[]): Promise<void> {
  const [npm, ...args] = command.split(' ');
  const named = args.filter((arg) => arg.startsWith('@autoheal/'));
  const tarballs = withAutohealDependencies(named, packed).map((name) => packed.find((pkg) => pkg.name === name)!.tarball);
  const rest = args.filter((arg) => !arg.startsWith('@autoheal/'));
  // --no-audit/--no-fund only silence network reports; they change nothing that is installed.
  await runOrThrow(npm!, [...rest, '--no-audit', '--no-fund', ...tarballs], { cwd: dir, timeoutMs: 600_000 });
}

/** Writes the package.json `npm init -y` would (an empty CommonJS project). */
export async function initProject(dir: string, name: string): Promise<void> {
  await writeFile(path.join(dir, 'package.json'), `${JSON.stringify({ name, version: '1.0.0', private: true, type: 'commonjs' }, null, 2)}\n`);
}

/** Installs what a TypeScript user has: `typescript` and `@types/node`, at the repository's versions. */
export async function installTypeScript(dir: string): Promise<void> {
  const devDependencies = rootManifest().devDependencies ?? {};
  await runOrThrow(
    'npm',
    ['install', '--save-dev', '--ignore-scripts', '--no-audit', '--no-fund', `typescript@${devDependencies.typescript}`, `@types/node@${devDependencies['@types/node']}`],
    { cwd: dir, timeoutMs: 600_000 },
  );
}
