/**
 * `buildPrometheusModel`: a model trained on your own cluster's history. Features come from a
 * Prometheus `query_range`, labels from a file of incident windows; folds are chronological (the
 * last 15% of the range is the test fold).
 */
import { z } from 'zod';
import { DEFAULT_FEATURE_NAMES } from '@autoheal/core';
import { readIncidents } from '../dataset/incidents.js';
import { collectHistory, historyEpisodes } from '../dataset/prometheus-dataset.js';
import { parseTrainerOptions } from '../errors.js';
import { trainRiskModel } from '../train/train-risk-model.js';
import { labelOptionsShape } from './build-options.js';
import { finishModel, type BuildProgress, type SeedBuiltModel } from './finish-model.js';

const isoTime = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 time with a zone, e.g. 2025-01-01T00:00:00Z' });

/** Schema of {@link PrometheusBuildOptions}. */
export const prometheusBuildOptionsSchema = z
  .strictObject({
    /** Base URL of the Prometheus HTTP API, e.g. `http://prometheus:9090`. */
    prometheusUrl: z.url({ error: 'must be a URL such as http://prometheus:9090' }),
    /** Deployments as `namespace/name`. */
    targets: z.array(z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be namespace/name, e.g. prod/backend')).min(1, 'needs at least one namespace/name'),
    /** CSV or JSON file of incident windows (target, start, end). */
    incidentsFile: z.string().min(1),
    start: isoTime,
    end: isoTime,
    /** Evaluation step. @default 15000 */
    stepMs: z.number().int().min(1000, 'must be at least 1000 ms').default(15_000),
    ...labelOptionsShape,
  })
  .refine((o) => Date.parse(o.end) > Date.parse(o.start), { message: 'must be after start', path: ['end'] });

/** Options of {@link buildPrometheusModel}. */
export type PrometheusBuildOptions = z.input<typeof prometheusBuildOptionsSchema>;

/**
 * Builds a risk model from Prometheus history and incident windows.
 *
 * @example
 * const built = await buildPrometheusModel({
 *   prometheusUrl: 'http://prometheus:9090', targets: ['prod/backend'], incidentsFile: 'incidents.csv',
 *   start: '2025-01-01T00:00:00Z', end: '2025-02-01T00:00:00Z',
 * });
 */
export async function buildPrometheusModel(
  input: PrometheusBuildOptions,
  hooks: { fetch?: typeof globalThis.fetch; onProgress?: (progress: BuildProgress) => void } = {},
): Promise<SeedBuiltModel> {
  const options = parseTrainerOptions(prometheusBuildOptionsSchema, input, 'invalid Prometheus build options');
  const incidents = await readIncidents(options.incidentsFile);
  const start = Date.parse(options.start);
  const end = Date.parse(options.end);
  const horizonMs = options.horizonMinutes * 60_000;
  const history = await collectHistory({
    prometheusUrl: options.prometheusUrl,
    targets: options.targets,
    start,
    end,
    stepMs: options.stepMs,
    ...(hooks.fetch ? { fetch: hooks.fetch } : {}),
    onProgress: (done, total) => hooks.onProgress?.({ phase: 'collect', done, total }),
  });
  const episodes = historyEpisodes(history, incidents, { start, end, horizonMs });
  const outcome = trainRiskModel(episodes, {
    inBreachSamples: options.inBreachSamples,
    gbdt: options.gbdt,
    horizonMs,
    intervalMs: options.stepMs,
    minWarningMs: options.minWarningSeconds * 1000,
    maxHealthyFpr: options.maxHealthyFpr,
    onRound: (round, maxRounds) => hooks.onProgress?.({ phase: 'train', done: round, total: maxRounds }),
  });
  return finishModel(outcome, {
    source: 'prometheus',
    sourceDescription: `Prometheus history of ${options.targets.length} Deployment(s) from ${options.start} to ${options.end} every ${options.stepMs / 1000} s, labelled from ${incidents.length} incident window(s); folds by time (60% train, 15% validation, 10% calibration, last 15% test)`,
    summary: {
      source: 'prometheus',
      targets: [...options.targets].sort(),
      start: options.start,
      end: options.end,
      stepMs: options.stepMs,
      incidents: incidents.length,
      faultTypes: [],
    },
    featureNames: DEFAULT_FEATURE_NAMES,
    horizonMs,
    minWarningMs: options.minWarningSeconds * 1000,
    objective: options.objective,
    inBreachSamples: options.inBreachSamples,
    maxHealthyFpr: options.maxHealthyFpr,
    gbdt: options.gbdt,
  });
}
