/**
 * The list of watched targets: a `listbox` of cards (gauge, verdict in words, what holds the target
 * — paused, maintenance, rolling out — and the last decision). Arrow
 * keys, Home and End move the focus (roving tabindex), Enter or Space selects.
 */
import { html, nothing, type TemplateResult } from 'lit';
import { DECISION_LABELS, VERDICT_TEXT, formatPercent, formatTime, holdDescription, holdLabel } from '../format.js';
import type { TargetSummary } from '../types.js';
import { renderGauge } from './gauge.js';
import { renderVerdict } from './verdict.js';

/** What the list shows. */
export interface TargetListView {
  targets: readonly TargetSummary[];
  selectedKey: string | null;
  loading: boolean;
  loadError: string | null;
}

/** The target list; `onSelect` is called with the key of a clicked or chosen card. */
export function renderTargetList(view: TargetListView, onSelect: (key: string) => void): TemplateResult {
  const { targets, selectedKey } = view;
  if (targets.length === 0) {
    return html`<section class="targets panel" aria-label="Watched targets">
      <p class="muted">${view.loading ? 'Loading targets…' : view.loadError ? 'No data: the server could not be reached.' : 'No watched targets.'}</p>
    </section>`;
  }
  const focusKey = selectedKey ?? targets[0]?.key;
  return html`<section class="targets">
    <h3 id="targets-heading" class="section-title">Targets</h3>
    <ul part="target-list" class="target-list" role="listbox" aria-labelledby="targets-heading">
      ${targets.map((summary) => renderCard(summary, summary.key === selectedKey, summary.key === focusKey, onSelect))}
    </ul>
  </section>`;
}

function renderCard(summary: TargetSummary, selected: boolean, focusable: boolean, onSelect: (key: string) => void): TemplateResult {
  const latest = summary.latest;
  const verdict = latest?.assessment.verdict ?? null;
  const probability = latest?.assessment.probability ?? null;
  const gaugeLabel = latest
    ? verdict === 'unknown'
      ? `Risk unknown${latest.assessment.reason ? `: ${latest.assessment.reason}` : ''}; threshold ${formatPercent(summary.threshold)}`
      : `Risk ${formatPercent(probability)} against threshold ${formatPercent(summary.threshold)}`
    : `No evaluation yet; threshold ${formatPercent(summary.threshold)}`;
  return html`<li
    part="target-card"
    class="card ${selected ? 'card--selected' : ''} card--${verdict ?? 'none'}"
    role="option"
    data-key=${summary.key}
    aria-selected=${selected ? 'true' : 'false'}
    aria-label=${`${summary.key}: ${verdict ? VERDICT_TEXT[verdict].label : 'no data yet'}${verdict && verdict !== 'unknown' ? `, risk ${formatPercent(probability)}` : ''}${summary.hold ? `, ${holdLabel(summary.hold)}` : ''}`}
    tabindex=${focusable ? '0' : '-1'}
    @click=${() => onSelect(summary.key)}
    @keydown=${(event: KeyboardEvent) => onCardKeydown(event, summary.key, onSelect)}
  >
    <div class="card__gauge">${renderGauge(probability, summary.threshold, verdict ?? 'unknown', gaugeLabel)}</div>
    <div class="card__body">
      <div class="card__name">${summary.target.name}</div>
      <div class="muted small">${summary.target.cluster ? `${summary.target.cluster} · ` : ''}${summary.target.namespace}</div>
      ${renderVerdict(verdict)}
      ${summary.hold
        ? html`<div><span part="hold" class="badge badge--small badge--hold badge--hold-${summary.hold.kind}" data-hold=${summary.hold.kind} title=${holdDescription(summary.hold)}>${holdLabel(summary.hold)}</span></div>`
        : nothing}
      ${latest
        ? html`<div class="small">
              ${DECISION_LABELS[latest.decision]}${latest.ladder.attempt > 0 ? html` · attempt ${latest.ladder.attempt}/${latest.ladder.maxAttempts}` : nothing}
              ${latest.dryRun ? html` · <span class="badge badge--dry-run badge--small">dry run</span>` : nothing}
            </div>
            <div class="muted small">updated ${formatTime(latest.time)}</div>`
        : nothing}
    </div>
  </li>`;
}

function onCardKeydown(event: KeyboardEvent, key: string, onSelect: (key: string) => void): void {
  const list = (event.currentTarget as HTMLElement).closest('[role="listbox"]');
  const options = [...(list?.querySelectorAll<HTMLElement>('[role="option"]') ?? [])];
  const current = options.findIndex((option) => option.dataset.key === key);
  let next = -1;
  switch (event.key) {
    case 'ArrowDown':
    case 'ArrowRight':
      next = Math.min(options.length - 1, current + 1);
      break;
    case 'ArrowUp':
    case 'ArrowLeft':
      next = Math.max(0, current - 1);
      break;
    case 'Home':
      next = 0;
      break;
    case 'End':
      next = options.length - 1;
      break;
    case 'Enter':
    case ' ':
      event.preventDefault();
      onSelect(key);
      return;
    default:
      return;
  }
  event.preventDefault();
  // Roving tabindex: only the focused option is in the tab order.
  options.forEach((option, index) => option.setAttribute('tabindex', index === next ? '0' : '-1'));
  options[next]?.focus();
}
