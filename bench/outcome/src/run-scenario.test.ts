/**
 * The runner itself, on a fixed small catalogue: a scenario replays identically from its seed, the
 * control never acts, and a policy that always heals shows false heals. No timing and no target is
 * asserted here; those are the benchmark's to report.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildScenarioCatalogue, defaultWorkloadShapes, type CatalogueScenario } from '@autoheal/sandbox';
import { afterAll, describe, expect, it } from 'vitest';
import { assertModelsPresent, AUTOHEAL_DEFAULTS, benchmarkPolicies, NO_HEALING, type PolicyDefinition } from './policies.js';
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
});
