/**
 * The fleet fixture of the Prometheus benchmarks (`prometheus-collect.mjs`, `fleet-cycle.mjs`): a real
 * Prometheus (the Debian binary) scraping fixture exporters on 127.0.0.1 that serve a fleet of
 * Deployments (3 pods each) the way cAdvisor, kube-state-metrics and prometheus_flask_exporter would.
 *
 * The exporters serve ≈ 60 series per Deployment (≈ 600,000 at 10,000 Deployments) in three scrape
 * jobs, one exporter process each. The previous-release window reads 15–30 minutes back and the
 * memory trend 10 minutes: so that those queries read as much data as in production, the series they
 * use (request counters, working set, ready/desired replicas) come from a "history" job that replays
 * `historyMinutes` at 15 s steps as fast as Prometheus ingests them (explicit timestamps; a step is
 * replayed again until it was delivered), then follows real time; the other jobs are scraped live
 * every `scrapeSeconds`. A mix of Deployments is rolling out, OOM-killed, leaking, throttled, without
 * limits, failing, freshly released, stalled or idle, so every signal has data.
 *
 * Not a benchmark itself (it lives in `bench/lib/`, which `bench/run.mjs` does not run). Run as a
 * script only as an exporter child: `node bench/lib/fleet-fixture.mjs --exporter-child=<job> --deployments=N --history=M`.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

export const PODS = 3;
const STEP_SECONDS = 15;
/** The Prometheus binary; CI sets PROMETHEUS_BIN when it is not on PATH. */
export const PROMETHEUS_BIN = process.env.PROMETHEUS_BIN ?? 'prometheus';
export const NAMESPACES = ['prod', 'staging', 'dev', 'batch'];
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

function safeString(seed, length) {
  let text = '';
  let state = seed * 2654435761 + 12345;
  for (let i = 0; i < length; i++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    text += ALPHABET[state % ALPHABET.length];
  }
  return text;
}

const deploymentName = (i) => `app-${String(i).padStart(5, '0')}`;

/**
 * The series of the fleet, per scrape job, as a table: prefix (`name{labels} `), and the value as
 * `base + slope * elapsedSeconds` (counters and growing gauges have a slope).
 */
