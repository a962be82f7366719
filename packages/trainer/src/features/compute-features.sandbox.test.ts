import { describe, expect, it } from 'vitest';
import { createSimulation } from '@autoheal/sandbox';
import { computeFeatures } from './compute-features.js';
import { SeriesRecorder } from './sample-history.js';

describe('computeFeatures on the real sandbox simulation', () => {
  it('finds every feature of a healthy Deployment from what /metrics serves', () => {
    const simulation = createSimulation({ seed: 9, tickMs: 5000, deployments: [{ namespace: 'prod', name: 'backend', replicas: 3, requestsPerSecond: 50 }] });
    const recorder = new SeriesRecorder();
    for (let i = 0; i < 40; i++) {
      simulation.advance(15_000);
      recorder.ingest(simulation.clock.now(), simulation.scrape());
    }
    const [backend] = computeFeatures(recorder.series(), simulation.clock.now());
    simulation.close();
    expect(backend).toMatchObject({ namespace: 'prod', deployment: 'backend' });
    const values = backend!.values;
    expect(Object.values(values).every((v) => v !== null && Number.isFinite(v))).toBe(true);
    expect(values.ready_replica_ratio).toBe(1);
    expect(values.unavailable_replicas).toBe(0);
    expect(values.cpu_usage_pct!).toBeGreaterThan(0);
    expect(values.network_receive_bytes_per_s!).toBeGreaterThan(0);
    // Roughly the configured traffic (the sandbox adds diurnal swing and noise).
    expect(backend!.requestsPerSecond!).toBeGreaterThan(20);
    expect(backend!.requestsPerSecond!).toBeLessThan(120);
  });
});
