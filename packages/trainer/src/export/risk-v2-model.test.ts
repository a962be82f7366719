/**
 * The shipped models/risk-v2.onnx, scored by the real onnxruntime: its hash and metadata, risk
 * monotone in every constrained v2 feature (a sweep per feature from several base rows), a missing
 * constrained feature read as its healthiest value, and clear cases on either side of its own threshold.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FEATURE_SET_V2_ID, FEATURE_SET_V2_NAMES, type FeatureSetV2Name } from '@autoheal/core';
import { V2_MONOTONE } from '../train/v2-monotone.js';

const ort = createRequire(import.meta.url)('onnxruntime-node') as typeof import('onnxruntime-node');
const onnx = (await import('onnx-proto')).default.onnx;
const modelsDirectory = fileURLToPath(new URL('../../../../models/', import.meta.url));
const bytes = readFileSync(`${modelsDirectory}risk-v2.onnx`);
const metadata = Object.fromEntries(onnx.ModelProto.decode(bytes).metadataProps.map((p) => [p.key, p.value]));
const threshold = Number(metadata.threshold);
const F = FEATURE_SET_V2_NAMES.length;

type Row = Partial<Record<FeatureSetV2Name, number>>;
const NaN = Number.NaN;

/** A healthy service: 50 req/s at 0.1% errors, all ready, no restarts, a third of its memory limit, an old release. */
const healthy: Row = {
  http_error_ratio: 0.001,
  http_requests_per_second: 50,
  ready_replica_ratio: 1,
  unavailable_excess_ratio: 0,
  restarts_per_pod: 0,
  oomkilled_pod_ratio: 0,
  error_exit_pod_ratio: 0,
  memory_limit_ratio: 0.35,
  memory_minutes_to_limit: 60,
  cpu_limit_ratio: 0.2,
  cpu_throttled_ratio: 0,
  rollout_in_progress: 0,
  rollout_stalled: 0,
  release_age_minutes: 1440,
  previous_release_error_ratio: NaN,
  previous_release_ready_ratio: NaN,
};

const toArray = (row: Row) => FEATURE_SET_V2_NAMES.map((name) => row[name] ?? NaN);

async function score(rows: Row[]): Promise<number[]> {
  const session = await ort.InferenceSession.create(bytes);
  const output = await session.run({ features: new ort.Tensor('float32', Float32Array.from(rows.flatMap(toArray)), [rows.length, F]) });
  return [...(output.probability!.data as Float32Array)];
}

