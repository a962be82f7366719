/**
 * Sets up once what every consumer test uses, in parallel where it can:
 * - the tarballs of every public package (`npm pack`);
 * - an SDK + server project (the README's SDK and server install commands, then `typescript` and
 *   `@types/node`, and the shipped model copied to `models/` as the README says) and a web-component
 *   project (its install command alone), both in a fresh temporary folder;
 * - the Node.js runtimes of {@link TESTED_NODE_MAJORS};
 * - the sandbox Kubernetes API (real time) and a real Prometheus scraping it, waited on until the
 *   README's default queries return every feature of `prod/backend`, and a Slack webhook receiver.
 * Everything is removed at teardown (set AUTOHEAL_KEEP_CONSUMER_PROJECTS=1 to keep the projects).
 */
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createPrometheusFeatureSource } from '@autoheal/adapter-prometheus';
import { isPrometheusAvailable, startPrometheus, startSandbox, type RunningPrometheus, type Sandbox } from '@autoheal/sandbox';
import type { TestProject } from 'vitest/node';
import { initProject, installTypeScript, INSTALL_COMMANDS, runInstallCommand } from './consumer-project.js';
import { nodeRuntimes, type NodeRuntime } from './node-runtimes.js';
import { packPublicPackages, type PackedPackage } from './pack.js';

/** What the setup hands to the tests (`inject('consumer')`). */
export interface ConsumerContext {
  packed: PackedPackage[];
  /** The project installed with the SDK and the server commands (plus TypeScript). */
  sdkProject: string;
  /** The project installed with the web component's command alone. */
  webProject: string;
  runtimes: NodeRuntime[];
  sandbox: { url: string; kubeconfigPath: string };
  prometheusUrl: string;
  slackWebhookUrl: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    consumer: ConsumerContext;
  }
}

/** The Deployment the tests evaluate. */
export const TARGET = { namespace: 'prod', name: 'backend' } as const;

async function setUpSdkProject(dir: string, packed: PackedPackage[]): Promise<void> {
  await mkdir(dir);
  await initProject(dir, 'autoheal-sdk-consumer');
  await runInstallCommand(dir, INSTALL_COMMANDS.sdk, packed);
  await runInstallCommand(dir, INSTALL_COMMANDS.server, packed);
  await installTypeScript(dir);
  // The README: "mkdir -p models && cp node_modules/@autoheal/adapter-onnx/models/risk-v2.onnx models/".
  await mkdir(path.join(dir, 'models'));
  await copyFile(path.join(dir, 'node_modules/@autoheal/adapter-onnx/models/risk-v2.onnx'), path.join(dir, 'models/risk-v2.onnx'));
}

async function setUpWebProject(dir: string, packed: PackedPackage[]): Promise<void> {
  await mkdir(dir);
  await initProject(dir, 'autoheal-web-consumer');
  await runInstallCommand(dir, INSTALL_COMMANDS.webComponent, packed);
}

/** Resolves once the default queries give every feature of the target (rate windows need samples). */
async function waitForFeatures(prometheusUrl: string, timeoutMs: number): Promise<void> {
  const source = createPrometheusFeatureSource({ url: prometheusUrl });
  const deadline = Date.now() + timeoutMs;
  let missing: unknown = 'no answer yet';
  try {
    while (Date.now() < deadline) {
      const observation = await source.collect({ ...TARGET, kind: 'Deployment' }).catch((error: unknown) => ({ missing: String(error) }));
      missing = observation.missing;
      if (Array.isArray(missing) && missing.length === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  } finally {
    await source.close?.();
  }
  throw new Error(`Prometheus never returned every feature of ${TARGET.namespace}/${TARGET.name}; still missing: ${JSON.stringify(missing)}`);
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!isPrometheusAvailable()) throw new Error('the consumer tests start a real Prometheus: apt-get install prometheus');
  const root = await mkdtemp(path.join(tmpdir(), 'autoheal-consumer-'));
  let sandbox: Sandbox | undefined;
  let prometheus: RunningPrometheus | undefined;
  const slack = createServer((request, response) => {
    request.resume();
    request.on('end', () => response.end('ok'));
  });

  const teardown = async () => {
    await prometheus?.close();
    await sandbox?.close();
    await new Promise((resolve) => slack.close(resolve));
    if (process.env.AUTOHEAL_KEEP_CONSUMER_PROJECTS !== '1') await rm(root, { recursive: true, force: true });
    else console.log(`[consumer-tests] kept ${root}`);
  };

  try {
    const services = (async () => {
      sandbox = await startSandbox({ time: 'real', seed: 7, deployments: [{ ...TARGET, replicas: 3 }] });
      prometheus = await startPrometheus({ scrapeTargets: [new URL(sandbox.url).host], scrapeIntervalSeconds: 1 });
      await new Promise<void>((resolve) => slack.listen(0, '127.0.0.1', resolve));
      return { sandbox, prometheus };
    })();
    const tarballs = path.join(root, 'tarballs');
    await mkdir(tarballs);
    const packed = await packPublicPackages(tarballs);
    const sdkProject = path.join(root, 'sdk-project');
    const webProject = path.join(root, 'web-project');
    const [runtimes, running] = await Promise.all([
      nodeRuntimes(),
      services,
      setUpSdkProject(sdkProject, packed),
      setUpWebProject(webProject, packed),
    ]);
    await waitForFeatures(running.prometheus.url, 90_000);
    project.provide('consumer', {
      packed,
      sdkProject,
      webProject,
      runtimes,
      sandbox: { url: running.sandbox.url, kubeconfigPath: running.sandbox.kubeconfigPath },
      prometheusUrl: running.prometheus.url,
      slackWebhookUrl: `http://127.0.0.1:${(slack.address() as { port: number }).port}/services/T000/B000/XXXX`,
    });
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}
