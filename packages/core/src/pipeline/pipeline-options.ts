/**
 * The zod schemas of `createPipeline`'s options and of its methods' options. An adapter is checked
 * by shape (name, methods), so a wrong object is named with the factory that makes a right one.
 */
import { z } from 'zod';
import { systemClock, type Clock } from '../clock.js';
import type { FeatureSource } from '../interfaces/feature-source.js';
import type { Healer } from '../interfaces/healer.js';
import type { ActionFence } from '../interfaces/action-fence.js';
import type { CircuitStore } from '../interfaces/circuit-store.js';
import type { Notifier } from '../interfaces/notifier.js';
import type { PauseSource } from '../interfaces/pause-source.js';
import type { RiskModel } from '../interfaces/risk-model.js';
import { healStepKindSchema } from '../healing.js';
import { policySchema } from './policy.js';
import type { PipelineOptions, RunOnceOptions } from './types.js';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
const hasMethods = (value: unknown, methods: string[]): boolean => isObject(value) && methods.every((method) => typeof value[method] === 'function');
const hasName = (value: unknown): boolean => isObject(value) && typeof value.name === 'string' && value.name.length > 0;
const hasFeatureNames = (value: unknown): boolean => isObject(value) && Array.isArray(value.featureNames) && value.featureNames.length > 0;
const abortSignal = () => z.custom<AbortSignal>((value) => isObject(value) && typeof value.aborted === 'boolean', 'must be an AbortSignal');

export const pipelineOptionsSchema = z.object({
  featureSource: z.custom<FeatureSource>(
    (value) => hasName(value) && hasFeatureNames(value) && hasMethods(value, ['collect', 'collectMany']),
    'must be a FeatureSource: an object with a name, a non-empty featureNames list, collect() and collectMany(), e.g. createPrometheusFeatureSource(...)',
  ),
  riskModel: z.custom<RiskModel>(
    (value) => hasName(value) && hasFeatureNames(value) && isObject(value) && typeof value.version === 'string' && hasMethods(value, ['score', 'scoreBatch']),
    'must be a RiskModel: an object with a name, a version, a non-empty featureNames list, score() and scoreBatch(), e.g. createOnnxRiskModel(...)',
  ),
  healer: z.custom<Healer>(
    (value) => hasName(value) && hasMethods(value, ['readState', 'writeState', 'plan', 'apply']),
    'must be a Healer: an object with a name, readState(), writeState(), plan() and apply(), e.g. createKubernetesHealer(...)',
  ),
  notifiers: z
    .array(z.custom<Notifier>((value) => hasName(value) && hasMethods(value, ['notify']), 'must be a Notifier: an object with a name and notify(), e.g. createSlackNotifier(...)'))
    .default([]),
  policy: policySchema.prefault({}),
  clock: z.custom<Clock>((value) => hasMethods(value, ['now', 'sleep']), 'must be a Clock: an object with now() and sleep(ms, signal)').default(systemClock),
  onError: z.custom<NonNullable<PipelineOptions['onError']>>((value) => typeof value === 'function', 'must be a function (error, context) => void').optional(),
  circuitHistory: z.array(z.number('must be epoch milliseconds')).default([]),
  circuitStore: z
    .custom<CircuitStore>((value) => hasName(value) && hasMethods(value, ['read', 'take']), 'must be a CircuitStore: an object with a name, read() and take(), e.g. createKubernetesCircuitStore(...)')
    .optional(),
  identity: z.string().min(1, 'must not be empty').max(253, 'must be at most 253 characters').optional(),
  fence: z.custom<ActionFence>((value) => hasMethods(value, ['check']), 'must be an ActionFence: an object with check() returning undefined or the reason').optional(),
  delivery: z
    .strictObject({
      queueCapacity: z.number().int().min(1, 'must be at least 1').default(100),
      retries: z.number().int().min(0).max(10).default(2),
      retryDelayMs: z.number().int().min(0).default(1_000),
      timeoutMs: z.number().int().min(1, 'must be at least 1 ms, e.g. 30000').default(30_000),
      drainTimeoutMs: z.number().int().min(0).default(10_000),
    })
    .prefault({}),
  pauses: z
    .custom<PauseSource>((value) => hasName(value) && hasMethods(value, ['pauseOf']), 'must be a PauseSource: an object with a name and pauseOf(target, { signal }) returning { pauses, unavailable? }')
    .optional(),
  targetOverrides: z.custom<NonNullable<PipelineOptions['targetOverrides']>>((value) => typeof value === 'function', 'must be a function (target) => overrides | undefined').optional(),
});

export const healNowOptionsSchema = z.object({
  step: z.enum(healStepKindSchema.options, { message: `must be one of ${healStepKindSchema.options.join(', ')}` }).optional(),
  force: z.boolean().default(false),
  dryRun: z.boolean().default(false),
  reason: z.string().optional(),
  signal: abortSignal().optional(),
});

export const watchOptionsSchema = z.object({
  intervalMs: z.number().int('must be a whole number of milliseconds').positive('must be > 0, e.g. 15000').default(15_000),
  concurrency: z.number().int('must be a whole number').min(1, 'must be at least 1').default(8),
  signal: abortSignal().optional(),
});

export const runOnceOptionsSchema = z.strictObject({
  signal: abortSignal().optional(),
  unknownRetry: z
    .strictObject({
      withinMs: z.number().int().min(0, 'must be >= 0 ms').optional(),
      everyMs: z.number().int().min(1, 'must be at least 1 ms, e.g. 15000').optional(),
    })
    .optional(),
  onWait: z.custom<NonNullable<RunOnceOptions['onWait']>>((value) => typeof value === 'function', 'must be a function (untilMs, record) => void').optional(),
});
