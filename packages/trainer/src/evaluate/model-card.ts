/**
 * Renders the model card (Markdown) from a build's measurements. Deterministic: numbers have fixed
 * formats and nothing depends on the clock, so the same build gives the same card.
 */
import type { BuildContext } from '../build/finish-model.js';
import { describeLabel } from '../build/finish-model.js';
import { formatThreshold } from '../export/onnx-export.js';
import { SERVER_DEFAULT_THRESHOLD, type TrainingOutcome } from '../train/train-risk-model.js';
import type { EpisodeEvaluation, EventStats } from './evaluate-episodes.js';
import type { PostHealRow } from './post-heal.js';

const fixed = (value: number | null | undefined, digits = 3) => (value === null || value === undefined || Number.isNaN(value) ? 'n/a' : value.toFixed(digits));
const percent = (value: number | null | undefined, digits = 1) => (value === null || value === undefined || Number.isNaN(value) ? 'n/a' : `${(value * 100).toFixed(digits)}%`);
const seconds = (ms: number | null | undefined) => (ms === null || ms === undefined || Number.isNaN(ms) ? 'n/a' : `${Math.round(ms / 1000)} s`);
const check = (met: boolean) => (met ? 'met' : '**not met**');

function lift(model: number, baseline: number): string {
  if (Number.isNaN(model) || Number.isNaN(baseline) || baseline === 0) return 'n/a';
  return `${(model / baseline).toFixed(2)}×`;
}

function eventRow(kind: string, stats: EventStats): string {
  return `| ${kind} | ${stats.episodes} | ${stats.events} | ${stats.warned} | ${percent(stats.recall)} | ${seconds(stats.medianLeadMs)} | ${seconds(stats.p10LeadMs)} | ${seconds(stats.medianLeadWarnedMs)} |`;
}

function metricsRow(name: string, e: EpisodeEvaluation): string {
  return `| ${name} | ${fixed(e.rocAuc)} | ${fixed(e.prAuc)} | ${e.threshold === Math.round(e.threshold) ? String(e.threshold) : fixed(e.threshold, 4)} | ${percent(e.atThreshold.precision)} | ${percent(e.atThreshold.recall)} | ${percent(e.healthyFalsePositiveRate, 2)} | ${percent(e.otherScaleFalsePositiveRate, 2)} | ${fixed(e.falseAlarmsPerWorkloadDay.healthy, 1)} | ${percent(e.events.recall)} | ${seconds(e.events.medianLeadMs)} |`;
}

function simplerModelText(outcome: TrainingOutcome): string {
  const simpler = outcome.baselines.find((b) => b.name === 'logistic regression')?.evaluation;
  if (!simpler) return '';
  const e = outcome.evaluation;
  const comparison = `trees ROC-AUC ${fixed(e.rocAuc)}, PR-AUC ${fixed(e.prAuc)}, Brier ${fixed(e.brier, 4)}; logistic regression ROC-AUC ${fixed(simpler.rocAuc)}, PR-AUC ${fixed(simpler.prAuc)}, Brier ${fixed(simpler.brier, 4)}`;
  const simplerIsAsGood = simpler.prAuc >= e.prAuc && simpler.rocAuc >= e.rocAuc;
  return simplerIsAsGood
    ? `**Simpler model.** On this test fold the logistic regression measures as good or better (${comparison}). The trees are still shipped because they keep the monotone constraints by construction and route missing values explicitly; switch if that holds on your data.`
    : `**Simpler model.** A logistic regression on the same rows measures worse (${comparison}), so the trees are shipped.`;
}

const ratio = (part: number, whole: number) => (whole === 0 ? 'n/a' : `${percent(part / whole)} (${part} of ${whole})`);

function postHealRows(rows: PostHealRow[], threshold: string): string[] {
  return rows.map(({ heal, window, counts: c }) => {
    const what = heal === 'correct' ? 'correct action' : 'wrong action (a restart that does not help)';
    const when = window === 'recheck' ? 're-check (2–3 min after)' : 'every sample after';
    return `| ${what} | ${when} | ${threshold} | ${c.episodes} | ${ratio(c.notAtRiskFlagged, c.notAtRisk)} | ${ratio(c.atRiskFlagged, c.atRisk)} |`;
  });
}