function buildSeries(startSeconds, only, deployments) {
  const table = () => ({ prefix: [], base: [], slope: [], integer: [] });
  const parts = { cadvisor: table(), ksm: table(), history: table() };
  const add = (part, prefix, base, slope = 0, integer = true) => {
    if (part !== only) return;
    const t = parts[part];
    t.prefix.push(`${prefix} `);
    t.base.push(base);
    t.slope.push(slope);
    t.integer.push(integer);
  };
  for (let i = 0; i < deployments; i++) {
    const namespace = NAMESPACES[i % NAMESPACES.length];
    const name = deploymentName(i);
    const replicaSet = `${name}-${safeString(i + 1, 10)}`;
    const oldReplicaSet = `${name}-${safeString(i + 7777, 10)}`;
    const rolling = i % 50 === 0;
    const oom = i % 97 === 0;
    const leaking = i % 31 === 0;
    const noLimits = i % 20 === 0;
    const failing = i % 10 === 0;
    const idle = i % 101 === 0;
    const youngRelease = i % 7 === 0;
    const stalled = i % 211 === 0;
    for (let p = 0; p < PODS; p++) {
      const pod = `${replicaSet}-${safeString(i * 7 + p + 3, 5)}`;
      const id = `/kubepods/burstable/pod${i}-${p}/cri-containerd-${i}${p}`;
      const container = `container="app",id="${id}",image="registry.local/${name}:1.0.0",name="${i}${p}",namespace="${namespace}",pod="${pod}"`;
      add('cadvisor', `container_cpu_usage_seconds_total{${container},cpu="total"}`, 0, 0.1 + (i % 10) / 100, false);
      add('cadvisor', `container_network_receive_bytes_total{container="",id="/kubepods/burstable/pod${i}-${p}",image="registry.k8s.io/pause:3.9",interface="eth0",name="s${i}${p}",namespace="${namespace}",pod="${pod}"}`, 0, 1000);
      if (!noLimits) {
        add('cadvisor', `container_cpu_cfs_periods_total{${container}}`, 0, 10);
        add('cadvisor', `container_cpu_cfs_throttled_periods_total{${container}}`, 0, i % 13 === 0 ? 3 : 0);
      }
      add('history', `container_memory_working_set_bytes{${container}}`, 50_000_000 + i, oom ? 20_000 : leaking ? 50_000 : 0);
      const podLabels = `container="app",namespace="${namespace}",pod="${pod}",uid="u-${i}-${p}"`;
      add('ksm', `kube_pod_container_status_restarts_total{${podLabels}}`, 0, oom ? 1 / 60 : 0);
      if (oom) add('ksm', `kube_pod_container_status_last_terminated_reason{${podLabels},reason="OOMKilled"}`, 1);
      if (!noLimits) {
        add('ksm', `kube_pod_container_resource_limits{${podLabels},node="n1",resource="cpu",unit="core"}`, 0.5, 0, false);
        add('ksm', `kube_pod_container_resource_limits{${podLabels},node="n1",resource="memory",unit="byte"}`, 268_435_456);
      }
      add('ksm', `kube_pod_container_resource_requests{${podLabels},node="n1",resource="cpu",unit="core"}`, 0.25, 0, false);
      add('ksm', `kube_pod_container_resource_requests{${podLabels},node="n1",resource="memory",unit="byte"}`, 134_217_728);
      add('ksm', `kube_pod_owner{namespace="${namespace}",owner_is_controller="true",owner_kind="ReplicaSet",owner_name="${replicaSet}",pod="${pod}",uid="u-${i}-${p}"}`, 1);
      const request = `method="GET",namespace="${namespace}",pod="${pod}"`;
      add('history', `flask_http_request_total{${request},status="200"}`, 0, idle ? 0 : 10);
      add('history', `flask_http_request_total{${request},status="500"}`, 0, idle ? 0 : failing ? 1 : 0.01);
    }
    const deployment = `deployment="${name}",namespace="${namespace}"`;
    add('history', `kube_deployment_spec_replicas{${deployment}}`, PODS);
    add('history', `kube_deployment_status_replicas_ready{${deployment}}`, rolling ? PODS - 1 : PODS);
    add('ksm', `kube_deployment_status_replicas{${deployment}}`, rolling ? PODS + 1 : PODS);
    add('ksm', `kube_deployment_status_replicas_available{${deployment}}`, rolling ? PODS - 1 : PODS);
    add('ksm', `kube_deployment_status_replicas_unavailable{${deployment}}`, rolling ? 1 : 0);
    add('ksm', `kube_deployment_status_replicas_updated{${deployment}}`, rolling ? 1 : PODS);
    add('ksm', `kube_deployment_metadata_generation{${deployment}}`, rolling ? 4 : 3);
    add('ksm', `kube_deployment_status_observed_generation{${deployment}}`, 3);
    add('ksm', `kube_deployment_spec_strategy_rollingupdate_max_unavailable{${deployment}}`, i % 2);
    add('ksm', `kube_deployment_created{${deployment}}`, startSeconds - (i % 13 === 0 ? 600 : 86_400));
    for (const condition of ['Available', 'Progressing']) {
      const actual = condition === 'Progressing' && stalled ? 'false' : 'true';
      for (const status of ['true', 'false', 'unknown']) add('ksm', `kube_deployment_status_condition{condition="${condition}",${deployment},reason="",status="${status}"}`, status === actual ? 1 : 0);
    }
    const releases = [[replicaSet, startSeconds - (youngRelease ? 300 : 7200) - (i % 60), PODS], [oldReplicaSet, startSeconds - 86_400, 0]];
    for (const [rs, created, replicas] of releases) {
      add('ksm', `kube_replicaset_created{namespace="${namespace}",replicaset="${rs}"}`, created);
      add('ksm', `kube_replicaset_spec_replicas{namespace="${namespace}",replicaset="${rs}"}`, replicas);
      add('ksm', `kube_replicaset_owner{namespace="${namespace}",owner_is_controller="true",owner_kind="Deployment",owner_name="${name}",replicaset="${rs}"}`, 1);
    }
  }
  return parts[only];
}

