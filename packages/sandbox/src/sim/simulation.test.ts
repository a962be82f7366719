import { describe, expect, it } from 'vitest';
import { computePodTemplateHash, safeEncodeString } from '../controller/pod-template-hash.js';
import { createSimulation } from './simulation.js';
import { SandboxValidationError } from './simulation-options.js';

function scripted(seed: number) {
  const simulation = createSimulation({
    seed,
    deployments: [
      { namespace: 'prod', name: 'backend', replicas: 3 },
      { namespace: 'prod', name: 'frontend', replicas: 2 },
      { namespace: 'shop', name: 'cart', replicas: 2, hpa: { minReplicas: 2, maxReplicas: 4, targetCpuUtilization: 50 } },
    ],
  });
  simulation.advance(2 * 60_000);
  simulation.injectFault({ namespace: 'prod', deployment: 'backend', type: 'memory-leak', strength: 0.8 });
  simulation.injectFault({ namespace: 'shop', deployment: 'cart', type: 'bad-release', strength: 0.4, startAt: simulation.clock.now() + 60_000 });
  simulation.advance(6 * 60_000);
  simulation.restart('prod', 'backend');
  simulation.advance(2 * 60_000);
  return simulation.scrape();
}

describe('determinism', () => {
  it('replays the same run from the same seed', () => {
    const first = scripted(42);
    expect(first.length).toBeGreaterThan(100);
    expect(scripted(42)).toEqual(first);
  });

  it('produces a different run from another seed', () => {
    expect(scripted(43)).not.toEqual(scripted(42));
  });
});

describe('pod-template-hash', () => {
  it('is stable for equal templates, differs for different ones, and uses the safe alphabet', () => {
    const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] } };
    const reordered = { spec: { containers: [{ image: 'nginx:1.25', name: 'web' }] }, metadata: { labels: { app: 'web' } } };
    expect(computePodTemplateHash(template)).toBe(computePodTemplateHash(reordered));
    expect(computePodTemplateHash(template)).not.toBe(computePodTemplateHash({ ...template, spec: { containers: [{ name: 'web', image: 'nginx:1.26' }] } }));
    expect(computePodTemplateHash(template, 1)).not.toBe(computePodTemplateHash(template));
    // kubectl rollout undo sends `creationTimestamp: null`; the API server decodes that as absent.
    expect(computePodTemplateHash({ ...template, metadata: { ...template.metadata, creationTimestamp: null } })).toBe(computePodTemplateHash(template));
    expect(computePodTemplateHash(template)).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
    // The digit mapping of the notes: 0→4 1→5 2→6 3→7 4→8 5→9 6→b 7→c 8→d 9→f.
    expect(safeEncodeString('0123456789')).toBe('456789bcdf');
  });
});

describe('exec', () => {
  it('runs the cache-clear, exit, echo and unknown commands like sh', () => {
    const simulation = createSimulation({ seed: 1 });
    simulation.advance(20_000);
    const [pod] = simulation.podsOf('prod', 'backend');
    const run = (command: string[]) => simulation.execSync('prod', pod ?? '', command);
    expect(run(['sh', '-c', 'rm -rf /tmp/cache/*'])).toEqual({ stdout: '', stderr: '', exitCode: 0 });
    expect(run(['sh', '-c', 'exit 3']).exitCode).toBe(3);
    expect(run(['echo', 'hello', 'world'])).toEqual({ stdout: 'hello world\n', stderr: '', exitCode: 0 });
    expect(run(['frobnicate', '--now'])).toEqual({ stdout: '', stderr: 'sh: 1: frobnicate: command not found\n', exitCode: 127 });
    expect(() => simulation.execSync('prod', 'backend-nope-12345', ['true'])).toThrow('pods "backend-nope-12345" not found');
  });
});

describe('validation', () => {
  it('names the bad field and the fix', () => {
    expect(() => createSimulation({ tickMs: 5 })).toThrow(/tickMs: must be at least 100 ms/);
    expect(() => createSimulation({ deployments: [{ namespace: 'Prod', name: 'x', replicas: 1 }] })).toThrow(/deployments\.0\.namespace: must be lowercase/);
    const simulation = createSimulation({ seed: 1 });
    expect(() => simulation.injectFault({ namespace: 'prod', deployment: 'backend', type: 'disk-full' as never })).toThrow(SandboxValidationError);
    expect(() => simulation.injectFault({ namespace: 'prod', deployment: 'backend', type: 'memory-leak', strength: 2 })).toThrow(/strength: must be at most 1/);
    expect(() => simulation.injectFault({ namespace: 'prod', deployment: 'nope', type: 'memory-leak' })).toThrow('deployments.apps "nope" not found');
  });
});