function operatingPointText(e: EpisodeEvaluation, d: EpisodeEvaluation): string {
  if (d.threshold <= e.threshold) return `The server's default ${SERVER_DEFAULT_THRESHOLD.toFixed(2)} is at or below the tuned threshold: it warns more often than the tuned operating point.`;
  const keeps = Number.isNaN(d.events.recall) || Number.isNaN(e.events.recall) ? 1 : d.events.recall / Math.max(e.events.recall, 1e-9);
  const poor = keeps < 0.75 || d.atThreshold.recall < 0.5 * e.atThreshold.recall;
  return poor
    ? `**0.50 is a poor operating point for this model.** The calibrated probabilities rarely reach 0.50 before a breach (the positives are rare and most warnings sit between the tuned threshold and 0.50), so at 0.50 autoheal warns late or not at all: event recall ${percent(d.events.recall)} against ${percent(e.events.recall)} at the tuned threshold. Leave \`policy.threshold\` unset (the server then uses the tuned ${formatThreshold(e.threshold)} from the model's metadata) rather than setting 0.50, unless you prefer fewer, later warnings.`
    : `At 0.50 the model keeps most of its event recall (${percent(d.events.recall)} against ${percent(e.events.recall)} at the tuned threshold) with fewer false positives; the tuned threshold ${formatThreshold(e.threshold)} (the model's \`threshold\` metadata, which the server uses by default) warns earlier.`;
}

/** What the card is made from. */
export interface ModelCardInput {
  outcome: TrainingOutcome;
  context: BuildContext;
  sha256: string;
  onnxBytes: number;
}

