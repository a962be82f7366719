/** Small parts several panels share: the verdict badge and names that wrap at their underscores. */
import { html, type TemplateResult } from 'lit';
import { VERDICT_TEXT, namePieces } from '../format.js';
import type { Verdict } from '../types.js';

/** The verdict as icon and word (`null`: no evaluation yet), never colour alone. */
export function renderVerdict(verdict: Verdict | null): TemplateResult {
  const v = verdict ?? 'unknown';
  const text = VERDICT_TEXT[v];
  return html`<span part="verdict" class="verdict verdict--${v}"
    ><span class="verdict__icon" aria-hidden="true">${text.icon}</span>${verdict ? text.label : 'No data yet'}</span
  >`;
}

/** A snake_case name with `<wbr>` after each underscore, so a narrow screen can wrap it. */
export function renderBreakable(name: string): TemplateResult {
  return html`${namePieces(name).map((piece, index) => (index === 0 ? piece : html`<wbr />${piece}`))}`;
}
