/**
 * The runner itself, on a fixed small catalogue: a scenario replays identically from its seed, the
 * control never acts, and a policy that always heals shows false heals. No timing and no target is
 * asserted here; those are the benchmark's to report.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildScenarioCatalogue, defaultWorkloadShapes, type CatalogueScenario } from '@autoheal/sandbox';
import { afterAll, describe, expect, it } from 'vitest';
import type { DecisionRecord } from '@autoheal/core';
import { benchCatalogue } from './bench-catalogue.js';
import { assertModelsPresent, AUTOHEAL_DEFAULTS, AUTOHEAL_LADDER, benchmarkPolicies, NO_HEALING, type PolicyDefinition } from './policies.js';
import { createRunContext } from './run-context.js';
import { runScenario, type RunResult } from './run-scenario.js';
import { summarize } from './summarize.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const minute = 60_000;
const context = createRunContext();
afterAll(() => context.close());

const [faulty, healthy] = buildScenarioCatalogue({
  seed: 3,
  faultTypes: ['bad-config'],
  strengths: [0.6],
  shapes: defaultWorkloadShapes.filter((shape) => shape.name === 'small'),
  variants: 1,
  healthyVariants: 1,
  faultDurationMs: 15 * minute,
  healthyDurationMs: 60 * minute,
}) as [CatalogueScenario, CatalogueScenario];

const policies = benchmarkPolicies(root);
const policy = (name: string) => policies.find((p) => p.name === name) as PolicyDefinition;
/** autoheal's defaults judged by a v2 model (the server's v2 test model): the sandbox source feeds it feature set v2. */
const v2Defaults: PolicyDefinition = {
  ...policy(AUTOHEAL_DEFAULTS),
  name: 'v2-test-model',
  healing: { ...policy(AUTOHEAL_DEFAULTS).healing!, model: { kind: 'onnx', path: path.join(root, 'packages/server/test-support/fixtures/risk-v2-test.onnx') } },
};
const alwaysHeal: PolicyDefinition = {
  name: 'always-heal',
  description: 'a model that always says at risk',
  healing: { model: { kind: 'constant', probability: 1 }, policy: {}, evaluationIntervalMs: 15_000 },
};

/** A result without what depends on the machine (timings). */
function outcomeOf(result: RunResult): Omit<RunResult, 'timings'> {
  const { timings: _timings, ...rest } = result;
  return rest;
}

describe('the outcome runner', () => {
  it('replays a scenario identically from its seed, healing included, with a seed model and with a v2 model', async () => {
    for (const judged of [policy('original'), v2Defaults]) {
      const first = await runScenario({ scenario: faulty, policy: judged, context });
      const second = await runScenario({ scenario: faulty, policy: judged, context });
      expect(first.actions.length, judged.name).toBeGreaterThan(0);
      expect(first.pipelineErrors, judged.name).toEqual([]);
      expect(outcomeOf(second)).toEqual(outcomeOf(first));
    }
  });

  it('names a missing model file before any run', () => {
    expect(() => assertModelsPresent([{ ...v2Defaults, healing: { ...v2Defaults.healing!, model: { kind: 'onnx', path: '/nonexistent/risk.onnx' } } }])).toThrow(/policy v2-test-model: model \/nonexistent\/risk.onnx not found/);
  });

  it('never acts under the control policy, which measures the fault unhealed', async () => {
    for (const scenario of [faulty, healthy]) {
      const result = await runScenario({ scenario, policy: policy(NO_HEALING), context });
      expect(result.actions).toEqual([]);
      expect(result.evaluations).toBe(0);
      if (scenario === faulty) {
        expect(result.breachMs).toBeGreaterThan(0);
        expect(result.failedRequests).toBeGreaterThan(0);
        expect(result.recoveredAfterOnsetMs).toBeNull();
      }
    }
  });

  it('counts the steps of a policy that always heals a healthy workload as false heals, and as wrong', async () => {
    const result = await runScenario({ scenario: healthy, policy: alwaysHeal, context });
    expect(result.actions.length).toBeGreaterThan(0);
    expect(result.actions.every((action) => action.wrong)).toBe(true);
    const [summary] = summarize([result], [alwaysHeal.name]).filter((s) => s.group === 'healthy');
    expect(summary?.falseHeals).toBe(result.actions.length);
    expect(summary?.falseHealsPerHealthyDay).toBeGreaterThan(0);
  });

  it("gives the diagnosis the history a long-running workload has: a bad release is rolled back first under autoheal's defaults", async () => {
    // With the catalogue's own 10-minute warm-up the previous-release features were missing
    // (no-history) at every look, and every bad release climbed restart → cache clear → rollback.
    const [badRelease] = benchCatalogue({ seed: 1, faultTypes: ['bad-release'], strengths: [0.6], shapes: defaultWorkloadShapes.filter((shape) => shape.name === 'small'), variants: 1, healthyVariants: 0, faultDurationMs: 15 * minute });
    const steps: DecisionRecord[] = [];

    const result = await runScenario({ scenario: badRelease!, policy: policy(AUTOHEAL_DEFAULTS), context, onDecision: (record) => record.action && steps.push(record) });

    expect(result.actions[0]?.step).toBe('rollback');
    expect(result.actions[0]?.wrong).toBe(false);
    expect(steps[0]?.diagnosis?.cause).toBe('bad-release');
    expect(steps[0]?.missing.map((m) => m.feature)).not.toContain('previous_release_error_ratio');
  });

  it('plays the same defaults with the fixed ladder as a policy of its own, differing only in strategy', () => {
    const { strategy: diagnosed, ...defaults } = policy(AUTOHEAL_DEFAULTS).healing!.policy;
    const { strategy: laddered, ...ladder } = policy(AUTOHEAL_LADDER).healing!.policy;

    expect([diagnosed, laddered]).toEqual(['diagnose', 'ladder']);
    expect(ladder).toEqual(defaults);
    expect(policy(AUTOHEAL_LADDER).healing!.model).toEqual(policy(AUTOHEAL_DEFAULTS).healing!.model);
  });
});
