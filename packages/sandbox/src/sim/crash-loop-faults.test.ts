/**
 * The faults that come with a release and crash-loop (`bad-config`, `oom-crash-loop`) and the one
 * that fails without a restart (`failing-dependency`): what users see, and which action helps.
 */
import { describe, expect, it } from 'vitest';
import { deploymentSignals, type DeploymentSignals } from '../metrics/deployment-signals.js';
import type { FaultType } from './simulation-options.js';
import { createSimulation, type Simulation } from './simulation.js';

const minute = 60_000;
const mebibyte = 1024 * 1024;

function observe(simulation: Simulation, windowMs: number): DeploymentSignals {
  const before = simulation.scrape();
  simulation.advance(windowMs);
  return deploymentSignals(before, simulation.scrape(), windowMs / 1000, 'prod', 'backend');
}

/** A warmed-up backend hit by `type` at `strength`, then left alone for `forMs`. */
function faulted(type: FaultType, strength: number, forMs = 5 * minute): Simulation {
  const simulation = createSimulation({ seed: 3, deployments: [{ namespace: 'prod', name: 'backend', replicas: 3, requestsPerSecond: 60 }] });
  simulation.advance(3 * minute);
  simulation.injectFault({ namespace: 'prod', deployment: 'backend', type, strength });
  simulation.advance(forMs);
  return simulation;
}

interface LastState {
  reason: string | undefined;
  exitCode: number | undefined;
}

function lastTerminations(simulation: Simulation): LastState[] {
  return simulation.store
    .list('/pods', 'prod')
    .items.map((pod) => (pod.status as { containerStatuses?: Array<{ lastState?: { terminated?: { reason: string; exitCode: number } } }> }).containerStatuses?.[0]?.lastState?.terminated)
    .filter((terminated): terminated is { reason: string; exitCode: number } => terminated !== undefined)
    .map((terminated) => ({ reason: terminated.reason, exitCode: terminated.exitCode }));
}

function template(simulation: Simulation): { image: string | undefined; annotations: Record<string, string> } {
  const deployment = simulation.store.get('apps/deployments', 'prod', 'backend') as unknown as { spec: { template: { metadata?: { annotations?: Record<string, string> }; spec: { containers: Array<{ image?: string }> } } } };
  return { image: deployment.spec.template.spec.containers[0]?.image, annotations: deployment.spec.template.metadata?.annotations ?? {} };
}

describe('bad config', () => {
  it('rolls out a new revision with the same image and a new config checksum', () => {
    const simulation = faulted('bad-config', 0.6, minute);
    const deployment = simulation.store.get('apps/deployments', 'prod', 'backend') as { metadata: { annotations: Record<string, string> } };
    expect(deployment.metadata.annotations['deployment.kubernetes.io/revision']).toBe('2');
    expect(template(simulation).image).toBe('registry.local/backend:1.0.0');
    expect(template(simulation).annotations['checksum/config']).toBe('bad-0.6');
  });

  it('crash-loops with exit code 1 after the pods pass readiness, so users lose the whole Deployment, without 500s', () => {
    const simulation = faulted('bad-config', 0.6);
    const signals = observe(simulation, 5 * minute);
    expect(signals.restarts).toBeGreaterThanOrEqual(3);
    expect(signals.readyRatio).toBeLessThan(0.5);
    expect(lastTerminations(simulation)).toContainEqual({ reason: 'Error', exitCode: 1 });
    const truth = simulation.truthOf('prod', 'backend');
    expect(truth.breached).toBe(true);
    expect(truth.failures.noReadyPod).toBeGreaterThan(0);
    // The application answers nothing with 500 (only the background rate): its pods just die.
    expect(truth.failures.applicationErrors / truth.requests).toBeLessThan(0.002);
  });

  it('at strength 1 fails at start-up: never ready, so the rollout stalls and the old pods keep serving', () => {
    const simulation = faulted('bad-config', 1);
    const signals = observe(simulation, 3 * minute);
    expect(signals.unavailableReplicas).toBeGreaterThan(0);
    expect(signals.readyRatio).toBeGreaterThanOrEqual(0.5);
    expect(simulation.truthOf('prod', 'backend').breached).toBe(false);
  });

  it('is fixed by a rollback and not by a restart', () => {
    const restarted = faulted('bad-config', 0.6);
    restarted.restart('prod', 'backend');
    restarted.advance(2 * minute);
    expect(observe(restarted, 3 * minute).restarts).toBeGreaterThanOrEqual(1);

    const rolledBack = faulted('bad-config', 0.6);
    expect(rolledBack.rollback('prod', 'backend').outcome).toBe('rolled-back');
    rolledBack.advance(2 * minute);
    const after = observe(rolledBack, 3 * minute);
    expect(after.restarts).toBe(0);
    expect(after.readyRatio).toBe(1);
    expect(template(rolledBack).annotations['checksum/config']).toBeUndefined();
  });
});

