/**
 * Builds the Slack message of one DecisionRecord: Block Kit blocks for people, a plain `text`
 * fallback for notifications and clients without blocks. Pure functions, no I/O.
 */
import { DEFAULT_FEATURES, targetKey, type DecisionKind, type DecisionRecord, type FeatureDefinition, type SuppressedReason } from '@autoheal/core';

/** How loud a decision is. */
export type Severity = 'info' | 'warning' | 'critical';

/** Severities in increasing order, for `minSeverity` comparisons. */
export const SEVERITY_ORDER: readonly Severity[] = ['info', 'warning', 'critical'];

/**
 * The severity of a decision:
 * - `critical`: `handoff` (a human is needed); `suppressed` by `ceiling-reached` or `circuit-open`
 *   (the automation has stopped acting).
 * - `warning`: `heal` (something was changed, or would be in dry-run); `suppressed` by `unknown`
 *   (a signal is missing, so nobody is watching that target), `refused`, `dry-run` or
 *   `state-unavailable` (the target's state cannot be read, so nothing is done for it).
 * - `info`: `kept`, `reset`, `none`, `awaiting-recheck`; `suppressed` by `cooldown`, `in-flight`,
 *   `recovered`, `rolling-out` or `not-leader` (routine), `paused` or `maintenance` (an operator's
 *   own choice to hold the target).
 */
export function severityOf(record: Pick<DecisionRecord, 'decision' | 'suppressedReason'>): Severity {
  switch (record.decision) {
    case 'handoff':
      return 'critical';
    case 'heal':
      return 'warning';
    case 'suppressed':
      return suppressedSeverity(record.suppressedReason);
    default:
      return 'info';
  }
}

function suppressedSeverity(reason: SuppressedReason | undefined): Severity {
  if (reason === 'ceiling-reached' || reason === 'circuit-open') return 'critical';
  if (reason === 'unknown' || reason === 'refused' || reason === 'dry-run' || reason === 'state-unavailable' || reason === undefined) return 'warning';
  return 'info';
}

const SUPPRESSED_WORDS: Record<SuppressedReason, string> = {
  unknown: 'a signal is missing or the model failed, so autoheal will not act on what it cannot see',
  'dry-run': 'dry-run: the step was planned and recorded, nothing was changed',
  cooldown: 'the target acted too recently (cooldown)',
  'circuit-open': 'too many actions across all targets: the circuit breaker is open',
  recovered: 'a last check right before acting found the target healthy',
  'ceiling-reached': 'every step of the ladder was already tried',
  'in-flight': 'another action on this target is still running',
  refused: 'the healer refused the step',
  'rolling-out': 'the workload is still starting or rolling out, so it is not judged yet',
  'not-leader': 'this autoheal replica no longer leads, so it does not act',
  'state-unavailable': 'the ladder state could not be read or claimed, so nothing was done',
  paused: 'autoheal is paused for this target (or for every target): it looks and records, and changes nothing',
  maintenance: 'a maintenance window is in force: autoheal looks and records, and changes nothing',
};

const KIND_ICONS: Record<DecisionKind, string> = {
  none: ':large_green_circle:',
  heal: ':adhesive_bandage:',
  suppressed: ':double_vertical_bar:',
  'awaiting-recheck': ':hourglass_flowing_sand:',
  kept: ':white_check_mark:',
  reset: ':recycle:',
  handoff: ':sos:',
};

/** A Block Kit block (the subset this adapter writes). */
export type SlackBlock =
  | { type: 'header'; text: { type: 'plain_text'; text: string; emoji: true } }
  | { type: 'section'; text?: { type: 'mrkdwn'; text: string }; fields?: Array<{ type: 'mrkdwn'; text: string }> }
  | { type: 'context'; elements: Array<{ type: 'mrkdwn'; text: string }> }
  | { type: 'divider' };

/** The body posted to the webhook. */
export interface SlackMessage {
  /** Plain-text fallback (notifications, screen readers, clients without blocks). */
  text: string;
  blocks: SlackBlock[];
}

/** Options of {@link buildSlackMessage}. */
export interface SlackMessageOptions {
  /** Cluster label used when the target has none. */
  cluster?: string | undefined;
  /** Base URL of the autoheal dashboard; adds a link to the target. */
  dashboardUrl?: string | undefined;
}

