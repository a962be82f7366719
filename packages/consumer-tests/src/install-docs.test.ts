/**
 * The install instructions are the ones the consumer projects were built with, and what they say
 * about onnxruntime-node's install script holds: it is the only install script in the tree that
 * does anything a user must decide about, and its own `ONNXRUNTIME_NODE_INSTALL=skip` makes it exit
 * without a download (this machine cannot reach the GPU download: any attempt would fail here).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { INSTALL_COMMANDS } from '../test-support/consumer-project.js';
import { REPO_ROOT } from '../test-support/public-packages.js';
import { runCommand, runOrThrow } from '../test-support/run-command.js';

const { sdkProject } = inject('consumer');

const readme = (dir: string) => readFile(path.join(REPO_ROOT, dir, 'README.md'), 'utf8');

describe('the READMEs give the install commands the consumer projects were built with', () => {
  it('the root README: the SDK, the server and the web component', async () => {
    const text = await readme('.');
    for (const command of Object.values(INSTALL_COMMANDS)) expect(text).toContain(command);
  });

  it.each([
    ['packages/server', INSTALL_COMMANDS.server],
    ['packages/dashboard-wc', INSTALL_COMMANDS.webComponent],
  ])('%s', async (dir, command) => {
    expect(await readme(dir)).toContain(command);
  });

  it.each(['.', 'packages/server', 'packages/adapters/onnx'])('%s says how to skip the GPU download of onnxruntime-node', async (dir) => {
    const text = await readme(dir);
    expect(text).toContain('--ignore-scripts');
    expect(text).toContain('ONNXRUNTIME_NODE_INSTALL=skip');
  });
});

describe('install scripts in the SDK + server project', () => {
  // onnxruntime-node's downloads the GPU provider; protobufjs' (under onnx-proto) only prepares its
  // own code-generation CLI, which autoheal never runs.
  it('are onnxruntime-node\'s download and protobufjs\' CLI set-up: --ignore-scripts loses nothing', async () => {
    const withScripts = JSON.parse(
      (await runOrThrow('npm', ['query', ':attr(scripts, [preinstall]), :attr(scripts, [install]), :attr(scripts, [postinstall])'], { cwd: sdkProject })).stdout,
    ) as Array<{ name: string; scripts: Record<string, string> }>;
    const scripts = Object.fromEntries(withScripts.map((pkg) => [pkg.name, pkg.scripts.preinstall ?? pkg.scripts.install ?? pkg.scripts.postinstall]));
    expect(scripts).toEqual({ 'onnxruntime-node': 'node ./script/install', protobufjs: 'node scripts/postinstall' });
  });

  it('ONNXRUNTIME_NODE_INSTALL=skip makes onnxruntime-node\'s install script exit at once', async () => {
    const result = await runCommand('npm', ['rebuild', 'onnxruntime-node', '--foreground-scripts'], { cwd: sdkProject, env: { ONNXRUNTIME_NODE_INSTALL: 'skip' }, timeoutMs: 60_000 });
    expect(result.stderr).not.toMatch(/nuget|download/i);
    expect(result.code).toBe(0);
  });
});
