/**
 * What a scenario is, and how one is played on a simulation. A scenario is a run of a simulation:
 * its seed, a warm-up, a recorded duration, and workloads, each with its shape (replicas, traffic,
 * an HPA), at most one fault, and the healthy disturbances a real cluster has (releases, traffic
 * swings, a background error ratio). The trainer's datasets and the outcome benchmark draw their
 * scenarios in these terms and play them with {@link startScenario}, so a scenario means the same
 * thing to both.
 *
 * Every time is an offset in milliseconds from the start of the simulation (warm-up included).
 */
import type { FaultType, SaturationPeak } from '../sim/simulation-options.js';

/** An HPA on a scenario workload (autoscaling/v2, CPU utilisation of the request). */
export interface ScenarioHpa {
  minReplicas: number;
  maxReplicas: number;
  targetCpuUtilization: number;
}

/** The fault a workload suffers. */
export interface ScenarioFault {
  type: FaultType;
  /** In (0, 1]. */
  strength: number;
  onsetMs: number;
  /** When the cause goes away by itself (a dependency recovers, a traffic spike ends); never when unset. */
  endMs?: number;
  /** cpu-saturation only: how long the surge takes to its peak. @default the sandbox's ten minutes (`defaultSaturationRampMs`) */
  rampMs?: number;
  /**
   * cpu-saturation only: what the strength sizes (`saturationPeaks`). @default 'cpu-limit' (at the
   * peak, each replica the workload had at onset is asked for (1 + strength) × its CPU limit)
   */
  peak?: SaturationPeak;
}

/** A normal (good) release: a rolling update to a new image. */
export interface ScenarioDeploy {
  atMs: number;
  /** @default `registry.local/<name>:1.<n>.0`, n = 1 for the first deploy of the workload */
  image?: string;
}

/** A change of the workload's mean traffic to `factor` × its scenario traffic (1 brings it back). */
export interface ScenarioLoadChange {
  atMs: number;
  factor: number;
}

/** One workload of a scenario. */
export interface ScenarioWorkload {
  /** The Deployment's name (it also picks the workload's profile: `web`/`frontend` names are light). */
  name: string;
  replicas: number;
  /** Mean requests per second (before the diurnal swing and noise the simulation adds). */
  requestsPerSecond: number;
  hpa?: ScenarioHpa;
  fault?: ScenarioFault;
  deploys?: ScenarioDeploy[];
  loadChanges?: ScenarioLoadChange[];
  /**
   * A healthy background error ratio from the start (a dependency that fails this share of calls,
   * played as a `failing-dependency` fault of that strength); keep it under the objective's 5%.
   */
  backgroundErrorRatio?: number;
}

/** One run of a simulation. */
export interface ScenarioRun {
  /** Seed of the simulation. */
  seed: number;
  /** Time simulated before anything is recorded (pods start, rate windows fill). */
  warmupMs: number;
  /** Recorded time after the warm-up. */
  durationMs: number;
  workloads: ScenarioWorkload[];
}

/** What {@link startScenario} needs of a simulation (the sandbox's `Simulation` and `Sandbox` have it). */
export interface ScenarioSimulation {
  injectFault(spec: { namespace: string; deployment: string; type: FaultType; strength: number; startAt?: number; rampMs?: number; peak?: SaturationPeak }): void;
  setImage(namespace: string, name: string, image: string): void;
  setLoad(spec: { namespace: string; deployment: string; requestsPerSecond: number }): void;
  /** Needed only by scenarios with a fault that ends by itself. */
  clearFaults?(ref: { namespace: string; deployment: string }): void;
}

/** A change to make at a given time while a scenario plays. */
export interface ScenarioChange {
  atMs: number;
  workload: string;
  kind: 'deploy' | 'load' | 'fault-ends';
  apply(simulation: ScenarioSimulation): void;
}

/** The Deployments a scenario creates, for `createSimulation({ deployments })` or `startSandbox`. */
export function scenarioDeployments(run: ScenarioRun, namespace: string): Array<{ namespace: string; name: string; replicas: number; requestsPerSecond: number; hpa?: ScenarioHpa }> {
  return run.workloads.map((w) => ({ namespace, name: w.name, replicas: w.replicas, requestsPerSecond: w.requestsPerSecond, ...(w.hpa ? { hpa: w.hpa } : {}) }));
}

/**
 * Starts a scenario on a simulation created at `start` (epoch ms) with {@link scenarioDeployments}:
 * injects every fault with its onset (the simulation starts each one itself) and every background
 * error ratio, and returns the other changes (releases, traffic changes, faults that end) in time
 * order, for the caller to apply when the simulation reaches them. Changes at the same time keep
 * the order of the workloads, then releases before traffic changes before fault ends.
 */
export function startScenario(simulation: ScenarioSimulation, run: ScenarioRun, options: { namespace: string; start: number }): ScenarioChange[] {
  const { namespace, start } = options;
  for (const w of run.workloads) {
    const fault = w.fault;
    if (fault) {
      simulation.injectFault({
        namespace,
        deployment: w.name,
        type: fault.type,
        strength: fault.strength,
        startAt: start + fault.onsetMs,
        ...(fault.rampMs === undefined ? {} : { rampMs: fault.rampMs }),
        ...(fault.peak === undefined ? {} : { peak: fault.peak }),
      });
    }
  }
  for (const w of run.workloads) {
    if (w.backgroundErrorRatio !== undefined && w.backgroundErrorRatio > 0) {
      simulation.injectFault({ namespace, deployment: w.name, type: 'failing-dependency', strength: w.backgroundErrorRatio, startAt: start });
    }
  }
  const changes: ScenarioChange[] = [];
  for (const w of run.workloads) {
    (w.deploys ?? []).forEach((deploy, index) => {
      const image = deploy.image ?? `registry.local/${w.name}:1.${index + 1}.0`;
      changes.push({ atMs: deploy.atMs, workload: w.name, kind: 'deploy', apply: (s) => s.setImage(namespace, w.name, image) });
    });
    for (const change of w.loadChanges ?? []) {
      const requestsPerSecond = w.requestsPerSecond * change.factor;
      changes.push({ atMs: change.atMs, workload: w.name, kind: 'load', apply: (s) => s.setLoad({ namespace, deployment: w.name, requestsPerSecond }) });
    }
    const endMs = w.fault?.endMs;
    if (endMs !== undefined) {
      changes.push({
        atMs: endMs,
        workload: w.name,
        kind: 'fault-ends',
        apply: (s) => {
          if (!s.clearFaults) throw new Error(`[autoheal] [sandbox] the scenario's ${w.fault?.type} fault on ${w.name} ends by itself, which needs the simulation's clearFaults()`);
          s.clearFaults({ namespace, deployment: w.name });
          // clearFaults ends every fault of the workload: its background error ratio goes on.
          if (w.backgroundErrorRatio !== undefined && w.backgroundErrorRatio > 0) {
            s.injectFault({ namespace, deployment: w.name, type: 'failing-dependency', strength: w.backgroundErrorRatio, startAt: start });
          }
        },
      });
    }
  }
  // Array.prototype.sort is stable: equal times keep the order above.
  return changes.sort((a, b) => a.atMs - b.atMs);
}
