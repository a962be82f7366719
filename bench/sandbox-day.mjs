// A simulated day of 10 Deployments in virtual time, sampling `scrape()` every 15 s, as the
// trainer generates data. Target: < 60 s wall time on this 2-core machine.
//
// Usage: npm run build -w @autoheal/sandbox && node bench/sandbox-day.mjs [deployments] [tickMs]
const entry = process.env.SANDBOX_ENTRY ?? '../packages/sandbox/dist/index.js';
const { createSimulation } = await import(entry);

const deploymentCount = Number(process.argv[2] ?? 10);
const tickMs = Number(process.argv[3] ?? 1000);
const deployments = Array.from({ length: deploymentCount }, (_, index) => ({
  namespace: 'prod',
  name: index === 0 ? 'backend' : `svc-${index}`,
  replicas: 2 + (index % 3),
}));

const started = performance.now();
const simulation = createSimulation({ seed: 7, tickMs, deployments });
const day = 24 * 60 * 60 * 1000;
const sampleEvery = 15_000;
let samples = 0;
let series = 0;
for (let time = 0; time < day; time += sampleEvery) {
  // A few faults and a release through the day, so the run is not all steady state.
  if (time === 3 * 3_600_000) simulation.injectFault({ namespace: 'prod', deployment: 'backend', type: 'memory-leak', strength: 0.4 });
  if (time === 5 * 3_600_000) simulation.restart('prod', 'backend');
  if (time === 6 * 3_600_000) simulation.clearFaults({ namespace: 'prod', deployment: 'backend' });
  if (time === 9 * 3_600_000) simulation.injectFault({ namespace: 'prod', deployment: 'svc-1', type: 'bad-release', strength: 0.7 });
  if (time === 10 * 3_600_000) simulation.rollback('prod', 'svc-1');
  if (time === 14 * 3_600_000) simulation.injectFault({ namespace: 'prod', deployment: 'svc-2', type: 'cpu-saturation', strength: 0.8 });
  if (time === 15 * 3_600_000) simulation.scale('prod', 'svc-2', 10);
  if (time === 18 * 3_600_000) simulation.injectFault({ namespace: 'prod', deployment: 'svc-3', type: 'cache-bloat', strength: 1 });
  simulation.advance(sampleEvery);
  series += simulation.scrape().length;
  samples += 1;
}
const wallSeconds = (performance.now() - started) / 1000;
console.log(JSON.stringify({ deployments: deploymentCount, tickMs, simulatedHours: 24, scrapes: samples, seriesSampled: series, wallSeconds: Number(wallSeconds.toFixed(2)), targetSeconds: 60 }, null, 2));
