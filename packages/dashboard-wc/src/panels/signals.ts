/**
 * The signals of the selected target: one row per feature with its value in its unit, how much it
 * pushed the risk, the top drivers marked in words, and missing signals marked *missing* with the
 * source's reason.
 */
import { html, nothing, type TemplateResult } from 'lit';
import { formatFeatureValue } from '../format.js';
import type { DecisionRecord, ServerFeatureInfo } from '../types.js';
import { renderBreakable } from './verdict.js';

/** How many contributions count as "top" drivers. */
const TOP_CONTRIBUTIONS = 3;

/** What the signals table shows. */
export interface SignalsView {
  /** The newest record of the selected target; `null` before its first evaluation. */
  latest: DecisionRecord | null;
  /** The rows, in the model's order. */
  featureNames: readonly string[];
  /** Unit and description per feature, from the server (may lack a feature). */
  features: Readonly<Record<string, ServerFeatureInfo>>;
}

/** The signals table. */
export function renderSignals(view: SignalsView): TemplateResult {
  const { latest } = view;
  return html`<div part="signals" class="panel signals">
    <h4 class="section-title" id="signals-heading">Signals</h4>
    ${latest
      ? html`<table class="signals__table" aria-labelledby="signals-heading">
          <thead>
            <tr>
              <th scope="col">Signal</th>
              <th scope="col">Value</th>
              <th scope="col">Push on risk</th>
            </tr>
          </thead>
          <tbody>
            ${renderRows(latest, view)}
          </tbody>
        </table>`
      : html`<p class="muted">No evaluation yet.</p>`}
  </div>`;
}

function renderRows(latest: DecisionRecord, view: SignalsView): TemplateResult[] {
  const contributions = latest.assessment.contributions ?? [];
  const byFeature = new Map(contributions.map((c) => [c.feature, c.contribution]));
  const top = new Set(
    [...contributions]
      .filter((c) => c.contribution > 0)
      .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution))
      .slice(0, TOP_CONTRIBUTIONS)
      .map((c) => c.feature),
  );
  const maxMagnitude = Math.max(1e-9, ...contributions.map((c) => Math.abs(c.contribution)));
  const missing = new Map(latest.missing.map((m) => [m.feature, m.reason]));
  return view.featureNames.map((name) => {
    const unit = view.features[name]?.unit;
    const description = view.features[name]?.description ?? '';
    const value = latest.features[name];
    const isMissing = missing.has(name) || value === null || value === undefined;
    const contribution = byFeature.get(name);
    return html`<tr class="signal ${isMissing ? 'signal--missing' : ''} ${top.has(name) ? 'signal--top' : ''}" data-feature=${name}>
      <th scope="row" title=${description}>
        <span class="signal__name">${renderBreakable(name)}</span>
        ${top.has(name) ? html`<span class="badge badge--top">top driver</span>` : nothing}
        ${unit ? html`<span class="muted small signal__unit">${unit}</span>` : nothing}
      </th>
      <td>
        ${isMissing
          ? html`<span class="missing"><span aria-hidden="true">⚠ </span>missing</span>
              <span class="muted small">${missing.get(name) ?? 'no value reported'}</span>`
          : formatFeatureValue(value, unit)}
      </td>
      <td>
        ${contribution === undefined
          ? html`<span class="muted">—</span>`
          : html`<span class="contribution">
              <span
                class="contribution__bar ${contribution >= 0 ? 'contribution__bar--up' : 'contribution__bar--down'}"
                style="width:${Math.round((Math.abs(contribution) / maxMagnitude) * 100)}%"
                aria-hidden="true"
              ></span>
              <span class="contribution__text">${contribution >= 0 ? '+' : '−'}${Math.abs(contribution).toFixed(2)}</span>
            </span>`}
      </td>
    </tr>`;
  });
}
