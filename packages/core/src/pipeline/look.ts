/**
 * One look at a target: collect its features and score them. What cannot be seen becomes the verdict
 * `unknown` with the reason, never an exception and never a guess: a failed source, a failed model,
 * a probability outside [0, 1] and a missing feature all end here as `unknown` — unless authoritative
 * signals explain the absence (`explainMissing`): then the assessment lists it in `explainedMissing`.
 *
 * Why looks are separate from deciding: the loop looks once per round (often from a batch collected
 * for every target), again right before a step (re-validation), and the operator commands look
 * without deciding (`inspect`). All of them must judge a target the same way.
 */
import { verdictFor, type RiskAssessment, type RiskScore } from '../assessment.js';
import type { Clock } from '../clock.js';
import { AutohealError, errorMessage } from '../errors.js';
import { missingFeatures, modelVector, type FeatureObservation, type FeatureVector } from '../features.js';
import { explainMissing } from '../missing-explanations.js';
import type { FeatureSource } from '../interfaces/feature-source.js';
import type { RiskModel } from '../interfaces/risk-model.js';
import type { TargetRef } from '../target.js';

const COMPONENT = 'pipeline';

/** What one look at a target found: the collected features and the model's judgement. */
export interface Look {
  observation: FeatureObservation;
  assessment: RiskAssessment;
}

/** One target of a round, with its observation from the round's batch collection. */
export interface RoundEntry {
  target: TargetRef;
  threshold: number;
  observation: FeatureObservation;
}

/** Takes looks at targets. */
export interface Looker {
  /**
   * Collects (unless `prefetched` is given) and scores one target, judged at `threshold`. Rejects
   * only with `ABORTED` when `signal` aborted; every other failure is an `unknown` look.
   */
  look(target: TargetRef, threshold: number, signal: AbortSignal | undefined, prefetched?: FeatureObservation): Promise<Look>;
  /**
   * Scores a whole round's observations with one `scoreBatch` call and judges each, in order. If the
   * batch call fails, each row is scored alone (so one row the model rejects cannot blind the
   * round) and the batch failure goes to `reportError`. Rejects only with `ABORTED`.
   */
  lookMany(entries: readonly RoundEntry[], signal: AbortSignal | undefined): Promise<Look[]>;
}

/** After an adapter failed: if the caller aborted, stop the evaluation instead of recording `unknown`. */
export function throwIfAborted(signal: AbortSignal | undefined, cause: unknown): void {
  if (signal?.aborted) throw new AutohealError('evaluation aborted', { component: COMPONENT, code: 'ABORTED', cause });
}

/**
 * Creates the looker over a feature source and a risk model.
 *
 * @example
 * const { look } = createLooker({ featureSource, riskModel, clock });
 * const { assessment } = await look(target, 0.5, signal);
 */
export function createLooker(parts: { featureSource: FeatureSource; riskModel: RiskModel; clock: Clock; reportError?: (error: unknown, context: { component: string }) => void }): Looker {
  const { featureSource, riskModel, clock, reportError } = parts;
  const model = () => ({ name: riskModel.name, version: riskModel.version });

  function sourceFailed(target: TargetRef, threshold: number, reason: string): Look {
    return {
      observation: {
        target,
        observedAt: clock.now(),
        values: Object.fromEntries(featureSource.featureNames.map((feature) => [feature, null])),
        missing: featureSource.featureNames.map((feature) => ({ feature, reason, kind: 'failed' as const })),
      },
      assessment: { probability: null, threshold, verdict: 'unknown', model: model(), missingFeatures: [...riskModel.featureNames], reason },
    };
  }

  /** The model's answer checked: a probability outside [0, 1] is a failure, not a score. */
  function checked(result: RiskScore): { score?: RiskScore; failure?: string } {
    if (!Number.isFinite(result.probability) || result.probability < 0 || result.probability > 1) {
      return { failure: `risk model "${riskModel.name}" returned probability ${result.probability}, outside [0, 1]` };
    }
    return { score: result };
  }

  async function score(vector: FeatureVector, signal: AbortSignal | undefined): Promise<{ score?: RiskScore; failure?: string }> {
    try {
      return checked(await riskModel.score(vector, { signal }));
    } catch (error) {
      throwIfAborted(signal, error);
      return { failure: `risk model "${riskModel.name}" failed: ${errorMessage(error)}` };
    }
  }

  /** The model gets exactly its own features, in its order; extra source features are only recorded. */
  const vectorOf = (observation: FeatureObservation): FeatureVector => modelVector(observation, riskModel.featureNames);

  /** The judgement of one scored observation. */
  function judge(observation: FeatureObservation, vector: FeatureVector, threshold: number, scored: { score?: RiskScore; failure?: string }): Look {
    const missing = missingFeatures(vector, riskModel.featureNames);
    const probability = scored.score?.probability ?? null;

    // Missing is not one thing: an absence that authoritative signals explain (no memory series
    // because no replica is ready) does not blind the verdict; the model gets it as missing (NaN).
    // The rules live in core's missing-explanations.ts; verdictFor applies the same ones.
    const { explained, unexplained } = explainMissing(observation, missing);
    const reasons: string[] = [];
    if (unexplained.length > 0) {
      const why = (feature: string) => observation.missing.find((entry) => entry.feature === feature)?.reason ?? 'no value';
      reasons.push(`missing features: ${unexplained.map((feature) => `${feature} (${why(feature)})`).join(', ')}`);
    }
    if (scored.failure) reasons.push(scored.failure);
    const assessment: RiskAssessment = { probability, threshold, verdict: verdictFor(probability, threshold, missing, observation), model: model(), missingFeatures: missing };
    if (explained.length > 0) assessment.explainedMissing = explained;
    if (scored.score?.contributions) assessment.contributions = scored.score.contributions;
    if (reasons.length > 0) assessment.reason = reasons.join('; ');
    return { observation, assessment };
  }

  async function look(target: TargetRef, threshold: number, signal: AbortSignal | undefined, prefetched?: FeatureObservation): Promise<Look> {
    let observation: FeatureObservation;
    try {
      observation = prefetched ?? (await featureSource.collect(target, { signal }));
    } catch (error) {
      throwIfAborted(signal, error);
      return sourceFailed(target, threshold, `feature source "${featureSource.name}" failed: ${errorMessage(error)}`);
    }
    const vector = vectorOf(observation);
    return judge(observation, vector, threshold, await score(vector, signal));
  }

  async function lookMany(entries: readonly RoundEntry[], signal: AbortSignal | undefined): Promise<Look[]> {
    if (entries.length === 0) return [];
    const vectors = entries.map((entry) => vectorOf(entry.observation));
    let scores: Array<{ score?: RiskScore; failure?: string }>;
    try {
      const results = await riskModel.scoreBatch(vectors, { signal });
      if (results.length !== vectors.length) throw new AutohealError(`scoreBatch returned ${results.length} scores for ${vectors.length} rows`, { component: riskModel.name, code: 'MODEL_FAILED' });
      scores = results.map(checked);
    } catch (error) {
      throwIfAborted(signal, error);
      reportError?.(error, { component: `watch:scoreBatch:${riskModel.name}` });
      scores = [];
      // One row at a time, in order: a row the model rejects then fails alone.
      for (const vector of vectors) scores.push(await score(vector, signal));
    }
    return entries.map((entry, index) => judge(entry.observation, vectors[index]!, entry.threshold, scores[index]!));
  }

  return { look, lookMany };
}
