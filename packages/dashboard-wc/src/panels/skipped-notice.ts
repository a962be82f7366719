/**
 * The Deployments that opted in to autoheal (by annotation) but are not evaluated, because an
 * annotation is wrong: each with what is wrong and how to fix it. Without this, a team that
 * annotated its workload would see it simply missing from the list and believe it protected.
 */
import { html, nothing, type TemplateResult } from 'lit';
import type { SkippedWorkload } from '../types.js';

/** The notice, or nothing when every opted-in Deployment is evaluated. */
export function renderSkippedNotice(skipped: readonly SkippedWorkload[]): TemplateResult | typeof nothing {
  if (skipped.length === 0) return nothing;
  return html`<section part="skipped" class="panel skipped" aria-labelledby="skipped-heading">
    <h3 id="skipped-heading" class="section-title">Not evaluated (${skipped.length})</h3>
    <p class="muted small">These Deployments opted in, but autoheal does not judge or heal them until their annotations are fixed.</p>
    <ul class="skipped__list">
      ${skipped.map((entry) => html`<li part="skipped-item" data-key=${entry.key}><strong>${entry.key}</strong>: ${entry.message}</li>`)}
    </ul>
  </section>`;
}
