// Sandbox scale: can 1,000 Deployments be simulated in real time on this machine?
// Measures, for N Deployments (default 1000): time to create and settle the cluster, the cost of
// one simulation step (the real-time driver runs one per second), and the cost and size of one
// `/metrics` rendering; then runs a real-time sandbox for a while and measures event-loop delay,
// ticks per second and `/metrics` latency over HTTP.
//
// Usage: npm run build -w @autoheal/sandbox && node bench/sandbox-scale.mjs [deployments] [seconds] [warmupSeconds]
import { monitorEventLoopDelay } from 'node:perf_hooks';

const entry = process.env.SANDBOX_ENTRY ?? '../packages/sandbox/dist/index.js';
const { createSimulation, startSandbox } = await import(entry);

const deploymentCount = Number(process.argv[2] ?? 1000);
const realTimeSeconds = Number(process.argv[3] ?? 20);
const deployments = Array.from({ length: deploymentCount }, (_, index) => ({
  namespace: `team-${index % 20}`,
  name: `svc-${index}`,
  replicas: 1 + (index % 4),
}));
const pods = deployments.reduce((sum, deployment) => sum + deployment.replicas, 0);
const round = (value, digits = 1) => Number(value.toFixed(digits));

// 1. Virtual time: pure compute costs.
let started = performance.now();
const simulation = createSimulation({ seed: 1, deployments });
const createMs = performance.now() - started;
started = performance.now();
simulation.advance(30_000);
const settleMs = performance.now() - started;
const ready = simulation.state().deployments.every((deployment) => deployment.readyReplicas === deployment.replicas);

const stepTimes = [];
for (let step = 0; step < 60; step += 1) {
  started = performance.now();
  simulation.advance(1000);
  stepTimes.push(performance.now() - started);
}
stepTimes.sort((a, b) => a - b);

const renderTimes = [];
let metricsBytes = 0;
let sampleCount = 0;
for (let render = 0; render < 10; render += 1) {
  started = performance.now();
  const text = simulation.renderMetrics();
  renderTimes.push(performance.now() - started);
  metricsBytes = Buffer.byteLength(text);
}
sampleCount = simulation.scrape().length;
renderTimes.sort((a, b) => a - b);
simulation.close();

// 2. Real time: the whole sandbox with its timer and HTTP server. Start-up (every pod created and
// started at once) is reported apart from the steady state measured after a warm-up.
const warmupSeconds = Number(process.argv[4] ?? 30);
started = performance.now();
const sandbox = await startSandbox({ time: 'real', tickMs: 1000, deployments });
const realStartMs = performance.now() - started;
await new Promise((resolve) => setTimeout(resolve, warmupSeconds * 1000));
const delay = monitorEventLoopDelay({ resolution: 10 });
delay.enable();
const fetchTimes = [];
const deadline = Date.now() + realTimeSeconds * 1000;
while (Date.now() < deadline) {
  started = performance.now();
  const response = await fetch(sandbox.metricsUrl);
  await response.text();
  fetchTimes.push(performance.now() - started);
  await new Promise((resolve) => setTimeout(resolve, 1000));
}
delay.disable();
const realReady = sandbox.simulation.state().deployments.filter((deployment) => deployment.readyReplicas === deployment.replicas).length;
await sandbox.close();
fetchTimes.sort((a, b) => a - b);

console.log(JSON.stringify({
  deployments: deploymentCount,
  pods,
  virtual: {
    createMs: round(createMs),
    settle30sMs: round(settleMs),
    allReadyAfter30s: ready,
    stepMsMedian: round(stepTimes[30]),
    stepMsP95: round(stepTimes[57]),
    renderMetricsMsMedian: round(renderTimes[5]),
    metricsBytes,
    samples: sampleCount,
  },
  realTime: {
    startSandboxMs: round(realStartMs),
    warmupSeconds,
    measuredSeconds: realTimeSeconds,
    deploymentsFullyReady: realReady,
    metricsFetchMsMedian: round(fetchTimes[Math.floor(fetchTimes.length / 2)]),
    metricsFetchMsMax: round(fetchTimes.at(-1)),
    eventLoopDelayMsP99: round(delay.percentile(99) / 1e6),
    eventLoopDelayMsMax: round(delay.max / 1e6),
  },
}, null, 2));