const formatted = (table, j, elapsed) => {
  const value = table.base[j] + table.slope[j] * elapsed;
  return table.integer[j] ? Math.floor(value) : Math.round(value * 1000) / 1000;
};

/**
 * Renders a table at `elapsed` seconds. Without timestamps the constant lines are joined once and
 * reused (only counters and growing gauges are rendered per scrape); with explicit timestamps (ms)
 * every line is rendered.
 */
function render(table, elapsed, timestampMs) {
  const chunks = [];
  let chunk = '';
  const flush = () => {
    if (chunk.length > 1 << 20) {
      chunks.push(chunk);
      chunk = '';
    }
  };
  if (timestampMs === undefined) {
    table.constantText ??= table.prefix.flatMap((prefix, j) => (table.slope[j] === 0 ? [`${prefix}${formatted(table, j, 0)}\n`] : [])).join('');
    table.dynamic ??= table.prefix.flatMap((_, j) => (table.slope[j] === 0 ? [] : [j]));
    chunks.push(table.constantText);
    for (const j of table.dynamic) {
      chunk += `${table.prefix[j]}${formatted(table, j, elapsed)}\n`;
      flush();
    }
  } else {
    const suffix = ` ${timestampMs}\n`;
    for (let j = 0; j < table.prefix.length; j++) {
      chunk += `${table.prefix[j]}${formatted(table, j, elapsed)}${suffix}`;
      flush();
    }
  }
  chunks.push(chunk);
  return chunks;
}

/**
 * The `--exporter-child=<part>` mode: serves one scrape job (cadvisor or ksm live, history replayed)
 * and prints the port. One process per job, so the three render in parallel.
 */