/** The model card as Markdown. */
export function renderModelCard({ outcome, context, sha256, onnxBytes }: ModelCardInput): string {
  const e = outcome.evaluation;
  const { model, folds } = outcome;
  const trees = model.gbdt.trees.length;
  const leaves = model.gbdt.trees.reduce((sum, tree) => sum + tree.nodes.filter((n) => n.kind === 'leaf').length, 0);
  const monotoneText = context.featureNames
    .map((name, i) => `\`${name}\` ${outcome.monotone[i] === 1 ? 'non-decreasing' : outcome.monotone[i] === -1 ? 'non-increasing' : 'free'}`)
    .join(', ');
  const lines: string[] = [];
  const push = (...text: string[]) => lines.push(...text);

  push(
    '# Model card: risk v1.0.0',
    '',
    '<!-- Generated by @autoheal/trainer (`npm run build:model`). Do not edit by hand: rebuild instead. -->',
    '',
    'Predicts the probability that a Kubernetes Deployment starts breaching its availability objective within the next',
    `${context.horizonMs / 60_000} minutes, from the seven runtime features. File: \`risk-v1.onnx\` (${onnxBytes} bytes, SHA-256 \`${sha256}\`).`,
    '',
    '| | |',
    '|---|---|',
    `| Model type | gradient-boosted trees (\`tree_ensemble\`): ${trees} trees, ${leaves} leaves, depth ≤ ${context.gbdt.maxDepth} |`,
    `| Inputs | \`features\` float32 [N, ${context.featureNames.length}]: ${context.featureNames.map((n) => `\`${n}\``).join(', ')}; missing = NaN |`,
    '| Output | `probability` float32 [N, 1], calibrated |',
    `| Operating point | threshold **${formatThreshold(model.threshold)}** (tuned on the validation folds) |`,
    `| Calibration | Platt: p = sigmoid(${fixed(model.calibration.a, 6)} × log-odds + ${fixed(model.calibration.b, 6)}), fitted on the calibration fold |`,
    `| Data | ${context.sourceDescription} |`,
    `| Data hash | \`${outcome.dataHash}\` (SHA-256 of every episode's float32 features and labels) |`,
    '',
    '## Label',
    '',
    `A sample is ${describeLabel(context.objective, context.horizonMs, context.inBreachSamples)}.`,
    context.inBreachSamples === 'positive'
      ? 'Samples inside a breach are trained on as positives (the deployed model also scores workloads that are already failing, e.g. at the ladder\'s re-check) but are not counted in the prediction metrics.'
      : 'Samples inside a breach are left out of training too (`inBreachSamples: positive` trains on them as positives; on this data that raised the false-positive rates at the tuned threshold, see the trainer source); how often the model flags them is reported as detection.',
    'A breach starts at its first violating sample. Each episode (one workload in one run) ends with its first breach: what',
    'follows is an incident in progress (crash loops, recovery), not the run-up to one, and a healer would have acted. The',
    'exception are the recovery scenarios: a workload healed during the run is recorded on after the heal, until the first',
    'breach that starts after the heal has ended (or the run ends), and its post-heal samples are labelled by the same rule.',
    'The model is scored as a *predictor*; how often it flags samples inside breaches is reported separately as detection.',
    '',
    '## Data and splits',
    '',
    'Split by run (each run has its own seed), never by row. The test fold differs from training on purpose: unseen seeds,',
    'fault strengths from held-out bands (train [0.2,0.3) ∪ [0.4,0.5) ∪ [0.6,0.7) ∪ [0.8,0.9); test [0.3,0.4) ∪ [0.5,0.6) ∪',
    '[0.7,0.8) ∪ [0.9,1.0]), a held-out workload shape for every fault type (half of the faulty test workloads sit behind an',
    'HPA; training has fixed replica counts only), and healthy workloads at traffic scales never trained on (training:',
    '1–500 req/s, and 1600–3000 req/s for 8% of the workloads, with about one replica per 45 req/s; test also 800–1500',
    'req/s sized the same way, a band between the trained ones, and 0.1–0.8 req/s).',
    'Healthy runs include releases and traffic swings.',
    '',
    '**Recovery scenarios.** 60% of the faulty workloads (a separate random stream, so the other draws do not change) are',
    'healed during the run through the simulation\'s hooks, either reactively (once the objective has been violated for',
    '15–60 s) or in the run-up (1–8 minutes after the fault starts), whichever comes first. Mostly with the right action',
    '(memory leak → `restart`, cache bloat → cache-clear `exec` in one pod, cpu saturation → `scale` out to the spike,',
    'bad release → `rollback`); some get the wrong one, a `restart` (half of the healed bad releases, 40% of the',
    'healed cache bloats and cpu saturations: a bad release comes back bad, the cache lives on a volume the pods share, a',
    'spike needs capacity), which leaves them broken. The fault itself stays active after a heal: a restarted leak leaks again and a cleared cache grows again, so',
    'post-heal samples are positive again when a new breach follows within the horizon.',
    '',
    '| fold | episodes | prediction samples | positives | in-breach samples |',
    '|---|---|---|---|---|',
  );
  for (const [name, fold] of Object.entries(folds)) push(`| ${name} | ${fold.episodes} | ${fold.rows} | ${fold.positives} | ${fold.inBreach} |`);
  push(
    '',
    '## Training',
    '',
    `Histogram gradient boosting on log loss, unweighted: depth ≤ ${context.gbdt.maxDepth}, learning rate ${context.gbdt.learningRate}, L2 ${context.gbdt.l2},`,
    `≥ ${context.gbdt.minSamplesLeaf} samples per leaf, ≤ ${context.gbdt.maxBins} bins per feature, early stopping after ${context.gbdt.earlyStoppingRounds} rounds without a better`,
    `validation log loss (kept: ${outcome.rounds} rounds). Monotone constraints: ${monotoneText}. They are checked after`,
    'training by sweeping each constrained feature (a test), and Platt scaling with a positive slope keeps them.',
    '',
    outcome.excludedFromSplits.length === 0
      ? 'Every feature may be split on.'
      : `**Not split on:** ${outcome.excludedFromSplits.map((n) => `\`${n}\``).join(', ')}. Summed over pods, it grows with traffic and replica count, so a healthy service that is simply bigger would look unlike anything trained on; it carries no sign of failure the other features lack. (Measured on the previous model, it was *not* what drove the false positives at other traffic scales: the absolute 5xx rate and memory were, which is why training now also covers bigger services; see the attribution below.) It stays an input (the ONNX input keeps all ${context.featureNames.length} columns) but no tree tests it, so it does not change the score.`,
    '',
    '**Learner.** Written in TypeScript in `@autoheal/trainer` (`src/train/gbdt.ts`). The npm packages for trees we looked at',
    '(ml-cart, ml-random-forest, decision-tree, ml-xgboost, xgboost-scorer) offer no histogram boosting with monotone',
    'constraints and learned missing-value directions that exports to ONNX, so the learner is small and ours; its trees map',
    'one-to-one onto ONNX `TreeEnsembleRegressor` nodes.',
    '',
    simplerModelText(outcome),
    '',
    '**Missing values.** Every split learns where NaN goes (the side that lowers the training loss; right when the node saw',
    'no missing value) and the ONNX file routes NaN the same way (`nodes_missing_value_tracks_true`). A missing feature',
    'therefore gives a score, but the pipeline still treats any vector with a missing feature as `unknown` and never heals',
    'on it. In the simulated data, `http_5xx_error_rate` is missing when a workload had fewer than 5 requests in 2 minutes,',
    'and everything is missing for a workload with no running pod.',
    '',
    '## Evaluation (held-out test fold)',
    '',
    `Prediction samples: ${e.samples}; positives: ${e.positives}; prevalence ${percent(e.prevalence, 2)}. A warning counts only when it comes at least`,
    `${seconds(context.minWarningMs)} before the breach starts. Lead time = breach start − first warning in the ${context.horizonMs / 60_000}-minute window before it`,
    '(0 for a missed breach; "median (warned)" counts warned breaches only).',
    '',
    '| metric | value | target |',
    '|---|---|---|',
    `| ROC-AUC | ${fixed(e.rocAuc)} | ≥ 0.95: ${check(e.rocAuc >= 0.95)} |`,
    `| PR-AUC (average precision) | ${fixed(e.prAuc)} | (prevalence ${fixed(e.prevalence)}) |`,
    `| Brier score | ${fixed(e.brier, 4)} | ≤ 0.05: ${check((e.brier ?? 1) <= 0.05)} |`,
    `| Brier skill score (vs. the test base rate) | ${fixed(e.brierSkill)} | > 0 |`,
    `| Precision / recall at the threshold | ${percent(e.atThreshold.precision)} / ${percent(e.atThreshold.recall)} | |`,
    `| False-positive rate, all negatives | ${percent(e.atThreshold.falsePositiveRate, 2)} | |`,
    `| False-positive rate, healthy runs | ${percent(e.healthyFalsePositiveRate, 2)} | ≤ 1%: ${check(e.healthyFalsePositiveRate <= 0.01)} |`,
    `| False-positive rate, healthy runs at other traffic scales | ${percent(e.otherScaleFalsePositiveRate, 2)} | ≤ 1%: ${check(e.otherScaleFalsePositiveRate <= 0.01)} |`,
    `| False alarms per workload-day (healthy / other scales / all) | ${fixed(e.falseAlarmsPerWorkloadDay.healthy, 1)} / ${fixed(e.falseAlarmsPerWorkloadDay.otherScale, 1)} / ${fixed(e.falseAlarmsPerWorkloadDay.all, 1)} | |`,
    `| Event-level recall | ${percent(e.events.recall)} (${e.events.warned} of ${e.events.events} breaches) | |`,
    `| Lead time, median / p10 (all breaches) | ${seconds(e.events.medianLeadMs)} / ${seconds(e.events.p10LeadMs)} | median ≥ 60 s: ${check(e.events.medianLeadMs >= 60_000)} |`,
    `| Detection: in-breach samples flagged | ${percent(e.detection.rate)} of ${e.detection.samples} | (not prediction) |`,
    '',
    `How much is predictable at all: ${outcome.diagnostics.positivesBeforeOnset} of the ${outcome.diagnostics.positives} positive test samples`,
    `(${percent(outcome.diagnostics.positivesBeforeOnset / Math.max(1, outcome.diagnostics.positives))}) were taken before their fault had started (a sudden fault breaches within minutes, so`,
    `the 5-minute window before the breach reaches back before the fault). Without those samples the ROC-AUC is`,
    `${fixed(outcome.diagnostics.rocAucAfterOnset)}. This is a diagnostic only; the headline numbers above keep every sample.`,
    '',
    '### At 0.50 (the original project\'s `RISK_THRESHOLD`)',
    '',
    `The server uses the model's tuned threshold (${formatThreshold(e.threshold)}, the \`threshold\` metadata) unless the config sets \`policy.threshold\`; 0.50 is`,
    'its fallback only when neither names one, and what a config carried over from the original project sets. The same test fold at both:',
    '',
    '| threshold | precision | recall | FPR healthy | FPR other scales | false alarms / workload-day | event recall | median lead | p10 lead | detection |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...[[`${formatThreshold(e.threshold)} (tuned)`, e] as const, [`${SERVER_DEFAULT_THRESHOLD.toFixed(2)} (fallback)`, outcome.atDefaultThreshold] as const].map(
      ([name, x]) =>
        `| ${name} | ${percent(x.atThreshold.precision)} | ${percent(x.atThreshold.recall)} | ${percent(x.healthyFalsePositiveRate, 2)} | ${percent(x.otherScaleFalsePositiveRate, 2)} | ${fixed(x.falseAlarmsPerWorkloadDay.all, 1)} | ${percent(x.events.recall)} (${x.events.warned} of ${x.events.events}) | ${seconds(x.events.medianLeadMs)} | ${seconds(x.events.p10LeadMs)} | ${percent(x.detection.rate)} |`,
    ),
    '',
    operatingPointText(e, outcome.atDefaultThreshold),
    '',
    '### What drives false positives at other traffic scales',
    '',
    `${outcome.otherScaleAttribution.falsePositives} false positives on healthy test workloads at other traffic scales (at the tuned threshold). Each row: how many of them`,
    'drop below the threshold when that one feature is replaced by its median on healthy training samples (a feature',
    'the trees do not split on clears none by construction).',
    '',
    '| feature | false positives cleared |',
    '|---|---|',
    ...Object.entries(outcome.otherScaleAttribution.clearedByFeature).map(([name, cleared]) => `| \`${name}\` | ${cleared} |`),
    '',
    '### After a heal (the ladder\'s re-check)',
    '',
    'Healed test workloads (recovery scenarios), from the heal on. A sample is *at risk* when a breach starts within the',
    `horizon after it or it lies inside a breach; otherwise the workload is fine and a warning there would make autoheal`,
    'escalate or hand off a healthy workload. "Re-check" is the minute from the policy\'s default `recheckDelay` (2 min)',
    'after the heal.',
    '',
    '| heal | samples | threshold | episodes | false-positive rate (not at risk) | recall (at risk) |',
    '|---|---|---|---|---|---|',
    ...postHealRows(outcome.postHeal.tuned, formatThreshold(e.threshold)),
    ...postHealRows(outcome.postHeal.atDefault, SERVER_DEFAULT_THRESHOLD.toFixed(2)),
    '',
    '### Parts of the test fold',
    '',
    '| part | samples | positives | ROC-AUC | PR-AUC | Brier | FPR (negatives) | event recall | median lead |',
    '|---|---|---|---|---|---|---|---|---|',
    ...outcome.subsets.map(({ name, evaluation: s }) => `| ${name} | ${s.samples} | ${s.positives} | ${fixed(s.rocAuc)} | ${fixed(s.prAuc)} | ${fixed(s.brier, 4)} | ${percent(s.atThreshold.falsePositiveRate, 2)} | ${percent(s.events.recall)} | ${seconds(s.events.medianLeadMs)} |`),
    '',
    '### Per fault type',
    '',
    '| kind | episodes | breaches | warned | event recall | median lead | p10 lead | median lead (warned) |',
    '|---|---|---|---|---|---|---|---|',
  );
  for (const [kind, stats] of Object.entries(e.eventsByKind)) push(eventRow(kind, stats));
  push(
    '',
    '### Reliability (calibration) on the test fold',
    '',
    '| predicted | samples | mean predicted | observed |',
    '|---|---|---|---|',
  );
  for (const bin of e.reliability ?? []) push(`| ${bin.low.toFixed(1)}–${bin.high.toFixed(1)} | ${bin.count} | ${fixed(bin.meanPredicted)} | ${fixed(bin.observedRate)} |`);
  push(
    '',
    '### Baselines on the same test data',
    '',
    'Each baseline\'s threshold is tuned exactly like the model\'s: best F1 on the validation folds with at most',
    `${percent(context.maxHealthyFpr, 1)} false positives on healthy validation samples.`,
    '',
    '| scorer | ROC-AUC | PR-AUC | threshold | precision | recall | FPR healthy | FPR other scales | false alarms / workload-day | event recall | median lead |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    metricsRow('**model**', e),
  );
  for (const baseline of outcome.baselines) push(metricsRow(baseline.name, baseline.evaluation));
  push('', 'Lift of the model over each baseline:', '');
  for (const baseline of outcome.baselines) {
    const b = baseline.evaluation;
    push(`- **${baseline.name}** (${baseline.description}): PR-AUC ${lift(e.prAuc, b.prAuc)}, event recall ${lift(e.events.recall, b.events.recall)}, ROC-AUC ${fixed(e.rocAuc - b.rocAuc)} higher.`);
  }
  push(
    '',
    '## Limitations',
    '',
    '- Trained on simulated workloads only. The absolute features (bytes, requests per second, 5xx per second) depend on',
    '  the workload; the false-positive rate at other traffic scales above says how far that carries. Retrain on your',
    '  own history (`autoheal train --from prometheus`) before trusting it on a real cluster.',
    '- The seven features are instantaneous aggregates; trends (memory growing towards the limit) are visible only',
    '  through their level, which limits how early some faults can be seen. A bad release breaches within a minute or',
    '  two of its rollout, so it can be detected more than predicted.',
    '- Once autoheal heals, the breaches it prevents disappear from later history: keep a no-action holdout when retraining.',
    '- The multi-window burn-rate baseline is not computed: the episodes are shorter than its one-hour window.',
    '',
  );
  return lines.join('\n');
}