/** Slack mrkdwn treats `&`, `<` and `>` as control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function formatNumber(value: number): string {
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  const digits = Math.abs(value) >= 100 ? 1 : Math.abs(value) >= 1 ? 2 : 3;
  return value.toLocaleString('en-US', { maximumFractionDigits: digits });
}

/** A value with its unit, e.g. `52,428,800 bytes (50.0 MiB)` or `4 restarts`. */
export function formatFeatureValue(feature: string, value: number | null): string {
  if (value === null) return 'missing';
  const definition = (DEFAULT_FEATURES as Record<string, FeatureDefinition | undefined>)[feature];
  if (!definition) return formatNumber(value);
  if (definition.unit === 'bytes' && value >= 1024 * 1024) return `${formatNumber(value)} bytes (${(value / 1024 / 1024).toFixed(1)} MiB)`;
  if (definition.unit === 'ratio') return `${formatNumber(value)} (${Math.round(value * 100)}%)`;
  return `${formatNumber(value)} ${definition.unit}`;
}

/** The one-line title of a decision, e.g. `Healing prod/backend: restart (attempt 1 of 3)`. */
export function titleOf(record: DecisionRecord): string {
  // The cluster has its own field: the title stays short.
  const target = `${record.target.namespace}/${record.target.name}`;
  const step = record.action?.step;
  const attempt = `attempt ${record.ladder.attempt} of ${record.ladder.maxAttempts}`;
  switch (record.decision) {
    case 'heal':
      return record.dryRun || record.action?.outcome?.dryRun
        ? `Would heal ${target}: ${step ?? 'step'} (${attempt})`
        : `Healing ${target}: ${step ?? 'step'} (${attempt})`;
    case 'kept':
      return `${target} is healthy again: keeping the rollout`;
    case 'handoff':
      return `${target} is still at risk after the last step: a human is needed`;
    case 'suppressed':
      return `Healing ${target} suppressed (${record.suppressedReason ?? 'no reason given'})`;
    case 'reset':
      return `${target} stayed healthy: healing attempts reset`;
    case 'awaiting-recheck':
      return `${target}: waiting to re-check after ${step ?? 'the last step'}`;
    default:
      return `${target}: healthy, nothing to do`;
  }
}

function riskLine(record: DecisionRecord): string {
  const { probability, threshold, verdict, reason } = record.assessment;
  if (probability === null) return `unknown (threshold ${threshold.toFixed(2)})${reason ? `: ${escapeMrkdwn(reason)}` : ''}`;
  const comparison = probability >= threshold ? '≥' : '&lt;';
  return `${probability.toFixed(2)} ${comparison} threshold ${threshold.toFixed(2)} → *${verdict}*`;
}

function ladderLine(record: DecisionRecord): string {
  const { attempt, maxAttempts, nextStep } = record.ladder;
  return `attempt ${attempt} of ${maxAttempts}, next step: ${nextStep ?? 'none (end of ladder)'}`;
}

/**
 * The diagnosis in one line and its evidence, one bullet each: "*Diagnosis:* memory → restart first"
 * (or "unclear: the ladder in its order").
 */
function diagnosisLines(record: DecisionRecord): string | undefined {
  const diagnosis = record.diagnosis;
  if (!diagnosis) return undefined;
  const head = diagnosis.step
    ? `*Diagnosis:* ${escapeMrkdwn(diagnosis.cause)} → *${escapeMrkdwn(diagnosis.step)} first*`
    : `*Diagnosis:* ${escapeMrkdwn(diagnosis.cause)}: ${escapeMrkdwn(diagnosis.summary)}`;
  return [head, ...diagnosis.evidence.map((fact) => `• ${escapeMrkdwn(truncate(fact, 300))}`)].join('\n');
}

function topSignals(record: DecisionRecord): string | undefined {
  const contributions = record.assessment.contributions ?? [];
  if (contributions.length === 0) return undefined;
  const top = [...contributions].sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution)).slice(0, 3);
  return top
    .map((c) => {
      const sign = c.contribution >= 0 ? '+' : '−';
      return `• \`${escapeMrkdwn(c.feature)}\` = ${escapeMrkdwn(formatFeatureValue(c.feature, c.value))} (${sign}${Math.abs(c.contribution).toFixed(2)})`;
    })
    .join('\n');
}

function missingSignals(record: DecisionRecord): string | undefined {
  if (record.missing.length === 0) return undefined;
  return record.missing.map((m) => `• \`${escapeMrkdwn(m.feature)}\`: ${escapeMrkdwn(truncate(m.reason, 200))}`).join('\n');
}

