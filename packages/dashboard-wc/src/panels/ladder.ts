/**
 * The healing ladder of the selected target: attempt n of max, each step done / next / pending, the
 * next action, cooldown, pending re-check, circuit breaker, dry-run, and the last step's operations.
 */
import { html, nothing, type TemplateResult } from 'lit';
import { decisionLabel, formatRelative, formatTime, stepLabel } from '../format.js';
import type { DecisionRecord } from '../types.js';

/** What the ladder panel shows. */
export interface LadderView {
  /** The newest record of the selected target; `null` before its first evaluation. */
  latest: DecisionRecord | null;
  /** The policy's step kinds in order, from the server; `null` when it does not describe them. */
  ladderKinds: readonly string[] | null;
  /** Now (epoch ms), for cooldown and re-check times. */
  now: number;
}

/** The ladder panel. */
export function renderLadder(view: LadderView): TemplateResult {
  const { latest, now } = view;
  if (!latest) {
    return html`<div part="ladder" class="panel ladder"><h4 class="section-title">Healing ladder</h4><p class="muted">No evaluation yet.</p></div>`;
  }
  const { ladder, circuit } = latest;
  const cooldownActive = ladder.cooldownUntil !== undefined && ladder.cooldownUntil > now;
  return html`<div part="ladder" class="panel ladder">
    <h4 class="section-title">Healing ladder</h4>
    ${latest.dryRun ? html`<p><span class="badge badge--dry-run">Dry run</span> <span class="small">steps are planned and recorded, nothing is changed</span></p>` : nothing}
    <p class="ladder__attempt"><strong>Attempt ${ladder.attempt} of ${ladder.maxAttempts}</strong></p>
    ${view.ladderKinds ? renderSteps(view.ladderKinds, latest) : nothing}
    <dl class="facts">
      <dt>Next action</dt>
      <dd>${ladder.nextStep ? stepLabel(ladder.nextStep) : ladder.attempt >= ladder.maxAttempts ? 'none — ladder exhausted, a human is needed' : 'none'}</dd>
      <dt>Cooldown</dt>
      <dd>${ladder.cooldownUntil !== undefined ? html`${cooldownActive ? 'until' : 'ended'} ${formatTime(ladder.cooldownUntil)} (${formatRelative(ladder.cooldownUntil, now)})` : 'none'}</dd>
      <dt>Re-check</dt>
      <dd>${ladder.recheckAt !== undefined ? html`pending at ${formatTime(ladder.recheckAt)} (${formatRelative(ladder.recheckAt, now)})` : 'none pending'}</dd>
      <dt>Circuit breaker</dt>
      <dd class=${circuit.open ? 'circuit--open' : ''}>
        ${circuit.open ? html`<strong>open</strong> — actions paused` : 'closed'} (${circuit.actionsInWindow} of ${circuit.maxActions} actions in the window)
      </dd>
      <dt>Last decision</dt>
      <dd>${decisionLabel(latest)}</dd>
    </dl>
    ${latest.action ? renderAction(latest.action) : nothing}
  </div>`;
}

function renderSteps(kinds: readonly string[], latest: DecisionRecord): TemplateResult {
  const { ladder } = latest;
  return html`<ol class="ladder__steps">
    ${kinds.map((kind, index) => {
      const state = index < ladder.attempt ? 'done' : kind === ladder.nextStep && index === ladder.attempt ? 'next' : 'pending';
      return html`<li class="ladder__step ladder__step--${state}">
        <span aria-hidden="true">${state === 'done' ? '✓' : state === 'next' ? '→' : '·'}</span>
        ${index + 1}. ${stepLabel(kind)} <span class="muted small">(${state})</span>
      </li>`;
    })}
  </ol>`;
}

function renderAction(action: NonNullable<DecisionRecord['action']>): TemplateResult {
  return html`<div class="small">
    <strong>${action.plan.refusal ? 'Refused' : action.outcome ? 'Ran' : 'Planned'}:</strong> ${stepLabel(action.step)}
    ${action.plan.refusal ? html`<p>${action.plan.refusal}</p>` : nothing}
    <ul class="ops">
      ${action.plan.operations.map((op) => html`<li>${op.description}</li>`)}
    </ul>
    ${action.outcome ? html`<p>${action.outcome.ok ? '✓' : '✕'} ${action.outcome.message}</p>` : nothing}
  </div>`;
}
