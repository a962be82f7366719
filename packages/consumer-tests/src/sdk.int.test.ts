/**
 * The SDK in a fresh project, on every supported Node.js version: imported as ES modules and
 * required from CommonJS, and the root README's example run as written (against the sandbox and a
 * real Prometheus, in dry-run). The example lives in `fixtures/sdk-example.mjs`, which a test keeps
 * identical to the README.
 */
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { REPO_ROOT } from '../test-support/public-packages.js';
import { runCommand } from '../test-support/run-command.js';

const { runtimes, sdkProject, prometheusUrl, sandbox, slackWebhookUrl } = inject('consumer');
const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

/** The packages a Node consumer imports (the component is for browsers: see dashboard.int.test.ts). */
const NODE_PACKAGES = [
  '@autoheal/core',
  '@autoheal/adapter-prometheus',
  '@autoheal/adapter-onnx',
  '@autoheal/adapter-kubernetes',
  '@autoheal/adapter-slack',
  '@autoheal/server',
  '@autoheal/sandbox',
  '@autoheal/trainer',
];

/** An export each package must have, whichever module system loads it. */
const KEY_EXPORTS: Record<string, string> = {
  '@autoheal/core': 'createPipeline',
  '@autoheal/adapter-prometheus': 'createPrometheusFeatureSource',
  '@autoheal/adapter-onnx': 'createOnnxRiskModel',
  '@autoheal/adapter-kubernetes': 'createKubernetesHealer',
  '@autoheal/adapter-slack': 'createSlackNotifier',
  '@autoheal/server': 'startServer',
  '@autoheal/sandbox': 'startSandbox',
  '@autoheal/trainer': 'trainRiskModel',
};

/** The fenced `ts` block under "## Using the SDK" in the root README. */
async function readmeSdkExample(): Promise<string> {
  const readme = await readFile(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Using the SDK'));
  const match = /```ts\n([\s\S]*?)```/.exec(section);
  if (!match) throw new Error('README.md has no ```ts block under "## Using the SDK"');
  return match[1]!;
}

beforeAll(async () => {
  for (const file of ['imports.mjs', 'imports.cjs']) await copyFile(path.join(FIXTURES, file), path.join(sdkProject, file));
  // The README's example points at Prometheus' default address; the test's Prometheus has its own.
  const example = await readFile(path.join(FIXTURES, 'sdk-example.mjs'), 'utf8');
  const defaultUrl = "'http://127.0.0.1:9090'";
  if (example.split(defaultUrl).length !== 2) throw new Error(`fixtures/sdk-example.mjs must name Prometheus as ${defaultUrl} exactly once`);
  await writeFile(path.join(sdkProject, 'sdk-example.mjs'), example.replace(defaultUrl, `'${prometheusUrl}'`));
});

it('the SDK example in fixtures/ is the one in the root README', async () => {
  expect(await readFile(path.join(FIXTURES, 'sdk-example.mjs'), 'utf8')).toBe(await readmeSdkExample());
});

it('resolves the model shipped in @autoheal/adapter-onnx by its package path, as the adapter README shows', async () => {
  const script = "import { createRequire } from 'node:module'; console.log(createRequire(import.meta.url).resolve('@autoheal/adapter-onnx/models/risk-v2.onnx'));";
  const result = await runCommand(process.execPath, ['--input-type=module', '-e', script], { cwd: sdkProject });
  expect(result.stderr).toBe('');
  expect(result.stdout.trim()).toBe(path.join(sdkProject, 'node_modules/@autoheal/adapter-onnx/models/risk-v2.onnx'));
});

describe.concurrent.each(runtimes.map((runtime) => [runtime.version, runtime] as const))('on Node %s', (_version, runtime) => {
  it('imports every package as an ES module and requires it from CommonJS, with the same exports', async () => {
    const esm = await runCommand(runtime.bin, ['imports.mjs', ...NODE_PACKAGES], { cwd: sdkProject });
    expect(esm.stderr).toBe('');
    expect(esm.code).toBe(0);
    const cjs = await runCommand(runtime.bin, ['imports.cjs', ...NODE_PACKAGES], { cwd: sdkProject });
    expect(cjs.stderr).toBe('');
    expect(cjs.code).toBe(0);
    const esmExports = JSON.parse(esm.stdout) as Record<string, string[]>;
    const cjsExports = JSON.parse(cjs.stdout) as Record<string, string[]>;
    for (const name of NODE_PACKAGES) expect(esmExports[name], name).toContain(KEY_EXPORTS[name]);
    // An ES module namespace also lists `default` when the CommonJS build is interoperated; compare the named ones.
    for (const name of NODE_PACKAGES) expect(cjsExports[name]!.filter((key) => key !== 'default'), name).toEqual(esmExports[name]!.filter((key) => key !== 'default'));
  });

  it("runs the README's SDK example: evaluates prod/backend in dry-run and prints its summary", async () => {
    const result = await runCommand(runtime.bin, ['sdk-example.mjs'], {
      cwd: sdkProject,
      env: { KUBECONFIG: sandbox.kubeconfigPath, SLACK_WEBHOOK_URL: slackWebhookUrl },
      timeoutMs: 90_000,
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    // The summary is the line about the target (the example may print more after it).
    const summary = result.stdout.split('\n').find((line) => line.includes('prod/backend'));
    expect(summary, result.stdout).toBeDefined();
    // A complete evaluation: every signal was there, so the model judged (never "unknown").
    expect(summary).toMatch(/risk 0\.\d\d/);
    expect(summary).not.toMatch(/unknown/i);
  });
});