describe('the shipped models/risk-v2.onnx', () => {
  it('matches models/risk-v2.sha256, and its card names the same hash', () => {
    const hash = createHash('sha256').update(bytes).digest('hex');
    expect(readFileSync(`${modelsDirectory}risk-v2.sha256`, 'utf8').trim().split(/\s+/)[0]).toBe(hash);
    expect(readFileSync(`${modelsDirectory}risk-v2.card.md`, 'utf8')).toContain(hash);
  });

  it('names feature set v2, its features in FEATURE_SET_V2_NAMES order and its threshold', async () => {
    expect(metadata.feature_set).toBe(FEATURE_SET_V2_ID);
    expect(JSON.parse(metadata.feature_names!)).toEqual([...FEATURE_SET_V2_NAMES]);
    expect(metadata).toMatchObject({ model_name: 'risk', model_version: '2.0.0', model_type: 'tree_ensemble', created_by: '@autoheal/trainer' });
    expect(threshold).toBeGreaterThan(0);
    expect(threshold).toBeLessThan(1);
    const session = await ort.InferenceSession.create(bytes);
    expect(session.inputNames).toEqual(['features']);
    expect(session.outputNames).toEqual(['probability']);
  });

  it('never lowers risk as a harmful signal rises, nor raises it as a protective one rises', async () => {
    const sweeps: Partial<Record<FeatureSetV2Name, number[]>> = {
      http_error_ratio: [0, 0.0005, 0.001, 0.005, 0.01, 0.02, 0.03, 0.05, 0.08, 0.1, 0.2, 0.5, 1],
      ready_replica_ratio: [0, 0.1, 0.25, 0.4, 0.5, 0.6, 0.75, 0.9, 0.95, 1],
      unavailable_excess_ratio: [0, 0.01, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1],
      restarts_per_pod: [0, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10],
      oomkilled_pod_ratio: [0, 0.05, 0.1, 0.25, 0.5, 0.75, 1],
      error_exit_pod_ratio: [0, 0.05, 0.1, 0.25, 0.5, 0.75, 1],
      memory_limit_ratio: [0, 0.2, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 1, 1.2],
      memory_minutes_to_limit: [0, 0.5, 1, 2, 3, 5, 8, 10, 15, 20, 30, 45, 60],
      cpu_limit_ratio: [0, 0.1, 0.3, 0.5, 0.7, 0.8, 0.9, 1, 1.2, 2],
      cpu_throttled_ratio: [0, 0.01, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1],
      rollout_stalled: [0, 1],
      http_error_ratio_rise: [0, 0.001, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.3, 1],
      cpu_minutes_to_limit: [0, 0.5, 1, 2, 3, 5, 8, 10, 15, 30, 60],
    };
    // Every feature with a direction is swept (the table and the sweeps must not drift apart).
    const constrained = FEATURE_SET_V2_NAMES.filter((name) => V2_MONOTONE[name].direction !== 0);
    expect(Object.keys(sweeps).sort()).toEqual([...constrained].sort());
    const bases: Row[] = [
      healthy,
      { ...healthy, http_error_ratio: 0.03, ready_replica_ratio: 0.6, restarts_per_pod: 0.5, memory_limit_ratio: 0.8, memory_minutes_to_limit: 6, cpu_limit_ratio: 0.9, cpu_throttled_ratio: 0.3, rollout_in_progress: 1, release_age_minutes: 4, http_error_ratio_rise: 0.02, cpu_minutes_to_limit: 3 },
      { ...healthy, http_error_ratio: NaN, http_requests_per_second: NaN, memory_limit_ratio: NaN, memory_minutes_to_limit: NaN, cpu_limit_ratio: NaN, cpu_throttled_ratio: NaN },
      { ...healthy, http_requests_per_second: 5000, rollout_in_progress: 1, release_age_minutes: 2, previous_release_error_ratio: 0.001, previous_release_ready_ratio: 1 },
    ];
    for (const [name, values] of Object.entries(sweeps) as Array<[FeatureSetV2Name, number[]]>) {
      const direction = V2_MONOTONE[name].direction;
      const rows = bases.flatMap((base) => values.map((value) => ({ ...base, [name]: value })));
      const p = await score(rows);
      bases.forEach((_, b) => {
        for (let k = 1; k < values.length; k++) {
          const i = b * values.length + k;
          // One float32 step at a saturated probability (1.2e-7 just below 1) is the runtime's rounding
          // of a different sum order, not a decrease the trees make (the learner's constraint: gbdt.test.ts).
          expect(direction * (p[i]! - p[i - 1]!), `${name} ${values[k - 1]} → ${values[k]} from base ${b}`).toBeGreaterThanOrEqual(-2.5e-7);
        }
      });
    }
  });

  it('reads a missing harmful signal as no evidence of harm: NaN scores exactly as its healthiest value (an idle or brand-new workload has no error ratio)', async () => {
    const constrained = FEATURE_SET_V2_NAMES.filter((name) => V2_MONOTONE[name].direction !== 0);
    const bases: Row[] = [
      healthy,
      { ...healthy, release_age_minutes: 0.5, http_requests_per_second: 0 },
      { ...healthy, http_error_ratio: 0.03, ready_replica_ratio: 0.6, restarts_per_pod: 0.5, memory_limit_ratio: 0.8, cpu_limit_ratio: 0.9, rollout_in_progress: 1, release_age_minutes: 4 },
    ];
    // Below (direction 1) or above (direction -1) every threshold a tree can have.
    const healthiest = (name: FeatureSetV2Name) => (V2_MONOTONE[name].direction === 1 ? -1e30 : 1e30);
    const rows = bases.flatMap((base) => constrained.flatMap((name) => [{ ...base, [name]: NaN }, { ...base, [name]: healthiest(name) }]));
    const p = await score(rows);
    const differences = rows
      .map((row, i) => (i % 2 === 0 && Math.abs(p[i]! - p[i + 1]!) > 1e-6 ? `${constrained[(i / 2) % constrained.length]} from base ${Math.floor(i / 2 / constrained.length)}: NaN ${p[i]!.toFixed(3)} vs healthiest ${p[i + 1]!.toFixed(3)}` : undefined))
      .filter((line) => line !== undefined);
    expect(differences).toEqual([]);
    // The case that was healed in the sandbox: a brand-new workload with too little traffic for an error ratio.
    const [young] = await score([{ ...healthy, http_error_ratio: NaN, http_requests_per_second: 0, release_age_minutes: 0.5, cpu_limit_ratio: 0.002 }]);
    expect(young).toBeLessThan(threshold);
  });

  it('scores clear trouble at risk: a crash loop, an all-down workload, a restart storm', async () => {
    const [crashLoop, allDown, restartStorm] = await score([
      // Ready 0.25 (1 of 4), 3 unavailable against a budget of 1, every pod restarting with an error exit, no 5xx.
      { ...healthy, http_error_ratio: 0, ready_replica_ratio: 0.25, unavailable_excess_ratio: 0.5, restarts_per_pod: 1.5, error_exit_pod_ratio: 0.75, rollout_stalled: 0 },
      // Nothing ready: 4 of 4 unavailable; no container runs, so the pod-level signals have no series (NaN).
      { ready_replica_ratio: 0, unavailable_excess_ratio: 0.75, restarts_per_pod: 1, oomkilled_pod_ratio: 0, error_exit_pod_ratio: 1, rollout_in_progress: 0, rollout_stalled: 0, release_age_minutes: 1440 },
      // Six restarts in five minutes on three replicas, the containers exiting with errors.
      { ...healthy, restarts_per_pod: 2, error_exit_pod_ratio: 0.67, ready_replica_ratio: 0.67 },
    ]);
    expect(crashLoop).toBeGreaterThanOrEqual(threshold);
    expect(allDown).toBeGreaterThanOrEqual(threshold);
    expect(restartStorm).toBeGreaterThanOrEqual(threshold);
  });

  it('scores ordinary healthy states below its threshold: the seed README example, a 5,000 req/s service at 0.1% errors, a 20-replica rolling update with one pod unavailable', async () => {
    const [seedExample, seedExampleLimited, bigService, rollingUpdate] = await score([
      // The original README's body (no restarts, 10% CPU, 50 MiB, all ready, no 5xx), no limits known.
      { ...healthy, http_error_ratio: 0, http_requests_per_second: NaN, memory_limit_ratio: NaN, memory_minutes_to_limit: NaN, cpu_limit_ratio: NaN, cpu_throttled_ratio: NaN },
      // The same with the sandbox's limits (512 MiB, 1 core).
      { ...healthy, http_error_ratio: 0, memory_limit_ratio: 50 / 512, cpu_limit_ratio: 0.1 },
      { ...healthy, http_requests_per_second: 5000, http_error_ratio: 0.001, memory_limit_ratio: 0.45, cpu_limit_ratio: 0.4 },
      // 19 of 20 ready, 1 unavailable within the default 25% budget, a 2-minute-old release after a healthy one.
      { ...healthy, ready_replica_ratio: 0.95, unavailable_excess_ratio: 0, rollout_in_progress: 1, release_age_minutes: 2, previous_release_error_ratio: 0.001, previous_release_ready_ratio: 1 },
    ]);
    expect(seedExample).toBeLessThan(threshold);
    expect(seedExampleLimited).toBeLessThan(threshold);
    expect(bigService).toBeLessThan(threshold);
    expect(rollingUpdate).toBeLessThan(threshold);
  });
});
