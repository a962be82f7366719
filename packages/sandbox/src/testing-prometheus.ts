/**
 * `startPrometheus`: runs a real Prometheus (the `prometheus` binary on PATH) for integration
 * tests, scraping the given targets. It listens on a free loopback port, keeps its data in a
 * temporary directory, and is always killed: on `close()`, and when the Node process exits.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Options of `startPrometheus`. */
export interface StartPrometheusOptions {
  /** `host:port` targets scraped at `/metrics` (job `sandbox`, `honor_labels: true`). */
  scrapeTargets: string[];
  /** @default 1 */
  scrapeIntervalSeconds?: number;
  /** More `scrape_configs` entries, as plain objects in Prometheus' configuration shape. */
  extraScrapeConfigs?: Array<Record<string, unknown>>;
  /** The binary to run. @default 'prometheus' */
  binary?: string;
  /** How long to wait for `/-/ready`. @default 20000 */
  readyTimeoutMs?: number;
}

/** A running Prometheus. */
export interface RunningPrometheus {
  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  url: string;
  /** Runs an instant query; resolves to `data.result`. */
  query(expression: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>>;
  /** Kills Prometheus and removes its data directory. */
  close(): Promise<void>;
}

/** True when the `prometheus` binary can be run. */
export function isPrometheusAvailable(binary = 'prometheus'): boolean {
  const result = spawnSync(binary, ['--version'], { stdio: 'ignore' });
  return result.status === 0;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Children still running, killed if the test process exits without closing them. */
const runningChildren = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of runningChildren) child.kill('SIGKILL');
  });
}

/**
 * Starts Prometheus scraping `scrapeTargets` and waits until it is ready.
 *
 * @example
 * const prometheus = await startPrometheus({ scrapeTargets: [new URL(sandbox.url).host], scrapeIntervalSeconds: 1 });
 * const result = await prometheus.query('up');
 * await prometheus.close();
 */
export async function startPrometheus(options: StartPrometheusOptions): Promise<RunningPrometheus> {
  const binary = options.binary ?? 'prometheus';
  const interval = `${options.scrapeIntervalSeconds ?? 1}s`;
  const directory = await mkdtemp(join(tmpdir(), 'autoheal-prometheus-'));
  const configPath = join(directory, 'prometheus.yml');
  // JSON is valid YAML, so the configuration needs no YAML writer.
  const config = {
    global: { scrape_interval: interval, evaluation_interval: interval },
    scrape_configs: [
      {
        job_name: 'sandbox',
        honor_labels: true,
        scrape_interval: interval,
        scrape_timeout: interval,
        metrics_path: '/metrics',
        static_configs: [{ targets: options.scrapeTargets }],
      },
      ...(options.extraScrapeConfigs ?? []),
    ],
  };
  await writeFile(configPath, JSON.stringify(config, null, 2));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    binary,
    [
      `--config.file=${configPath}`,
      `--storage.tsdb.path=${join(directory, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  installExitHook();
  runningChildren.add(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      runningChildren.delete(child);
      resolve();
    });
    child.once('error', () => {
      exited = true;
      runningChildren.delete(child);
      resolve();
    });
  });

  async function close(): Promise<void> {
    if (!exited) {
      child.kill('SIGTERM');
      const killTimer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exitedPromise;
      clearTimeout(killTimer);
    }
    await rm(directory, { recursive: true, force: true });
  }

  const deadline = Date.now() + (options.readyTimeoutMs ?? 20_000);
  for (;;) {
    if (exited) {
      await close();
      throw new Error(`[autoheal] [sandbox] prometheus exited before it was ready: ${stderr.trim() || 'no output'}`);
    }
    try {
      const response = await fetch(`${url}/-/ready`);
      if (response.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await close();
      throw new Error(`[autoheal] [sandbox] prometheus was not ready within ${options.readyTimeoutMs ?? 20_000} ms: ${stderr.trim()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }

  return {
    url,
    async query(expression) {
      const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expression)}`);
      const body = (await response.json()) as { status: string; error?: string; data?: { result: never[] } };
      if (body.status !== 'success') throw new Error(`[autoheal] [sandbox] prometheus query failed: ${body.error ?? response.status}`);
      return body.data?.result ?? [];
    },
    close,
  };
}
