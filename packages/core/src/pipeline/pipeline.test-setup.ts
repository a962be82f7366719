/** Shared arrangement for the pipeline tests: the in-memory doubles, a fake clock and a pipeline over them. */
import type { HealingState } from '../healing.js';
import type { PolicyInput } from './policy.js';
import type { PipelineErrorContext } from './types.js';
import { createPipeline } from './create-pipeline.js';
import { createFakeClock, type FakeClock } from '../testing/fake-clock.js';
import { AT_RISK_FEATURES, HEALTHY_FEATURES } from '../testing/fixtures.js';
import { createInMemoryFeatureSource, type InMemoryFeatureSourceOptions } from '../testing/in-memory-feature-source.js';
import { createInMemoryHealer, type InMemoryHealer, type InMemoryHealerOptions } from '../testing/in-memory-healer.js';
import { createInMemoryNotifier } from '../testing/in-memory-notifier.js';
import { createInMemoryRiskModel, type InMemoryRiskModelOptions } from '../testing/in-memory-risk-model.js';
import type { TargetRef } from '../target.js';

export const T0 = Date.parse('2026-01-01T00:00:00.000Z');
export const backend: TargetRef = { namespace: 'prod', kind: 'Deployment', name: 'backend' };
export const frontend: TargetRef = { namespace: 'prod', kind: 'Deployment', name: 'frontend' };
export const worker: TargetRef = { namespace: 'prod', kind: 'Deployment', name: 'worker' };

export interface SetupOptions {
  policy?: PolicyInput;
  values?: InMemoryFeatureSourceOptions['values'];
  model?: InMemoryRiskModelOptions;
  healer?: InMemoryHealerOptions | InMemoryHealer;
  clock?: FakeClock;
  /** The feature source's names. @default the seven seed features */
  featureNames?: readonly string[];
}

export function setup(options: SetupOptions = {}) {
  const clock = options.clock ?? createFakeClock(T0);
  const source = createInMemoryFeatureSource({ clock, values: options.values ?? { 'prod/backend': { ...HEALTHY_FEATURES } }, ...(options.featureNames ? { featureNames: options.featureNames } : {}) });
  const model = createInMemoryRiskModel(options.model);
  const healer = options.healer && 'applied' in options.healer ? options.healer : createInMemoryHealer(options.healer as InMemoryHealerOptions | undefined);
  const notifier = createInMemoryNotifier();
  const errors: Array<{ error: unknown; context: PipelineErrorContext }> = [];
  const pipeline = createPipeline({
    featureSource: source,
    riskModel: model,
    healer,
    notifiers: [notifier],
    clock,
    policy: options.policy,
    onError: (error, context) => errors.push({ error, context }),
  });
  return {
    clock,
    source,
    model,
    healer,
    notifier,
    errors,
    pipeline,
    makeAtRisk: (target: TargetRef = backend) => source.setValues(target, { ...AT_RISK_FEATURES }),
    makeHealthy: (target: TargetRef = backend) => source.setValues(target, { ...HEALTHY_FEATURES }),
    state: (target: TargetRef = backend): Promise<HealingState> => healer.readState(target),
  };
}

/** Waits until something is sleeping on the fake clock, then moves time by `ms`. */
export async function advanceOnceSleeping(clock: FakeClock, ms: number): Promise<void> {
  for (let i = 0; i < 100 && clock.pendingSleeps() === 0; i++) await clock.settle();
  if (clock.pendingSleeps() === 0) throw new Error('nothing went to sleep on the fake clock');
  await clock.advance(ms);
}

/** Lets the event loop turn until `condition` holds; fails the test instead of hanging when it never does. */
export async function waitUntil(condition: () => boolean, what = 'the condition'): Promise<void> {
  for (let turn = 0; turn < 1_000; turn++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  throw new Error(`gave up waiting for ${what}`);
}
