/**
 * A small, deterministic stand-in for the sandbox simulation, for the trainer's own tests only: it
 * renders the same metric names and labels as the sandbox's `/metrics`, with crude fault effects
 * (errors ramp up, memory leaks make pods unready). It is not a model of anything; the shipped
 * model is trained on the real `@autoheal/sandbox` simulation.
 */
import type { ScrapedSample } from '../src/features/sample-history.js';
import { createScenarioRandom } from '@autoheal/sandbox';
import type { SimulationFactory, SimulationLike } from '../src/dataset/sandbox-dataset.js';
import type { FaultType } from '../src/dataset/scenarios.js';

interface FakeDeployment {
  namespace: string;
  name: string;
  replicas: number;
  rps: number;
  faults: Array<{ type: FaultType; strength: number; startAt: number }>;
  cpu: number[];
  network: number[];
  ok: number[];
  failed: number[];
  restarts: number[];
}

const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** Creates the fake simulation (same factory shape as the sandbox's `createSimulation`). */
export const createFakeSimulation: SimulationFactory = (options): SimulationLike => {
  const random = createScenarioRandom(options.seed);
  let now = Date.UTC(2025, 0, 1);
  const deployments: FakeDeployment[] = options.deployments.map((d) => ({
    namespace: d.namespace,
    name: d.name,
    replicas: Math.max(1, d.replicas),
    rps: d.requestsPerSecond ?? 10,
    faults: [],
    cpu: new Array<number>(Math.max(1, d.replicas)).fill(0),
    network: new Array<number>(Math.max(1, d.replicas)).fill(0),
    ok: new Array<number>(Math.max(1, d.replicas)).fill(0),
    failed: new Array<number>(Math.max(1, d.replicas)).fill(0),
    restarts: new Array<number>(Math.max(1, d.replicas)).fill(0),
  }));
  const find = (namespace: string, name: string) => deployments.find((d) => d.namespace === namespace && d.name === name);
  const pod = (d: FakeDeployment, i: number) => `${d.name}-5d8f7c9b4-${SUFFIX_ALPHABET[i % SUFFIX_ALPHABET.length]}x7k2`;
  // Severity in [0, 1]: grows over four minutes after a fault starts, faster for stronger faults.
  const severity = (d: FakeDeployment) => Math.max(0, ...d.faults.filter((f) => now >= f.startAt).map((f) => Math.min(1, (f.strength * (now - f.startAt)) / 240_000)));
  const memoryOf = (d: FakeDeployment) => 150e6 + (d.faults.some((f) => f.type === 'memory-leak' && now >= f.startAt) ? 400e6 * severity(d) : 0);
  const readyOf = (d: FakeDeployment) => (memoryOf(d) > 450e6 ? Math.floor(d.replicas / 3) : d.replicas);

  return {
    clock: { now: () => now },
    advance(ms) {
      for (let elapsed = 0; elapsed < ms; elapsed += options.tickMs) {
        const dt = Math.min(options.tickMs, ms - elapsed) / 1000;
        now += dt * 1000;
        for (const d of deployments) {
          const s = severity(d);
          const errorFraction = d.faults.some((f) => f.type !== 'memory-leak' && now >= f.startAt) ? 0.3 * s * s : 0.001;
          for (let i = 0; i < d.replicas; i++) {
            const share = (d.rps / d.replicas) * (0.9 + 0.2 * random.next()) * dt;
            d.ok[i] = (d.ok[i] as number) + share * (1 - errorFraction);
            d.failed[i] = (d.failed[i] as number) + share * errorFraction;
            d.cpu[i] = (d.cpu[i] as number) + (0.02 + 0.003 * share / dt) * dt;
            d.network[i] = (d.network[i] as number) + 800 * share;
          }
        }
      }
    },
    injectFault(spec) {
      find(spec.namespace, spec.deployment)?.faults.push({ type: spec.type, strength: spec.strength, startAt: spec.startAt ?? now });
    },
    setLoad(spec) {
      const d = find(spec.namespace, spec.deployment);
      if (d) d.rps = spec.requestsPerSecond;
    },
    setImage() {
      // A good release changes nothing visible in this stand-in.
    },
    scrape() {
      const samples: ScrapedSample[] = [];
      for (const d of deployments) {
        const ready = readyOf(d);
        const base = { namespace: d.namespace, deployment: d.name };
        samples.push({ name: 'kube_deployment_spec_replicas', labels: base, value: d.replicas });
        samples.push({ name: 'kube_deployment_status_replicas_ready', labels: base, value: ready });
        samples.push({ name: 'kube_deployment_status_replicas_available', labels: base, value: ready });
        samples.push({ name: 'kube_deployment_status_replicas_unavailable', labels: base, value: d.replicas - ready });
        for (let i = 0; i < d.replicas; i++) {
          const labels = { namespace: d.namespace, pod: pod(d, i), container: d.name };
          samples.push({ name: 'container_cpu_usage_seconds_total', labels: { ...labels, cpu: 'total' }, value: d.cpu[i] as number });
          samples.push({ name: 'container_memory_working_set_bytes', labels, value: memoryOf(d) });
          samples.push({ name: 'kube_pod_container_status_restarts_total', labels, value: d.restarts[i] as number });
          samples.push({ name: 'container_network_receive_bytes_total', labels: { namespace: d.namespace, pod: pod(d, i), container: '', interface: 'eth0' }, value: d.network[i] as number });
          samples.push({ name: 'flask_http_request_total', labels: { namespace: d.namespace, pod: pod(d, i), method: 'GET', status: '200' }, value: d.ok[i] as number });
          samples.push({ name: 'flask_http_request_total', labels: { namespace: d.namespace, pod: pod(d, i), method: 'GET', status: '500' }, value: d.failed[i] as number });
        }
      }
      return samples;
    },
    // Healing hooks, as crude as the rest: a restart restarts a leak, a cache clear restarts the
    // cache's growth, a rollback removes a bad release, a scale changes the replica count.
    restart(namespace, name) {
      const d = find(namespace, name);
      for (const f of d?.faults ?? []) if (f.type === 'memory-leak' && now >= f.startAt) f.startAt = now;
    },
    rollback(namespace, name) {
      const d = find(namespace, name);
      if (d) d.faults = d.faults.filter((f) => f.type !== 'bad-release');
    },
    scale(namespace, name, replicas) {
      const d = find(namespace, name);
      if (!d) return;
      for (const column of [d.cpu, d.network, d.ok, d.failed, d.restarts]) while (column.length < replicas) column.push(0);
      d.replicas = Math.max(1, replicas);
      d.faults = d.faults.filter((f) => f.type !== 'cpu-saturation');
    },
    podsOf(namespace, name) {
      const d = find(namespace, name);
      return d ? Array.from({ length: d.replicas }, (_, i) => pod(d, i)) : [];
    },
    execSync(namespace, podName, command) {
      const d = deployments.find((x) => x.namespace === namespace && Array.from({ length: x.replicas }, (_, i) => pod(x, i)).includes(podName));
      if (d && command.join(' ').includes('cache')) for (const f of d.faults) if (f.type === 'cache-bloat' && now >= f.startAt) f.startAt = now;
      return { exitCode: 0 };
    },
    close() {},
  };
};