function actionLines(record: DecisionRecord): string | undefined {
  const action = record.action;
  if (!action) return undefined;
  const lines: string[] = [];
  if (action.plan.refusal) lines.push(`:no_entry: refused: ${escapeMrkdwn(action.plan.refusal)}`);
  if (action.outcome) {
    for (const result of action.outcome.results) {
      lines.push(`${result.ok ? ':white_check_mark:' : ':x:'} ${result.op}: ${escapeMrkdwn(truncate(result.message, 300))}`);
    }
    if (action.outcome.results.length === 0) lines.push(escapeMrkdwn(action.outcome.message));
    if (!action.outcome.ok) lines.push(`*Step failed:* ${escapeMrkdwn(truncate(action.outcome.message, 300))}`);
  } else {
    for (const operation of action.plan.operations) lines.push(`:memo: ${operation.op} (planned): ${escapeMrkdwn(truncate(operation.description, 300))}`);
  }
  return lines.join('\n');
}

/** Builds the blocks and the text fallback of `record`. */
export function buildSlackMessage(record: DecisionRecord, options: SlackMessageOptions = {}): SlackMessage {
  const title = titleOf(record);
  const cluster = record.target.cluster ?? options.cluster;
  const severity = severityOf(record);
  const dryRun = record.dryRun || record.action?.outcome?.dryRun === true;
  const blocks: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(`${KIND_ICONS[record.decision]} ${title}`, 150), emoji: true } },
    { type: 'section', text: { type: 'mrkdwn', text: truncate(escapeMrkdwn(record.summary), 3000) } },
  ];
  const targetText = `*Target*\n\`${escapeMrkdwn(`${record.target.namespace}/${record.target.name}`)}\`${cluster ? ` in cluster \`${escapeMrkdwn(cluster)}\`` : ''}`;
  const targetLink = options.dashboardUrl ? `\n<${options.dashboardUrl.replace(/\/+$/, '')}/#/targets/${encodeURIComponent(targetKey(record.target))}|open in dashboard>` : '';
  const fields = [
    { type: 'mrkdwn' as const, text: targetText + targetLink },
    { type: 'mrkdwn' as const, text: `*Risk*\n${riskLine(record)}` },
    { type: 'mrkdwn' as const, text: `*Ladder*\n${ladderLine(record)}` },
    { type: 'mrkdwn' as const, text: `*Model*\n${escapeMrkdwn(`${record.assessment.model.name} ${record.assessment.model.version}`)}` },
  ];
  if (record.decision === 'suppressed' && record.suppressedReason) {
    fields.push({ type: 'mrkdwn', text: `*Why suppressed*\n${escapeMrkdwn(SUPPRESSED_WORDS[record.suppressedReason])}` });
  }
  blocks.push({ type: 'section', fields });
  const diagnosisBlock = diagnosisLines(record);
  if (diagnosisBlock) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(diagnosisBlock, 3000) } });
  const signals = topSignals(record);
  if (signals) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(`*Top signals*\n${signals}`, 3000) } });
  const missing = missingSignals(record);
  if (missing) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(`*Missing signals*\n${missing}`, 3000) } });
  const action = actionLines(record);
  if (action && record.action) {
    const heading = `*Action: ${record.action.step}* (attempt ${record.action.plan.attempt})${dryRun ? ' — dry-run, nothing changed' : ''}`;
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(`${heading}\n${action}`, 3000) } });
  }
  const context = [`severity *${severity}*`, `decision \`${record.decision}\``, `record \`${escapeMrkdwn(record.id)}\``, escapeMrkdwn(record.time)];
  if (dryRun) context.unshift(':test_tube: *DRY-RUN*');
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: context.join(' · ') }] });

  const textParts = [`[autoheal]${dryRun ? ' [dry-run]' : ''} ${title}`];
  if (cluster) textParts.push(`cluster ${cluster}`);
  textParts.push(`risk ${record.assessment.probability === null ? 'unknown' : record.assessment.probability.toFixed(2)} / threshold ${record.assessment.threshold.toFixed(2)}`);
  // Only a confident diagnosis goes into the fallback (the notification preview): "unclear" is in the
  // blocks. The summary of a step the diagnosis chose already says it.
  const diagnosis = record.diagnosis;
  if (diagnosis?.step && !record.summary.includes(diagnosis.summary)) textParts.push(`diagnosis: ${diagnosis.summary}`);
  textParts.push(record.summary);
  return { text: truncate(textParts.join(' — '), 3000), blocks };
}
