/**
 * The what-if form: one number field per feature (pre-filled from the latest evaluation), scored by
 * the server's model with `POST /predict`; a 400's messages appear next to their fields.
 */
import { html, nothing, type TemplateResult } from 'lit';
import { formatPercent } from '../format.js';
import type { ServerFeatureInfo } from '../types.js';
import type { WhatIfState } from '../what-if-state.js';
import { renderBreakable, renderVerdict } from './verdict.js';

/** What the form shows. */
export interface WhatIfView {
  state: WhatIfState;
  featureNames: readonly string[];
  features: Readonly<Record<string, ServerFeatureInfo>>;
}

/** What the form reports. */
export interface WhatIfActions {
  edit(name: string, value: string): void;
  submit(): void;
  /** "Reset to latest values". */
  reset(): void;
}

/** The form. */
export function renderWhatIfForm(view: WhatIfView, actions: WhatIfActions): TemplateResult {
  const { state } = view;
  const onSubmit = (event: SubmitEvent) => {
    event.preventDefault();
    actions.submit();
  };
  return html`<form part="what-if" class="panel what-if" novalidate aria-labelledby="what-if-heading" @submit=${onSubmit}>
    <h4 class="section-title" id="what-if-heading">What if?</h4>
    <p class="muted small">Edit the signals (pre-filled from the latest evaluation) and score them with the same model. Nothing is changed.</p>
    <div class="what-if__fields">${view.featureNames.map((name) => renderField(name, view, actions))}</div>
    <div class="what-if__actions">
      <button type="submit" class="button button--primary" ?disabled=${state.busy}>${state.busy ? 'Scoring…' : 'Predict'}</button>
      <button type="button" class="button" @click=${() => actions.reset()}>Reset to latest values</button>
    </div>
    ${state.error ? html`<p class="check__error" role="alert">${state.error}</p>` : nothing}
    ${state.result ? renderResult(state.result) : nothing}
  </form>`;
}

function renderField(name: string, view: WhatIfView, actions: WhatIfActions): TemplateResult {
  const unit = view.features[name]?.unit;
  const error = view.state.fieldErrors[name];
  const id = `what-if-${name}`;
  return html`<div class="field ${error ? 'field--error' : ''}">
    <label for=${id}>${renderBreakable(name)}${unit ? html` <span class="muted small">(${unit})</span>` : nothing}</label>
    <input
      id=${id}
      name=${name}
      type="number"
      step="any"
      inputmode="decimal"
      placeholder="missing"
      .value=${view.state.values[name] ?? ''}
      aria-invalid=${error ? 'true' : 'false'}
      aria-describedby=${error ? `${id}-error` : nothing}
      @input=${(event: Event) => actions.edit(name, (event.target as HTMLInputElement).value)}
    />
    ${error ? html`<span class="field__error" id=${`${id}-error`}><span aria-hidden="true">✕ </span>${error}</span>` : nothing}
  </div>`;
}

function renderResult(result: NonNullable<WhatIfState['result']>): TemplateResult {
  return html`<div class="what-if__result" role="status">
    <span class="big">${formatPercent(result.probability)}</span> ${renderVerdict(result.verdict)}
    <span class="muted small">threshold ${formatPercent(result.threshold)} · model ${result.model.name} ${result.model.version}</span>
    <ul class="what-if__contributions">
      ${[...result.contributions]
        .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution))
        .map((c) => html`<li>${c.feature}: ${c.contribution >= 0 ? '+' : '−'}${Math.abs(c.contribution).toFixed(2)}</li>`)}
    </ul>
  </div>`;
}
