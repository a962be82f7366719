/** The top bar (title, counts, model, dry-run and read-only badges, stream state) and the load-error banner. */
import { html, nothing, type TemplateResult } from 'lit';
import { formatTime } from '../format.js';
import type { ConnectionState } from '../live-connection.js';
import type { ServerInfo, TargetSummary } from '../types.js';

/** What the header shows. */
export interface HeaderView {
  info: ServerInfo | null;
  targets: readonly TargetSummary[];
  readOnly: boolean;
  connection: ConnectionState;
  /** The wait before the next reconnect attempt while `retrying`. */
  retryInMs: number;
}

/** The header. */
export function renderHeader(view: HeaderView): TemplateResult {
  const { info, targets, connection } = view;
  const atRisk = targets.filter((t) => t.latest?.assessment.verdict === 'at-risk').length;
  const unknown = targets.filter((t) => !t.latest || t.latest.assessment.verdict === 'unknown').length;
  const statusText =
    connection === 'live'
      ? 'Live'
      : connection === 'connecting'
        ? 'Connecting…'
        : `Disconnected — retrying${view.retryInMs ? ` in ${Math.max(1, Math.round(view.retryInMs / 1000))} s` : ''}`;
  return html`<header part="header" class="header">
    <div class="header__title">
      <h2>autoheal risk</h2>
      <span class="muted">
        ${targets.length} target${targets.length === 1 ? '' : 's'} · ${atRisk} at risk · ${unknown} unknown
        ${info ? html` · model ${info.model.name} ${info.model.version}` : nothing}
      </span>
    </div>
    <div class="header__badges">
      ${info?.dryRun ? html`<span class="badge badge--dry-run" title="Heal steps are planned and recorded, nothing is changed">Dry run</span>` : nothing}
      ${view.readOnly ? html`<span class="badge">Read-only</span>` : nothing}
      <span part="status" class="status status--${connection}" role="status">
        <span class="status__dot" aria-hidden="true">${connection === 'live' ? '●' : connection === 'retrying' ? '✕' : '…'}</span>
        ${statusText}
      </span>
    </div>
  </header>`;
}

/** What the load-error banner shows. */
export interface LoadErrorView {
  loadError: string | null;
  connection: ConnectionState;
  lastLoadedAt: number | null;
  /** Whether data from an earlier load is still shown. */
  hasData: boolean;
}

/** The banner shown while the server cannot be loaded from; never hides that shown data may be stale. */
export function renderLoadError(view: LoadErrorView, onRetry: () => void): TemplateResult | typeof nothing {
  if (!view.loadError) return nothing;
  return html`<div part="error" class="error" role="alert">
    <strong>Cannot load data.</strong> ${view.loadError}
    ${view.connection !== 'live' ? html`<span> Retrying automatically.</span>` : nothing}
    ${view.lastLoadedAt !== null && view.hasData ? html`<span>What is shown below is from ${formatTime(view.lastLoadedAt)} and may be out of date.</span>` : nothing}
    <button type="button" class="button" @click=${onRetry}>Retry now</button>
  </div>`;
}
