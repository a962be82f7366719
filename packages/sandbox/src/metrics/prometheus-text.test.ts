import { describe, expect, it } from 'vitest';
import { createSimulation } from '../sim/simulation.js';
import { metricFamilyDefinitions } from './metric-families.js';
import { renderPrometheusText } from './prometheus-text.js';

describe('Prometheus text rendering', () => {
  it('writes HELP and TYPE, escapes label values and special numbers', () => {
    const text = renderPrometheusText([
      {
        name: 'demo_total',
        help: 'A help text with a \\ backslash\nand a newline',
        type: 'counter',
        samples: [
          { name: 'demo_total', labels: { path: 'C:\\tmp', quote: 'say "hi"', multi: 'a\nb' }, value: 3 },
          { name: 'demo_total', labels: {}, value: Infinity },
          { name: 'demo_total', labels: Object.freeze({ a: 'b' }), value: Number.NaN },
        ],
      },
    ]);
    expect(text).toBe(
      [
        '# HELP demo_total A help text with a \\\\ backslash\\nand a newline',
        '# TYPE demo_total counter',
        'demo_total{path="C:\\\\tmp",quote="say \\"hi\\"",multi="a\\nb"} 3',
        'demo_total +Inf',
        'demo_total{a="b"} NaN',
        '',
      ].join('\n'),
    );
  });
});

describe('the sandbox metric families', () => {
  it('are all present, in order, with [STABLE] kube-state-metrics help', () => {
    const simulation = createSimulation({ seed: 2 });
    simulation.advance(20_000);
    const families = simulation.collect();
    expect(families.map((family) => family.name)).toEqual(Object.keys(metricFamilyDefinitions));
    // kube-state-metrics marks these experimental: their HELP has no [STABLE].
    const experimental = new Set(['kube_pod_container_status_last_terminated_reason', 'kube_pod_container_resource_requests', 'kube_pod_container_resource_limits']);
    for (const family of families.filter((entry) => entry.name.startsWith('kube_') && !experimental.has(entry.name))) {
      expect(family.help.startsWith('[STABLE] '), family.name).toBe(true);
    }
    const text = simulation.renderMetrics();
    expect(text.split('\n').filter((line) => line.startsWith('# TYPE')).length).toBe(families.length);
  });

  it('show waiting and last-terminated reasons of a crash-looping container', () => {
    const simulation = createSimulation({ seed: 2, deployments: [{ namespace: 'prod', name: 'backend', replicas: 1 }] });
    simulation.advance(20_000);
    simulation.injectFault({ namespace: 'prod', deployment: 'backend', type: 'bad-release', strength: 1 });
    // Step until the new pod is between two crashes (its container waits in back-off).
    const inBackOff = (sample: { name: string; labels: Readonly<Record<string, string>> }) =>
      sample.name === 'kube_pod_container_status_waiting_reason' && sample.labels['reason'] === 'CrashLoopBackOff';
    let samples = simulation.scrape();
    for (let second = 0; second < 60 && !samples.some(inBackOff); second += 1) {
      simulation.advance(1000);
      samples = simulation.scrape();
    }
    expect(samples).toContainEqual(expect.objectContaining({ name: 'kube_pod_container_status_waiting_reason', labels: expect.objectContaining({ reason: 'CrashLoopBackOff' }), value: 1 }));
    expect(samples).toContainEqual(expect.objectContaining({ name: 'kube_pod_container_status_last_terminated_reason', labels: expect.objectContaining({ reason: 'Error' }), value: 1 }));
    // The crashed container has no cAdvisor series while it waits, but its restarts are counted.
    const badPod = samples.find(inBackOff)?.labels['pod'];
    expect(samples.some((sample) => sample.name === 'container_memory_working_set_bytes' && sample.labels['pod'] === badPod)).toBe(false);
    expect(samples.find((sample) => sample.name === 'kube_pod_container_status_restarts_total' && sample.labels['pod'] === badPod)?.value).toBeGreaterThanOrEqual(1);
  });
});
