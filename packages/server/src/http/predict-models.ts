/**
 * Which model answers a `POST /predict` body. The judging model (v2 by default) answers bodies of its
 * own features; the compatibility model (v1 by default) answers the original project's seven-field
 * body, so clients of the original keep working unchanged. A body is routed by its field names alone:
 * the model whose features it names (beyond the one name both sets share, `ready_replica_ratio`).
 * A body that names features of both, or of neither, is refused with the fields each model takes.
 */
import { completeFeatureVectorSchema, describeIssues, featureSetsOf, resolveThreshold, type FieldIssue, type RiskModel } from '@autoheal/core';
import type { z } from 'zod';
import { invalidRequest, type ApiError } from './error-mapping.js';
import { createPredictBatcher, type PredictBatcher } from './predict-batcher.js';

/** One model `/predict` can answer with. */
export interface PredictModel {
  riskModel: RiskModel;
  /** The threshold its answers are judged against. */
  threshold: number;
  /** `seed`, `v2`, or the names of the sets it mixes (`seed+v2`); `custom` for other features. */
  featureSet: string;
  /** Its complete, strict body schema. */
  schema: z.ZodType;
  /** Concurrent single requests share one model call (see predict-batcher.ts). */
  batcher: PredictBatcher;
  /** The names only this model takes (of the models served). */
  own: ReadonlySet<string>;
}

/** The outcome of routing one body: the model and the parsed vector, or the 400 to answer. */
export type PredictRoute = { ok: true; model: PredictModel; vector: Record<string, number> } | { ok: false; error: ApiError };

/** The models `/predict` answers with, and the rule between them. */
export interface PredictRouter {
  /** The judging model first, then the compatibility model when there is one. */
  models: readonly PredictModel[];
  /** Routes and validates one body; `at` prefixes the field paths (`instances.3.`). */
  route(payload: unknown, at?: string): PredictRoute;
}

/** The feature set a model takes, as the answers name it. */
export function featureSetOf(riskModel: RiskModel): string {
  const declared = (riskModel as { featureSet?: unknown }).featureSet;
  if (typeof declared === 'string') return declared;
  const sets = featureSetsOf(riskModel.featureNames);
  return sets.length > 0 ? sets.join('+') : 'custom';
}

/**
 * Creates the router.
 *
 * @param primary the judging model and the threshold in force
 * @param compatibility the model for the original seven-field body, when the judging model takes other features
 */
export function createPredictRouter(primary: { riskModel: RiskModel; threshold: number }, compatibility?: RiskModel): PredictRouter {
  const entries: Array<{ riskModel: RiskModel; threshold: number }> = [primary];
  // The compatibility model is judged at its own tuned threshold: the configured one is the judging model's.
  if (compatibility) entries.push({ riskModel: compatibility, threshold: resolveThreshold(undefined, compatibility) });
  const models: PredictModel[] = entries.map(({ riskModel, threshold }, index) => {
    const others = new Set(entries.filter((_, i) => i !== index).flatMap((entry) => entry.riskModel.featureNames));
    return {
      riskModel,
      threshold,
      featureSet: featureSetOf(riskModel),
      schema: completeFeatureVectorSchema(riskModel.featureNames),
      batcher: createPredictBatcher(riskModel),
      own: new Set(riskModel.featureNames.filter((name) => !others.has(name))),
    };
  });
  const [judging] = models as [PredictModel, ...PredictModel[]];
  const describe = (model: PredictModel) => `${model.riskModel.name} ${model.riskModel.version} (feature set ${model.featureSet}: ${model.riskModel.featureNames.join(', ')})`;

  function route(payload: unknown, at = ''): PredictRoute {
    const keys = payload !== null && typeof payload === 'object' && !Array.isArray(payload) ? Object.keys(payload) : [];
    const named = models.filter((model) => keys.some((key) => model.own.has(key)));
    if (named.length > 1) {
      const fields: FieldIssue[] = named.flatMap((model) =>
        keys.filter((key) => model.own.has(key)).map((key) => ({ path: `${at}${key}`, message: `a field of feature set ${model.featureSet} (answered by ${model.riskModel.name}); the body also has fields of another set` })),
      );
      return {
        ok: false,
        error: invalidRequest(
          fields,
          `the request body mixes the fields of two models: ${named.map((model) => `${keys.filter((key) => model.own.has(key)).join(', ')} belong to ${describe(model)}`).join('; ')}. Send exactly the fields of one model.`,
        ),
      };
    }
    const model = named[0] ?? judging;
    const parsed = model.schema.safeParse(payload);
    if (parsed.success) return { ok: true, model, vector: parsed.data as Record<string, number> };
    const fields = describeIssues(parsed.error).map((issue) => ({ path: `${at}${issue.path}`, message: issue.message }));
    const alternatives = models.filter((other) => other !== model).map(describe);
    return {
      ok: false,
      error: invalidRequest(
        fields,
        `the request body is invalid for ${describe(model)}: ${fields
          .slice(0, 10)
          .map((f) => `${f.path}: ${f.message}`)
          .join('; ')}${alternatives.length > 0 ? `. Other bodies accepted: ${alternatives.join('; ')}` : ''}`,
      ),
    };
  }

  return { models, route };
}
