/**
 * A RiskModel computed in plain TypeScript, for tests and demos: a small logistic function of the
 * harmful default features, which explains itself with per-feature contributions.
 */
import { z } from 'zod';
import type { FeatureContribution, RiskScore } from '../assessment.js';
import { AutohealError, ModelError } from '../errors.js';
import { DEFAULT_FEATURE_NAMES, type FeatureVector } from '../features.js';
import type { RiskModel } from '../interfaces/risk-model.js';
import { parseWithSchema } from '../validation.js';

/**
 * The default model: `probability = 1 / (1 + exp(-(bias + Σ weight × value)))`, with a missing value
 * counted as 0. Only the harmful features carry weight, so more of any of them never lowers the
 * probability. With every harmful feature at 0 the probability is about 0.05; one extra unavailable
 * replica and two restarts already give about 0.5.
 */
export const IN_MEMORY_RISK_MODEL = Object.freeze({
  bias: -3,
  weights: Object.freeze({
    restart_count_last_5m: 0.8,
    unavailable_replicas: 1.4,
    http_5xx_error_rate: 2,
  }) as Readonly<Record<string, number>>,
});

/** Options of {@link createInMemoryRiskModel}. */
export interface InMemoryRiskModelOptions {
  /** @default 'in-memory' */
  name?: string;
  /** @default '0.0.0-in-memory' */
  version?: string;
  /** @default DEFAULT_FEATURE_NAMES */
  featureNames?: readonly string[];
  /** Returned as `recommendedThreshold`. @default undefined */
  recommendedThreshold?: number;
  /**
   * Replaces the default logistic function: returns a probability in [0, 1]. A custom function
   * gives no contributions. @default the logistic function of {@link IN_MEMORY_RISK_MODEL}
   */
  score?: (vector: FeatureVector) => number;
}

/** The in-memory model, with handles for tests. */
export interface InMemoryRiskModel extends RiskModel {
  /** Makes every following `score`/`scoreBatch` reject with `error` (`null` to stop failing). */
  failWith(error: unknown): void;
  /** How many vectors were scored so far. */
  readonly scoreCount: number;
}

const optionsSchema = z.object({
  name: z.string().min(1, 'must not be empty').default('in-memory'),
  version: z.string().min(1, 'must not be empty').default('0.0.0-in-memory'),
  featureNames: z
    .array(z.string().min(1, 'feature names must not be empty'))
    .min(1, 'needs at least one feature name, e.g. DEFAULT_FEATURE_NAMES')
    .default([...DEFAULT_FEATURE_NAMES]),
  recommendedThreshold: z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1').optional(),
  score: z.custom<(vector: FeatureVector) => number>((value) => typeof value === 'function', 'must be a function (vector) => probability').optional(),
});

function logisticScore(vector: FeatureVector, featureNames: readonly string[]): RiskScore {
  let logit = IN_MEMORY_RISK_MODEL.bias;
  const contributions: FeatureContribution[] = [];
  for (const feature of featureNames) {
    const value = vector[feature] ?? null;
    const weight = IN_MEMORY_RISK_MODEL.weights[feature] ?? 0;
    const contribution = weight * (value ?? 0);
    logit += contribution;
    contributions.push({ feature, value, contribution });
  }
  contributions.sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution));
  return { probability: 1 / (1 + Math.exp(-logit)), contributions };
}

/**
 * Creates an in-memory RiskModel.
 *
 * @example
 * const model = createInMemoryRiskModel(); // logistic function of restarts, unavailable replicas, 5xx rate
 * const alwaysAtRisk = createInMemoryRiskModel({ score: () => 0.9 });
 */
export function createInMemoryRiskModel(options: InMemoryRiskModelOptions = {}): InMemoryRiskModel {
  const parsed = parseWithSchema(optionsSchema, options, 'in-memory', 'invalid in-memory risk model options');
  const featureNames = Object.freeze([...parsed.featureNames]);
  let failure: unknown = null;
  let scoreCount = 0;

  function scoreOne(vector: FeatureVector): RiskScore {
    scoreCount += 1;
    if (!parsed.score) return logisticScore(vector, featureNames);
    const probability = parsed.score(vector);
    if (!Number.isFinite(probability) || probability < 0 || probability > 1) {
      throw new ModelError(`the score function returned ${probability}; it must return a probability in [0, 1]`, { component: parsed.name, code: 'MODEL_FAILED' });
    }
    return { probability };
  }

  function throwIfUnusable(signal: AbortSignal | undefined): void {
    if (signal?.aborted) throw new AutohealError('scoring aborted before it started', { component: parsed.name, code: 'ABORTED', cause: signal.reason });
    if (failure !== null) {
      throw AutohealError.isInstance(failure) ? failure : new ModelError(`scoring failed: ${failure instanceof Error ? failure.message : String(failure)}`, { component: parsed.name, code: 'MODEL_FAILED', cause: failure });
    }
  }

  return {
    name: parsed.name,
    version: parsed.version,
    featureNames,
    recommendedThreshold: parsed.recommendedThreshold,
    async score(vector, callOptions) {
      throwIfUnusable(callOptions?.signal);
      return scoreOne(vector);
    },
    async scoreBatch(vectors, callOptions) {
      throwIfUnusable(callOptions?.signal);
      return vectors.map(scoreOne);
    },
    failWith(error) {
      failure = error;
    },
    get scoreCount() {
      return scoreCount;
    },
  };
}