describe('OOMKill crash loop', () => {
  it('rolls out a release whose working set climbs to the limit within a minute of every start, then OOMKilled', () => {
    const simulation = faulted('oom-crash-loop', 0.5);
    expect(template(simulation).image).toBe('registry.local/backend:heavy');
    const signals = observe(simulation, 5 * minute);
    expect(signals.restarts).toBeGreaterThanOrEqual(3);
    expect(lastTerminations(simulation)).toContainEqual({ reason: 'OOMKilled', exitCode: 137 });
    expect(simulation.truthOf('prod', 'backend').breached).toBe(true);
  });

  it('shows the working set near the limit while its pods run', () => {
    const simulation = faulted('oom-crash-loop', 0.2, 0);
    simulation.advance(40_000);
    const memory = simulation.state().deployments[0]?.pods.map((pod) => pod.memoryBytes).filter((bytes) => bytes > 0) ?? [];
    expect(Math.max(...memory)).toBeGreaterThan(350 * mebibyte);
  });

  it('is fixed by a rollback and not by a restart', () => {
    const restarted = faulted('oom-crash-loop', 0.5);
    restarted.restart('prod', 'backend');
    restarted.advance(2 * minute);
    expect(observe(restarted, 3 * minute).restarts).toBeGreaterThanOrEqual(1);

    const rolledBack = faulted('oom-crash-loop', 0.5);
    rolledBack.rollback('prod', 'backend');
    rolledBack.advance(2 * minute);
    const after = observe(rolledBack, 3 * minute);
    expect(after.restarts).toBe(0);
    expect(after.readyRatio).toBe(1);
    expect(after.memoryBytes).toBeLessThan(300 * mebibyte);
  });
});

describe('failing dependency', () => {
  it('fails the share of requests its strength says, with every pod up and ready and no restart', () => {
    const simulation = faulted('failing-dependency', 0.4);
    const before = simulation.truthOf('prod', 'backend');
    const signals = observe(simulation, 5 * minute);
    const after = simulation.truthOf('prod', 'backend');
    expect(signals.restarts).toBe(0);
    expect(signals.readyRatio).toBe(1);
    const failedShare = (after.failedRequests - before.failedRequests) / (after.requests - before.requests);
    expect(failedShare).toBeGreaterThan(0.38);
    expect(failedShare).toBeLessThan(0.42);
    expect(after.breached).toBe(true);
  });

  it('is not fixed by a restart, a scale-out or a rollback, and ends when the dependency recovers (clearFaults)', () => {
    const simulation = faulted('failing-dependency', 0.4);
    simulation.restart('prod', 'backend');
    simulation.scale('prod', 'backend', 6);
    simulation.rollback('prod', 'backend');
    simulation.advance(2 * minute);
    expect(observe(simulation, 2 * minute).http5xxPerSecond).toBeGreaterThan(10);
    simulation.clearFaults({ namespace: 'prod', deployment: 'backend' });
    expect(observe(simulation, 2 * minute).http5xxPerSecond).toBeLessThan(0.5);
  });

  it('at a low strength is a background error ratio within the objective', () => {
    const simulation = faulted('failing-dependency', 0.02);
    observe(simulation, 5 * minute);
    expect(simulation.truthOf('prod', 'backend').breached).toBe(false);
  });
});
