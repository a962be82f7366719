/**
 * The panel of the selected target: its verdict and risk (and why unknown is not healthy), "Check
 * now", then the panels it is given (signals, ladder, …), the risk-over-time chart and the what-if
 * form. A new per-target panel is one more entry in `panels`.
 */
import { html, nothing, type TemplateResult } from 'lit';
import { formatDateTime, formatPercent } from '../format.js';
import type { CheckState } from '../dashboard-store.js';
import type { DecisionRecord, TargetSummary } from '../types.js';
import { renderRiskChart } from './risk-chart.js';
import { renderVerdict } from './verdict.js';

/** The rendered parts of the detail panel. */
export interface TargetDetailParts {
  /** "Check now" (or a hint, or nothing). */
  checkNow: TemplateResult | typeof nothing;
  /** Side-by-side panels under the head (signals, ladder, …). */
  panels: ReadonlyArray<TemplateResult | typeof nothing>;
  /** Below the chart (the what-if form). */
  footer: TemplateResult | typeof nothing;
}

/** The detail panel of `summary`, with its history (oldest first) for the chart. */
export function renderTargetDetail(summary: TargetSummary, history: readonly DecisionRecord[], parts: TargetDetailParts): TemplateResult {
  const latest = summary.latest;
  return html`<section part="detail" class="detail" aria-labelledby="detail-heading">
    <div class="detail__head panel">
      <div>
        <h3 id="detail-heading" class="detail__title">${summary.key}</h3>
        <div class="detail__verdict">
          ${renderVerdict(latest?.assessment.verdict ?? null)}
          <span class="big">${latest ? formatPercent(latest.assessment.probability) : '—'}</span>
          <span class="muted">threshold ${formatPercent(summary.threshold)}</span>
        </div>
        ${latest?.assessment.verdict === 'unknown'
          ? html`<p class="unknown-note">
              <strong>Unknown is not healthy.</strong> ${latest.assessment.reason ?? 'A signal is missing.'} autoheal never heals on an unknown verdict.
            </p>`
          : nothing}
        ${latest ? html`<p class="muted small">${latest.summary} · model ${latest.assessment.model.name} ${latest.assessment.model.version} · ${formatDateTime(latest.time)}</p>` : nothing}
      </div>
      ${parts.checkNow}
    </div>
    <div class="detail__grid">${parts.panels}</div>
    <div class="panel">
      <h4 class="section-title">Risk over time</h4>
      ${renderRiskChart(history, summary.threshold, summary.key)}
      <p class="legend small muted">
        <span><span class="legend__swatch legend__swatch--line" aria-hidden="true"></span>risk</span>
        <span><span class="legend__swatch legend__swatch--threshold" aria-hidden="true"></span>threshold</span>
        <span><span aria-hidden="true" class="legend__glyph legend__glyph--heal">▼</span>heal step</span>
        <span><span aria-hidden="true" class="legend__glyph legend__glyph--kept">●</span>kept</span>
        <span><span aria-hidden="true" class="legend__glyph legend__glyph--handoff">■</span>hand-off</span>
        <span><span aria-hidden="true" class="legend__glyph">○</span>unknown (gap)</span>
      </p>
    </div>
    ${parts.footer}
  </section>`;
}

/** The placeholder when no target is selected. */
export function renderEmptyDetail(): TemplateResult {
  return html`<section part="detail" class="detail panel"><p class="muted">Select a target to see its signals, ladder and history.</p></section>`;
}

/** What "Check now" shows. */
export interface CheckNowView {
  check: CheckState;
  /** Hides the control (the `read-only` attribute or the server's mode). */
  readOnly: boolean;
  /** Whether a token is set; without one a hint replaces the button. */
  hasToken: boolean;
}

/** "Check now": runs one evaluation of the selected target on the server. */
export function renderCheckNow(view: CheckNowView, onCheck: () => void): TemplateResult | typeof nothing {
  if (view.readOnly) return nothing;
  if (!view.hasToken) return html`<p class="muted small check-hint">Set a <code>token</code> to enable “Check now”.</p>`;
  const { check } = view;
  return html`<div class="check">
    <button part="check-now" type="button" class="button button--primary" ?disabled=${check.busy} @click=${onCheck}>${check.busy ? 'Checking…' : 'Check now'}</button>
    ${check.error ? html`<p class="check__error" role="alert">${check.error}</p>` : nothing}
    ${check.message ? html`<p class="small" role="status">${check.message}</p>` : nothing}
  </div>`;
}
