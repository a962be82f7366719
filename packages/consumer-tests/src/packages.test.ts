/**
 * The packed packages are fit to publish: `npm publish --dry-run` is clean, the tarballs hold no
 * tests, test support or fixtures, every path the package.json points at is in the tarball, every
 * package a shipped file imports is declared, and every package installed into the fresh projects
 * runs on every supported Node.js version by its own `engines`.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import semver from 'semver';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { REPO_ROOT, rootManifest, workspacePackages } from '../test-support/public-packages.js';
import { runCommand, runOrThrow } from '../test-support/run-command.js';
import { bareSpecifiers, packageOf } from '../test-support/shipped-imports.js';
import { TESTED_NODE_MAJORS } from '../test-support/node-runtimes.js';

const { packed, runtimes, sdkProject, webProject } = inject('consumer');

/** Paths that are tests, test support or fixtures, wherever they sit. */
const TEST_ONLY = [
  /(^|\/)(test|tests|__tests__|__fixtures__|test-support)\//,
  /\.(test|spec|test-setup)\.[cm]?[jt]s$/,
  /(^|\/)[^/]*(test-support|test-harness|test-cluster)[^/]*$/,
];

/** Every file path (or `dir/*` pattern) that a package.json field points at. */
function pointedPaths(manifest: (typeof packed)[number]['manifest']): string[] {
  const paths: string[] = [];
  const walk = (value: unknown) => {
    if (typeof value === 'string') paths.push(value);
    else if (value && typeof value === 'object') Object.values(value).forEach(walk);
  };
  walk(manifest.exports);
  for (const field of [manifest.main, manifest.module, manifest.types]) if (field) paths.push(field);
  walk(manifest.bin);
  return paths.map((target) => target.replace(/^\.\//, ''));
}

describe('the packed packages', () => {
  afterAll(() => {
    // The sizes for the release notes; the tests assert nothing about them.
    console.log(
      ['package                         tarball   unpacked  files', ...packed.map((pkg) => `${pkg.name.padEnd(30)} ${`${(pkg.size / 1024).toFixed(1)} kB`.padStart(9)} ${`${(pkg.unpackedSize / 1024).toFixed(1)} kB`.padStart(10)}  ${pkg.files.length}`)].join('\n'),
    );
  });

  it('are every workspace that is not private: the SDK, the adapters, the server, the component, the sandbox and the trainer', () => {
    expect(packed.map((pkg) => pkg.name)).toEqual([
      '@autoheal/adapter-kubernetes',
      '@autoheal/adapter-onnx',
      '@autoheal/adapter-prometheus',
      '@autoheal/adapter-slack',
      '@autoheal/core',
      '@autoheal/dashboard-wc',
      '@autoheal/sandbox',
      '@autoheal/server',
      '@autoheal/trainer',
    ]);
  });

  describe.concurrent.each(packed.map((pkg) => [pkg.name, pkg] as const))('%s', (_name, pkg) => {
    it('ships no tests, test support or fixtures', () => {
      const testFiles = pkg.files.map((file) => file.path).filter((file) => TEST_ONLY.some((pattern) => pattern.test(file)));
      expect(testFiles).toEqual([]);
    });

    it('ships every file its package.json points at (exports, main, module, types, bin)', () => {
      const shipped = new Set(pkg.files.map((file) => file.path));
      const missing = pointedPaths(pkg.manifest).filter((target) =>
        target.includes('*') ? ![...shipped].some((file) => file.startsWith(target.slice(0, target.indexOf('*')))) : !shipped.has(target),
      );
      expect(missing).toEqual([]);
    });

    it('declares every package its shipped code and types import (dependencies or peers)', async () => {
      const declared = new Set(['node', pkg.name, ...Object.keys(pkg.manifest.dependencies ?? {}), ...Object.keys(pkg.manifest.peerDependencies ?? {})]);
      const undeclared: string[] = [];
      for (const file of pkg.files.map((entry) => entry.path).filter((name) => /\.(c|m)?(j|t)s$/.test(name))) {
        const source = await readFile(path.join(REPO_ROOT, pkg.dir, file), 'utf8');
        for (const specifier of bareSpecifiers(source)) {
          if (!declared.has(packageOf(specifier))) undeclared.push(`${file} imports ${specifier}`);
        }
      }
      expect(undeclared).toEqual([]);
    });

    it('passes `npm publish --dry-run` without corrections or warnings, with public access', async () => {
      const cwd = await mkdtemp(path.join(tmpdir(), 'autoheal-publish-'));
      try {
        const result = await runOrThrow('npm', ['publish', '--dry-run', pkg.tarball], { cwd, timeoutMs: 120_000 });
        const output = `${result.stdout}\n${result.stderr}`;
        // The one warning a dry-run always prints on a machine without npm credentials.
        const warnings = output.split('\n').filter((line) => /npm warn/i.test(line) && !/requires you to be logged in/.test(line));
        expect(warnings).toEqual([]);
        expect(output).toContain(`+ ${pkg.name}@${pkg.manifest.version}`);
        expect(output).toMatch(/with tag latest and public access/);
      } finally {
        await rm(cwd, { recursive: true, force: true });
      }
    });
  });
});

describe('supported Node.js versions', () => {
  const engines = rootManifest().engines?.node ?? '';

  it('are declared the same in every package', () => {
    const differing = workspacePackages()
      .filter((pkg) => pkg.manifest.engines?.node !== engines)
      .map((pkg) => `${pkg.manifest.name}: ${pkg.manifest.engines?.node}`);
    expect(differing).toEqual([]);
  });

  it('are each tested: every range of `engines` starts on a tested major, and every tested runtime is in range', () => {
    const floors = new semver.Range(engines).set.map((comparators) => semver.minVersion(new semver.Range(comparators.map(String).join(' ')))!.major);
    expect(floors.filter((major) => !(TESTED_NODE_MAJORS as readonly number[]).includes(major))).toEqual([]);
    expect(runtimes.map((runtime) => runtime.major)).toEqual([...TESTED_NODE_MAJORS]);
    expect(runtimes.filter((runtime) => !semver.satisfies(runtime.version, engines)).map((runtime) => runtime.version)).toEqual([]);
  });

  describe.each([
    ['the SDK + server project', sdkProject],
    ['the web-component project', webProject],
  ])('%s', (_label, project) => {
    let installed: Array<{ name: string; version: string; engines?: { node?: string } }> = [];
    beforeAll(async () => {
      installed = JSON.parse((await runOrThrow('npm', ['query', '*'], { cwd: project, timeoutMs: 120_000 })).stdout);
    });

    it('installs only packages whose own `engines` accept every tested runtime (no override needed)', () => {
      const refusing = installed.flatMap((pkg) =>
        runtimes
          .filter((runtime) => pkg.engines?.node && !semver.satisfies(runtime.version, pkg.engines.node, { includePrerelease: true }))
          .map((runtime) => `${pkg.name}@${pkg.version} (engines ${pkg.engines!.node}) refuses ${runtime.version}`),
      );
      expect(refusing).toEqual([]);
    });
  });

  it('`npm ls` finds no invalid or missing dependency in the SDK + server project', async () => {
    const result = await runCommand('npm', ['ls', '--all'], { cwd: sdkProject, timeoutMs: 120_000 });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });
});
