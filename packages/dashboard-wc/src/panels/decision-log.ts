/**
 * The decision log: every record newest first, a page at a time. Each row is a button that expands
 * it to the full record (key fields and pretty JSON); arrow keys move between rows.
 */
import { html, nothing, type TemplateResult } from 'lit';
import { SUPPRESSED_LABELS, VERDICT_TEXT, decisionLabel, formatDateTime, formatDiagnosis, formatPercent, formatTime, keyOf, stepLabel } from '../format.js';
import type { DecisionRecord } from '../types.js';
import { renderVerdict } from './verdict.js';

/** How many more rows "Show more" renders. */
export const LOG_PAGE = 50;

/** What the log shows. */
export interface DecisionLogView {
  /** Newest first. */
  log: readonly DecisionRecord[];
  /** How many rows are rendered. */
  shown: number;
  /** Ids of the expanded rows. */
  expanded: ReadonlySet<string>;
}

/** What the log reports. */
export interface DecisionLogActions {
  toggle(id: string): void;
  showMore(): void;
}

/** The log. */
export function renderDecisionLog(view: DecisionLogView, actions: DecisionLogActions): TemplateResult {
  const rows = view.log.slice(0, view.shown);
  return html`<section part="log" class="panel log" aria-labelledby="log-heading">
    <h3 class="section-title" id="log-heading">Decision log <span class="muted small">(${view.log.length}, newest first)</span></h3>
    ${rows.length === 0 ? html`<p class="muted">No decisions yet.</p>` : nothing}
    <ul class="log__list" @keydown=${onLogKeydown}>
      ${rows.map((record) => renderRow(record, view.expanded.has(record.id), actions))}
    </ul>
    ${view.log.length > rows.length
      ? html`<button type="button" class="button" @click=${() => actions.showMore()}>Show ${Math.min(LOG_PAGE, view.log.length - rows.length)} more</button>`
      : nothing}
  </section>`;
}

function renderRow(record: DecisionRecord, expanded: boolean, actions: DecisionLogActions): TemplateResult {
  const verdict = record.assessment.verdict;
  return html`<li part="log-row" class="log__row log__row--${verdict}" data-id=${record.id}>
    <button
      type="button"
      class="log__toggle"
      @click=${() => actions.toggle(record.id)}
      aria-expanded=${expanded ? 'true' : 'false'}
      aria-controls=${`log-${record.id}`}
    >
      <span class="log__chevron" aria-hidden="true">${expanded ? '▾' : '▸'}</span>
      <span class="log__time">${formatTime(record.time)}</span>
      <span class="log__key">${keyOf(record.target)}</span>
      ${renderVerdict(verdict)}
      <span class="log__prob">${formatPercent(record.assessment.probability)}</span>
      <span class="log__decision">${decisionLabel(record)}</span>
    </button>
    ${expanded ? renderRecord(record) : nothing}
  </li>`;
}

function renderRecord(record: DecisionRecord): TemplateResult {
  return html`<div class="record" id=${`log-${record.id}`}>
    <dl class="facts">
      <dt>Id</dt>
      <dd><code>${record.id}</code></dd>
      <dt>Time</dt>
      <dd>${formatDateTime(record.time)} (${record.durationMs} ms)</dd>
      <dt>Probability</dt>
      <dd>${formatPercent(record.assessment.probability)} (threshold ${formatPercent(record.assessment.threshold)})</dd>
      <dt>Verdict</dt>
      <dd>${VERDICT_TEXT[record.assessment.verdict].label}${record.assessment.reason ? ` — ${record.assessment.reason}` : ''}</dd>
      ${record.diagnosis ? html`<dt>Diagnosis</dt><dd>${formatDiagnosis(record.diagnosis)}</dd>` : nothing}
      <dt>Missing</dt>
      <dd>${record.missing.length ? record.missing.map((m) => `${m.feature} (${m.reason})`).join(', ') : 'none'}</dd>
      <dt>Decision</dt>
      <dd>${decisionLabel(record)}${record.suppressedReason && !SUPPRESSED_LABELS[record.suppressedReason] ? ` (${record.suppressedReason})` : ''}</dd>
      <dt>Ladder</dt>
      <dd>attempt ${record.ladder.attempt} of ${record.ladder.maxAttempts}, next: ${stepLabel(record.ladder.nextStep)}</dd>
      <dt>Model</dt>
      <dd>${record.assessment.model.name} ${record.assessment.model.version}</dd>
      <dt>Summary</dt>
      <dd>${record.summary}</dd>
    </dl>
    <pre class="record__json" tabindex="0" aria-label=${`Full decision record ${record.id} as JSON`}>${JSON.stringify(record, null, 2)}</pre>
  </div>`;
}

function onLogKeydown(event: KeyboardEvent): void {
  if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
  const buttons = [...(event.currentTarget as HTMLElement).querySelectorAll<HTMLButtonElement>('.log__toggle')];
  const current = buttons.indexOf(event.target as HTMLButtonElement);
  if (current < 0) return;
  event.preventDefault();
  buttons[event.key === 'ArrowDown' ? Math.min(buttons.length - 1, current + 1) : Math.max(0, current - 1)]?.focus();
}