async function serveMetrics(part, deployments, historyMinutes) {
  const nowSeconds = Math.floor(Date.now() / 1000);
  const historyStart = nowSeconds - historyMinutes * 60;
  const table = buildSeries(nowSeconds, part, deployments);
  let step = 0;
  const server = createServer((req, res) => {
    let chunks;
    if (part === 'history') {
      // The next 15 s step of the replay, once this one is delivered; after catching up with real time, it follows it.
      const at = historyStart + step * STEP_SECONDS;
      const next = at + STEP_SECONDS <= Date.now() / 1000;
      res.once('finish', () => {
        if (next) step++;
      });
      chunks = render(table, at - historyStart + 3600, at * 1000);
    } else {
      chunks = render(table, Date.now() / 1000 - historyStart + 3600, undefined);
    }
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    for (const chunk of chunks) res.write(chunk);
    res.end();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.stdout.write(`${server.address().port}\n`);
}

export async function freePort() {
  const server = createNetServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Runs one exporter child per scrape job: rendering them must not block the measured process, nor each other. */
export async function startExporters({ deployments, historyMinutes }) {
  const children = await Promise.all(
    ['cadvisor', 'ksm', 'history'].map(async (part) => {
      const child = spawn(process.execPath, [fileURLToPath(import.meta.url), `--exporter-child=${part}`, `--deployments=${deployments}`, `--history=${historyMinutes}`], { stdio: ['ignore', 'pipe', 'inherit'] });
      const port = await new Promise((resolve, reject) => {
        child.stdout.once('data', (chunk) => resolve(Number(String(chunk).trim())));
        child.once('exit', (code) => reject(new Error(`exporter ${part} exited with code ${code}`)));
      });
      return { part, child, address: `127.0.0.1:${port}` };
    }),
  );
  return {
    addresses: Object.fromEntries(children.map(({ part, address }) => [part, address])),
    close: async () => {
      await Promise.all(
        children.map(({ child }) => {
          const exited = new Promise((resolve) => child.once('exit', resolve));
          child.kill('SIGTERM');
          return exited;
        }),
      );
    },
  };
}

export async function startPrometheus(addresses, scrapeSeconds) {
  const dir = await mkdtemp(join(tmpdir(), 'autoheal-bench-prom-'));
  const job = (name, interval) =>
    `  - job_name: ${name}\n    honor_labels: true\n    metrics_path: /metrics\n    scrape_interval: ${interval}s\n    scrape_timeout: ${interval}s\n    static_configs:\n      - targets: ['${addresses[name]}']\n`;
  // The replay is scraped as fast as it renders and Prometheus ingests; the live jobs at the production interval.
  const config = (ruleFile) =>
    `global:\n  scrape_interval: ${scrapeSeconds}s\n  evaluation_interval: 30s\n${ruleFile ? `rule_files: ['${ruleFile}']\n` : ''}scrape_configs:\n${job('cadvisor', scrapeSeconds)}${job('ksm', scrapeSeconds)}${job('history', 5)}`;
  await writeFile(join(dir, 'prometheus.yml'), config());
  const port = await freePort();
  const child = spawn(PROMETHEUS_BIN, [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--web.enable-lifecycle', '--log.level=warn'], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  /** Adds a rule file and reloads the configuration. */
  const loadRules = async (rulesYaml) => {
    await writeFile(join(dir, 'rules.yml'), rulesYaml);
    await writeFile(join(dir, 'prometheus.yml'), config(join(dir, 'rules.yml')));
    const response = await fetch(`${url}/-/reload`, { method: 'POST' });
    if (!response.ok) throw new Error(`reload failed: HTTP ${response.status} ${await response.text()}`);
  };
  const close = async () => {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  return { url, close, loadRules };
}

export async function instant(url, promql) {
  const response = await fetch(`${url}/api/v1/query`, { method: 'POST', body: new URLSearchParams({ query: promql }) }).catch(() => undefined);
  if (!response?.ok) return undefined;
  const body = await response.json();
  return Number(body.data?.result?.[0]?.value?.[1] ?? 'NaN');
}

export async function waitFor(url, promql, predicate, what, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await instant(url, promql);
    if (last !== undefined && predicate(last)) return;
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
  throw new Error(`timed out waiting for ${what} (${promql} = ${last})`);
}

/** The fleet's targets, in the exporters' order. */
export function fleetTargets(deployments) {
  return Array.from({ length: deployments }, (_, i) => ({ namespace: NAMESPACES[i % NAMESPACES.length], kind: 'Deployment', name: deploymentName(i) }));
}

/**
 * Starts the exporters and Prometheus and waits until the data is there: the history replay caught up
 * with real time, and two live scrapes (for rates). `close()` stops everything.
 *
 * @param {{ deployments: number, historyMinutes: number, scrapeSeconds: number }} settings
 */
export async function startFleetFixture(settings) {
  const started = performance.now();
  const exporter = await startExporters(settings);
  let prometheus;
  try {
    prometheus = await startPrometheus(exporter.addresses, settings.scrapeSeconds);
    const history = settings.historyMinutes * 60;
    // The replay has caught up when its newest sample is recent; the live jobs need two scrapes for rates.
    await waitFor(prometheus.url, 'time() - max(timestamp(kube_deployment_spec_replicas))', (lag) => lag < 60, 'the history replay', (history / STEP_SECONDS) * 20_000 + 600_000);
    await waitFor(prometheus.url, 'count(rate(container_cpu_usage_seconds_total[2m]))', (count) => count === settings.deployments * PODS, 'two live scrapes', 600_000);
  } catch (error) {
    await prometheus?.close();
    await exporter.close();
    throw error;
  }
  return {
    url: prometheus.url,
    loadRules: prometheus.loadRules,
    dataLoadMs: Math.round(performance.now() - started),
    targets: fleetTargets(settings.deployments),
    async close() {
      await prometheus.close();
      await exporter.close();
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = Object.fromEntries(process.argv.slice(2).map((arg) => arg.replace(/^--/, '').split('=')));
  if (!args['exporter-child']) {
    process.stderr.write('bench/lib/fleet-fixture.mjs is a library; as a script it only serves one exporter job (--exporter-child=cadvisor|ksm|history)\n');
    process.exit(1);
  }
  await serveMetrics(args['exporter-child'], Number(args.deployments), Number(args.history));
}
