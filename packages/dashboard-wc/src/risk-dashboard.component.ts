/**
 * The `<risk-dashboard>` class (not registered: `risk-dashboard.ts` registers the tag). It shows
 * every watched target's risk, the signals and ladder state behind it, a decision log, an
 * on-demand check and a what-if form, and keeps itself current over the server's event stream.
 */
import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { createAutohealClient, AutohealApiError, type AutohealClient } from './api-client.js';
import {
  DECISION_LABELS,
  SUPPRESSED_LABELS,
  VERDICT_TEXT,
  decisionLabel,
  formatDateTime,
  formatFeatureValue,
  formatPercent,
  formatRelative,
  formatTime,
  keyOf,
  namePieces,
  stepLabel,
} from './format.js';
import { renderGauge } from './gauge.js';
import { renderRiskChart } from './risk-chart.js';
import { riskDashboardStyles } from './risk-dashboard.styles.js';
import type {
  DecisionRecord,
  PredictResult,
  RiskConnectionChangeDetail,
  RiskEvaluateDetail,
  RiskTargetSelectDetail,
  ServerInfo,
  TargetSummary,
  Verdict,
} from './types.js';

/** The state of the live event stream. */
export type ConnectionState = 'connecting' | 'live' | 'retrying';

/** How many records per target the chart keeps (the server sends up to 500). */
const HISTORY_LIMIT = 500;
/** How many records the log keeps in memory. */
const LOG_LIMIT = 1000;
/** How many log rows are rendered before "Show more". */
const LOG_PAGE = 50;
/** Time limit of one full load (info, targets and their histories). */
const LOAD_TIMEOUT_MS = 20_000;
/** How many contributions count as "top" drivers. */
const TOP_CONTRIBUTIONS = 3;

/** The seven default features, used only when the server's `/api/info` is not available yet. */
const FALLBACK_FEATURES = [
  'restart_count_last_5m',
  'cpu_usage_pct',
  'memory_usage_bytes',
  'ready_replica_ratio',
  'unavailable_replicas',
  'network_receive_bytes_per_s',
  'http_5xx_error_rate',
];

interface WhatIfState {
  values: Record<string, string>;
  busy: boolean;
  result: PredictResult | null;
  fieldErrors: Record<string, string>;
  error: string | null;
}

interface CheckState {
  busy: boolean;
  error: string | null;
  message: string | null;
}

/**
 * A live risk dashboard for an autoheal server.
 *
 * @summary Shows each watched Deployment's failure risk, why, and what the healing ladder did about it.
 *
 * @fires {CustomEvent<RiskTargetSelectDetail>} risk-target-select - The user selected a target (`{ key, target }`).
 * @fires {CustomEvent<RiskEvaluateDetail>} risk-evaluate - "Check now" returned a decision record (`{ record }`).
 * @fires {CustomEvent<RiskConnectionChangeDetail>} risk-connection-change - The live event stream opened or dropped (`{ connected }`).
 *
 * @csspart header - The top bar with the title, connection state and badges.
 * @csspart status - The connection state ("Live", "Disconnected — retrying").
 * @csspart error - The banner shown when the server cannot be reached.
 * @csspart target-list - The list of watched targets.
 * @csspart target-card - One target in the list.
 * @csspart gauge - A risk gauge (an SVG).
 * @csspart verdict - A verdict badge (icon + text).
 * @csspart detail - The panel of the selected target.
 * @csspart signals - The table of the seven signals of the selected target.
 * @csspart ladder - The healing-ladder state of the selected target.
 * @csspart chart - The risk-over-time chart (an SVG).
 * @csspart check-now - The "Check now" button.
 * @csspart what-if - The what-if form.
 * @csspart log - The decision log.
 * @csspart log-row - One row of the decision log.
 *
 * @cssprop [--risk-dashboard-font-family=system-ui, sans-serif] - Font of the whole dashboard.
 * @cssprop [--risk-dashboard-background] - Background behind the panels (light `#f3f5f8`, dark `#0f1319`).
 * @cssprop [--risk-dashboard-surface] - Card and panel background (light `#ffffff`, dark `#181d26`).
 * @cssprop [--risk-dashboard-text] - Main text colour (light `#1a1f2b`, dark `#e7eaf0`).
 * @cssprop [--risk-dashboard-muted] - Secondary text colour (keep 4.5:1 contrast with the surface).
 * @cssprop [--risk-dashboard-border] - Borders and grid lines.
 * @cssprop [--risk-dashboard-accent] - Focus rings, selection and links.
 * @cssprop [--risk-dashboard-healthy] - Colour of the healthy verdict.
 * @cssprop [--risk-dashboard-at-risk] - Colour of the at-risk verdict.
 * @cssprop [--risk-dashboard-unknown] - Colour of the unknown verdict.
 * @cssprop [--risk-dashboard-radius=8px] - Corner radius of cards and panels.
 * @cssprop [--risk-dashboard-gap=16px] - Space between panels.
 */
export class RiskDashboard extends LitElement {
  static override styles = riskDashboardStyles;

  static override properties = {
    apiBase: { type: String, attribute: 'api-base' },
    token: { type: String },
    targets: { type: String },
    refresh: { type: Number },
    readOnly: { type: Boolean, attribute: 'read-only', reflect: true },
    theme: { type: String, reflect: true },
    _info: { state: true, attribute: false },
    _targets: { state: true, attribute: false },
    _selectedKey: { state: true, attribute: false },
    _connection: { state: true, attribute: false },
    _retryInMs: { state: true, attribute: false },
    _loadError: { state: true, attribute: false },
    _loading: { state: true, attribute: false },
    _log: { state: true, attribute: false },
    _logShown: { state: true, attribute: false },
    _expanded: { state: true, attribute: false },
    _check: { state: true, attribute: false },
    _whatIf: { state: true, attribute: false },
    _announcement: { state: true, attribute: false },
  };

  /**
   * Origin (and optional path prefix) of the autoheal server, e.g. `https://autoheal.example`.
   * Empty means the page's own origin. The server must allow this page's origin (CORS).
   * @attr api-base
   */
  apiBase = '';

  /**
   * Bearer token for "Check now". Without one the button is hidden. Read routes and the event
   * stream need no token. The attribute is visible in the DOM: prefer setting the property.
   * @attr token
   */
  token = '';

  /**
   * Comma-separated `namespace/name` keys to show; empty shows every watched target.
   * @attr targets
   */
  targets = '';

  /**
   * Polling interval in seconds used while the live stream is down (0 disables polling).
   * @attr refresh
   */
  refresh = 30;

  /**
   * Hides every write control ("Check now"), whatever the token. The server's own read-only mode
   * hides them too.
   * @attr read-only
   */
  readOnly = false;

  /**
   * Colour scheme: `light`, `dark`, or `auto` (follows the operating system).
   * @attr theme
   */
  theme: 'light' | 'dark' | 'auto' = 'auto';

  private _info: ServerInfo | null = null;
  private _targets: TargetSummary[] = [];
  private _history = new Map<string, DecisionRecord[]>();
  private _selectedKey: string | null = null;
  private _connection: ConnectionState = 'connecting';
  private _retryInMs = 0;
  private _loadError: string | null = null;
  private _loading = false;
  private _log: DecisionRecord[] = [];
  private _logIds = new Set<string>();
  private _logShown = LOG_PAGE;
  private _expanded = new Set<string>();
  private _check: CheckState = { busy: false, error: null, message: null };
  private _whatIf: WhatIfState = { values: {}, busy: false, result: null, fieldErrors: {}, error: null };
  private _announcement = '';
  private _lastLoadedAt: number | null = null;

  private _client: AutohealClient | null = null;
  /** The api-base and token the current client was made with. */
  private _clientBase = '';
  private _clientToken = '';
  private _unsubscribe: (() => void) | null = null;
  private _pollTimer: ReturnType<typeof setInterval> | undefined;
  private _clockTimer: ReturnType<typeof setInterval> | undefined;
  private _loadGeneration = 0;
  private _everConnected = false;

  /** The key (`namespace/name`) of the selected target, or `null`. */
  get selectedKey(): string | null {
    return this._selectedKey;
  }

  /** The state of the live event stream: `connecting`, `live` or `retrying`. */
  get connectionState(): ConnectionState {
    return this._connection;
  }

  /** Reloads server info, targets and histories now. */
  async reload(): Promise<void> {
    await this._load();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // On first connection the first update starts everything, once the attributes and properties
    // set right after creation (e.g. by a framework) are in; a re-attached element restarts here.
    if (this.hasUpdated) this._start();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this._stop();
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (!this.isConnected) return;
    if (!this._client) {
      this._start();
      return;
    }
    if (this.apiBase !== this._clientBase) {
      this._stop();
      // Another server: nothing of the old one's data may be merged into the new one's.
      this._targets = [];
      this._history = new Map();
      this._log = [];
      this._logIds = new Set();
      this._selectedKey = null;
      this._info = null;
      this._lastLoadedAt = null;
      this._start();
      return;
    }
    if (this.token !== this._clientToken) this._client = this._createClient();
    if (changed.has('targets')) void this._load();
    if (changed.has('refresh')) this._startPolling();
  }

  private _createClient(): AutohealClient {
    this._clientBase = this.apiBase;
    this._clientToken = this.token;
    return createAutohealClient({ baseUrl: this.apiBase, token: this.token || undefined });
  }

  private _start(): void {
    this._client = this._createClient();
    this._everConnected = false;
    this._setConnection('connecting');
    void this._load();
    this._unsubscribe = this._client.subscribe({
      onRecord: (record) => this._applyRecord(record),
      onConnectionChange: (connected, retryInMs) => {
        this._retryInMs = retryInMs ?? 0;
        this._setConnection(connected ? 'live' : 'retrying');
        // Records sent while we were away are only in the server's history: catch up. The first
        // open needs no catch-up (the initial load runs alongside) unless that load failed.
        if (connected && (this._everConnected || this._loadError !== null)) void this._load();
        if (connected) this._everConnected = true;
      },
    });
    this._startPolling();
    // Re-render now and then so "in 4 min" (cooldown, re-check) stays true between records.
    this._clockTimer = setInterval(() => this.requestUpdate(), 15_000);
  }

  private _stop(): void {
    this._client = null;
    clearInterval(this._clockTimer);
    this._clockTimer = undefined;
    this._unsubscribe?.();
    this._unsubscribe = null;
    clearInterval(this._pollTimer);
    this._pollTimer = undefined;
  }

  private _startPolling(): void {
    clearInterval(this._pollTimer);
    this._pollTimer = undefined;
    const seconds = Number(this.refresh);
    if (!Number.isFinite(seconds) || seconds <= 0) return;
    this._pollTimer = setInterval(() => {
      if (this._connection !== 'live' && !this._loading) void this._load();
    }, seconds * 1000);
  }

  private _setConnection(state: ConnectionState): void {
    const wasConnected = this._connection === 'live';
    this._connection = state;
    const connected = state === 'live';
    if (connected !== wasConnected) {
      this.dispatchEvent(
        new CustomEvent<RiskConnectionChangeDetail>('risk-connection-change', { detail: { connected }, bubbles: true, composed: true }),
      );
    }
  }

  private _filterKeys(): Set<string> | null {
    const keys = this.targets
      .split(',')
      .map((key) => key.trim())
      .filter((key) => key.length > 0);
    return keys.length > 0 ? new Set(keys) : null;
  }

  private async _load(): Promise<void> {
    const client = this._client;
    if (!client) return;
    const generation = ++this._loadGeneration;
    this._loading = true;
    try {
      // A server that accepts the connection but never answers must not block polling for ever.
      const signal = AbortSignal.timeout(LOAD_TIMEOUT_MS);
      const [info, summaries] = await Promise.all([client.info(signal), client.targets(signal)]);
      const filter = this._filterKeys();
      const shown = filter ? summaries.filter((summary) => filter.has(summary.key)) : summaries;
      const details = await Promise.all(shown.map((summary) => client.target(summary.target.namespace, summary.target.name, signal)));
      // A newer load (or a restart with another api-base) started meanwhile: its answer wins.
      if (generation !== this._loadGeneration) return;
      this._info = info;
      // Merge rather than replace: a live record that arrived while these requests were in flight
      // may be newer than the server's snapshot, and must not disappear.
      const histories = new Map<string, DecisionRecord[]>();
      for (const detail of details) {
        const byId = new Map<string, DecisionRecord>();
        for (const record of [...detail.history, ...(this._history.get(detail.key) ?? [])]) byId.set(record.id, record);
        histories.set(detail.key, [...byId.values()].sort((a, b) => Date.parse(a.time) - Date.parse(b.time)).slice(-HISTORY_LIMIT));
      }
      this._targets = details.map(({ history: _history, ...summary }) => {
        const newest = histories.get(summary.key)?.at(-1) ?? null;
        const latest = !summary.latest || (newest && Date.parse(newest.time) > Date.parse(summary.latest.time)) ? newest : summary.latest;
        return { ...summary, latest };
      });
      this._history = histories;
      const all = [...histories.values()].flat();
      all.sort((a, b) => Date.parse(b.time) - Date.parse(a.time) || (a.id < b.id ? 1 : -1));
      this._log = all.slice(0, LOG_LIMIT);
      this._logIds = new Set(this._log.map((record) => record.id));
      this._loadError = null;
      this._lastLoadedAt = Date.now();
      const previous = this._selectedKey;
      if (!previous || !this._targets.some((t) => t.key === previous)) {
        this._selectedKey = this._targets[0]?.key ?? null;
      }
      if (this._selectedKey !== previous || Object.keys(this._whatIf.values).length === 0) this._prefillWhatIf();
    } catch (error) {
      if (generation !== this._loadGeneration) return;
      this._loadError = error instanceof Error ? error.message : String(error);
    } finally {
      if (generation === this._loadGeneration) this._loading = false;
    }
  }

  private _applyRecord(record: DecisionRecord): void {
    const key = keyOf(record.target);
    const filter = this._filterKeys();
    if (filter && !filter.has(key)) return;
    const index = this._targets.findIndex((t) => t.key === key);
    const previous = index >= 0 ? this._targets[index]!.latest : null;
    const isNewer = !previous || Date.parse(record.time) >= Date.parse(previous.time);
    if (index < 0) {
      this._targets = [...this._targets, { key, target: record.target, threshold: record.assessment.threshold, latest: record }];
      if (!this._selectedKey) this._selectedKey = key;
    } else if (isNewer) {
      const next = [...this._targets];
      next[index] = { ...next[index]!, latest: record, threshold: record.assessment.threshold };
      this._targets = next;
    }
    const history = this._history.get(key) ?? [];
    if (!history.some((r) => r.id === record.id)) {
      const updated = [...history, record].sort((a, b) => Date.parse(a.time) - Date.parse(b.time)).slice(-HISTORY_LIMIT);
      this._history = new Map(this._history).set(key, updated);
    }
    if (!this._logIds.has(record.id)) {
      this._logIds.add(record.id);
      this._log = [record, ...this._log].slice(0, LOG_LIMIT);
    }
    // Announce only the transition into at-risk, so a screen reader is not flooded every minute.
    if (isNewer && record.assessment.verdict === 'at-risk' && previous?.assessment.verdict !== 'at-risk') {
      this._announcement = `${key} is at risk: ${formatPercent(record.assessment.probability)} against a threshold of ${formatPercent(record.assessment.threshold)}. ${decisionLabel(record)}.`;
    }
  }

  private _selected(): TargetSummary | null {
    return this._targets.find((t) => t.key === this._selectedKey) ?? null;
  }

  private _featureNames(): string[] {
    if (this._info?.featureNames?.length) return this._info.featureNames;
    const features = this._selected()?.latest?.features;
    return features ? Object.keys(features) : FALLBACK_FEATURES;
  }

  private _prefillWhatIf(): void {
    const latest = this._selected()?.latest;
    const values: Record<string, string> = {};
    for (const name of this._featureNames()) {
      const value = latest?.features[name];
      values[name] = value === null || value === undefined ? '' : String(value);
    }
    this._whatIf = { values, busy: false, result: null, fieldErrors: {}, error: null };
  }

  private _select(key: string): void {
    const summary = this._targets.find((t) => t.key === key);
    if (!summary) return;
    const changed = key !== this._selectedKey;
    this._selectedKey = key;
    if (changed) {
      this._prefillWhatIf();
      this._check = { busy: false, error: null, message: null };
    }
    this.dispatchEvent(
      new CustomEvent<RiskTargetSelectDetail>('risk-target-select', {
        detail: { key, target: summary.target },
        bubbles: true,
        composed: true,
      }),
    );
  }

  private _onTargetKeydown(event: KeyboardEvent, key: string): void {
    const options = [...(this.renderRoot.querySelectorAll<HTMLElement>('[role="option"]') ?? [])];
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
        this._select(key);
        return;
      default:
        return;
    }
    event.preventDefault();
    // Roving tabindex: only the focused option is in the tab order.
    options.forEach((option, index) => option.setAttribute('tabindex', index === next ? '0' : '-1'));
    options[next]?.focus();
  }

  private _onLogKeydown(event: KeyboardEvent): void {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    const buttons = [...this.renderRoot.querySelectorAll<HTMLButtonElement>('.log__toggle')];
    const current = buttons.indexOf(event.target as HTMLButtonElement);
    if (current < 0) return;
    event.preventDefault();
    buttons[event.key === 'ArrowDown' ? Math.min(buttons.length - 1, current + 1) : Math.max(0, current - 1)]?.focus();
  }

  private _toggleLogRow(id: string): void {
    const expanded = new Set(this._expanded);
    if (expanded.has(id)) expanded.delete(id);
    else expanded.add(id);
    this._expanded = expanded;
  }

  private async _checkNow(): Promise<void> {
    const summary = this._selected();
    if (!summary || !this._client) return;
    this._check = { busy: true, error: null, message: null };
    try {
      const record = await this._client.evaluate(summary.target.namespace, summary.target.name);
      this._applyRecord(record);
      this._check = { busy: false, error: null, message: `Checked at ${formatTime(record.time)}: ${record.summary}` };
      this.dispatchEvent(new CustomEvent<RiskEvaluateDetail>('risk-evaluate', { detail: { record }, bubbles: true, composed: true }));
    } catch (error) {
      this._check = { busy: false, error: this._describeWriteError(error), message: null };
    }
  }

  private _describeWriteError(error: unknown): string {
    if (AutohealApiError.isInstance(error)) {
      if (error.status === 401) return `Not authorised (401): the server rejected the token. ${error.message}`;
      if (error.status === 403) return `Refused (403): the server is read-only. ${error.message}`;
      return error.status === 0 ? error.message : `Failed (${error.status}): ${error.message}`;
    }
    return error instanceof Error ? error.message : String(error);
  }

  private async _submitWhatIf(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    if (!this._client) return;
    const body: Record<string, number | null> = {};
    for (const name of this._featureNames()) {
      const text = (this._whatIf.values[name] ?? '').trim();
      // An empty field is sent as null so that the server, not the form, says what is wrong.
      body[name] = text === '' ? null : Number(text);
    }
    this._whatIf = { ...this._whatIf, busy: true, error: null, fieldErrors: {} };
    try {
      const result = await this._client.predict(body);
      this._whatIf = { ...this._whatIf, busy: false, result };
    } catch (error) {
      const fieldErrors: Record<string, string> = {};
      if (AutohealApiError.isInstance(error)) {
        for (const field of error.fields) fieldErrors[field.path] = field.message;
      }
      const message = AutohealApiError.isInstance(error) && error.status === 400 ? `Invalid input: ${error.message}` : this._describeWriteError(error);
      this._whatIf = { ...this._whatIf, busy: false, result: null, fieldErrors, error: message };
    }
  }

  private _onWhatIfInput(name: string, value: string): void {
    this._whatIf = { ...this._whatIf, values: { ...this._whatIf.values, [name]: value } };
  }

  private get _effectiveReadOnly(): boolean {
    return this.readOnly || this._info?.readOnly === true;
  }

  // ---------------------------------------------------------------- rendering

  private _breakable(name: string): TemplateResult {
    return html`${namePieces(name).map((piece, index) => (index === 0 ? piece : html`<wbr />${piece}`))}`;
  }

  override render(): TemplateResult {
    const selected = this._selected();
    return html`
      <div class="root">
        ${this._renderHeader()}
        <div class="sr-only" aria-live="assertive" aria-atomic="true">${this._announcement}</div>
        ${this._loadError
          ? html`<div part="error" class="error" role="alert">
              <strong>Cannot load data.</strong> ${this._loadError}
              ${this._connection !== 'live' ? html`<span> Retrying automatically.</span>` : nothing}
              ${this._lastLoadedAt !== null && this._targets.length > 0
                ? html`<span>What is shown below is from ${formatTime(this._lastLoadedAt)} and may be out of date.</span>`
                : nothing}
              <button type="button" class="button" @click=${() => this._load()}>Retry now</button>
            </div>`
          : nothing}
        <div class="layout">
          ${this._renderTargetList()}
          ${selected ? this._renderDetail(selected) : this._renderEmptyDetail()}
        </div>
        ${this._renderLog()}
      </div>
    `;
  }

  private _renderHeader(): TemplateResult {
    const info = this._info;
    const atRisk = this._targets.filter((t) => t.latest?.assessment.verdict === 'at-risk').length;
    const unknown = this._targets.filter((t) => !t.latest || t.latest.assessment.verdict === 'unknown').length;
    const statusText =
      this._connection === 'live'
        ? 'Live'
        : this._connection === 'connecting'
          ? 'Connecting…'
          : `Disconnected — retrying${this._retryInMs ? ` in ${Math.max(1, Math.round(this._retryInMs / 1000))} s` : ''}`;
    return html`<header part="header" class="header">
      <div class="header__title">
        <h2>autoheal risk</h2>
        <span class="muted">
          ${this._targets.length} target${this._targets.length === 1 ? '' : 's'} · ${atRisk} at risk · ${unknown} unknown
          ${info ? html` · model ${info.model.name} ${info.model.version}` : nothing}
        </span>
      </div>
      <div class="header__badges">
        ${info?.dryRun ? html`<span class="badge badge--dry-run" title="Heal steps are planned and recorded, nothing is changed">Dry run</span>` : nothing}
        ${this._effectiveReadOnly ? html`<span class="badge">Read-only</span>` : nothing}
        <span part="status" class="status status--${this._connection}" role="status">
          <span class="status__dot" aria-hidden="true">${this._connection === 'live' ? '●' : this._connection === 'retrying' ? '✕' : '…'}</span>
          ${statusText}
        </span>
      </div>
    </header>`;
  }

  private _renderVerdict(verdict: Verdict | null): TemplateResult {
    const v = verdict ?? 'unknown';
    const text = VERDICT_TEXT[v];
    return html`<span part="verdict" class="verdict verdict--${v}"
      ><span class="verdict__icon" aria-hidden="true">${text.icon}</span>${verdict ? text.label : 'No data yet'}</span
    >`;
  }

  private _renderTargetList(): TemplateResult {
    if (this._targets.length === 0) {
      return html`<section class="targets panel" aria-label="Watched targets">
        <p class="muted">${this._loading ? 'Loading targets…' : this._loadError ? 'No data: the server could not be reached.' : 'No watched targets.'}</p>
      </section>`;
    }
    const focusKey = this._selectedKey ?? this._targets[0]?.key;
    return html`<section class="targets">
      <h3 id="targets-heading" class="section-title">Targets</h3>
      <ul part="target-list" class="target-list" role="listbox" aria-labelledby="targets-heading">
        ${this._targets.map((summary) => {
          const latest = summary.latest;
          const verdict = latest?.assessment.verdict ?? null;
          const probability = latest?.assessment.probability ?? null;
          const selected = summary.key === this._selectedKey;
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
            aria-label=${`${summary.key}: ${verdict ? VERDICT_TEXT[verdict].label : 'no data yet'}${verdict && verdict !== 'unknown' ? `, risk ${formatPercent(probability)}` : ''}`}
            tabindex=${summary.key === focusKey ? '0' : '-1'}
            @click=${() => this._select(summary.key)}
            @keydown=${(event: KeyboardEvent) => this._onTargetKeydown(event, summary.key)}
          >
            <div class="card__gauge">${renderGauge(probability, summary.threshold, verdict ?? 'unknown', gaugeLabel)}</div>
            <div class="card__body">
              <div class="card__name">${summary.target.name}</div>
              <div class="muted small">${summary.target.cluster ? `${summary.target.cluster} · ` : ''}${summary.target.namespace}</div>
              ${this._renderVerdict(verdict)}
              ${latest
                ? html`<div class="small">
                    ${DECISION_LABELS[latest.decision]}${latest.ladder.attempt > 0 ? html` · attempt ${latest.ladder.attempt}/${latest.ladder.maxAttempts}` : nothing}
                    ${latest.dryRun ? html` · <span class="badge badge--dry-run badge--small">dry run</span>` : nothing}
                  </div>
                  <div class="muted small">updated ${formatTime(latest.time)}</div>`
                : nothing}
            </div>
          </li>`;
        })}
      </ul>
    </section>`;
  }

  private _renderEmptyDetail(): TemplateResult {
    return html`<section part="detail" class="detail panel"><p class="muted">Select a target to see its signals, ladder and history.</p></section>`;
  }

  private _renderDetail(summary: TargetSummary): TemplateResult {
    const latest = summary.latest;
    const history = this._history.get(summary.key) ?? [];
    return html`<section part="detail" class="detail" aria-labelledby="detail-heading">
      <div class="detail__head panel">
        <div>
          <h3 id="detail-heading" class="detail__title">${summary.key}</h3>
          <div class="detail__verdict">
            ${this._renderVerdict(latest?.assessment.verdict ?? null)}
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
        ${this._renderCheckNow()}
      </div>
      <div class="detail__grid">
        ${this._renderSignals(latest)} ${this._renderLadder(latest)}
      </div>
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
      ${this._renderWhatIf()}
    </section>`;
  }

  private _renderCheckNow(): TemplateResult | typeof nothing {
    if (this._effectiveReadOnly) return nothing;
    if (!this.token) {
      return html`<p class="muted small check-hint">Set a <code>token</code> to enable “Check now”.</p>`;
    }
    return html`<div class="check">
      <button part="check-now" type="button" class="button button--primary" ?disabled=${this._check.busy} @click=${() => this._checkNow()}>
        ${this._check.busy ? 'Checking…' : 'Check now'}
      </button>
      ${this._check.error ? html`<p class="check__error" role="alert">${this._check.error}</p>` : nothing}
      ${this._check.message ? html`<p class="small" role="status">${this._check.message}</p>` : nothing}
    </div>`;
  }

  private _renderSignals(latest: DecisionRecord | null): TemplateResult {
    const names = this._featureNames();
    const contributions = latest?.assessment.contributions ?? [];
    const byFeature = new Map(contributions.map((c) => [c.feature, c.contribution]));
    const top = new Set(
      [...contributions]
        .filter((c) => c.contribution > 0)
        .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution))
        .slice(0, TOP_CONTRIBUTIONS)
        .map((c) => c.feature),
    );
    const maxMagnitude = Math.max(1e-9, ...contributions.map((c) => Math.abs(c.contribution)));
    const missing = new Map((latest?.missing ?? []).map((m) => [m.feature, m.reason]));
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
              ${names.map((name) => {
                const unit = this._info?.features[name]?.unit;
                const description = this._info?.features[name]?.description ?? '';
                const value = latest.features[name];
                const isMissing = missing.has(name) || value === null || value === undefined;
                const contribution = byFeature.get(name);
                return html`<tr class="signal ${isMissing ? 'signal--missing' : ''} ${top.has(name) ? 'signal--top' : ''}" data-feature=${name}>
                  <th scope="row" title=${description}>
                    <span class="signal__name">${this._breakable(name)}</span>
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
                          <span class="contribution__bar ${contribution >= 0 ? 'contribution__bar--up' : 'contribution__bar--down'}"
                            style="width:${Math.round((Math.abs(contribution) / maxMagnitude) * 100)}%" aria-hidden="true"></span>
                          <span class="contribution__text">${contribution >= 0 ? '+' : '−'}${Math.abs(contribution).toFixed(2)}</span>
                        </span>`}
                  </td>
                </tr>`;
              })}
            </tbody>
          </table>`
        : html`<p class="muted">No evaluation yet.</p>`}
    </div>`;
  }

  private _renderLadder(latest: DecisionRecord | null): TemplateResult {
    // A predict-only server has no ladder policy: fall back to the default ladder rather than fail.
    const policyLadder = this._info?.policy?.ladder?.map((step) => step.kind) ?? ['restart', 'cache', 'rollback'];
    if (!latest) {
      return html`<div part="ladder" class="panel ladder"><h4 class="section-title">Healing ladder</h4><p class="muted">No evaluation yet.</p></div>`;
    }
    const { ladder, circuit } = latest;
    const now = Date.now();
    const cooldownActive = ladder.cooldownUntil !== undefined && ladder.cooldownUntil > now;
    return html`<div part="ladder" class="panel ladder">
      <h4 class="section-title">Healing ladder</h4>
      ${latest.dryRun ? html`<p><span class="badge badge--dry-run">Dry run</span> <span class="small">steps are planned and recorded, nothing is changed</span></p>` : nothing}
      <p class="ladder__attempt"><strong>Attempt ${ladder.attempt} of ${ladder.maxAttempts}</strong></p>
      <ol class="ladder__steps">
        ${policyLadder.map((kind, index) => {
          const state = index < ladder.attempt ? 'done' : kind === ladder.nextStep && index === ladder.attempt ? 'next' : 'pending';
          return html`<li class="ladder__step ladder__step--${state}">
            <span aria-hidden="true">${state === 'done' ? '✓' : state === 'next' ? '→' : '·'}</span>
            ${index + 1}. ${stepLabel(kind)} <span class="muted small">(${state})</span>
          </li>`;
        })}
      </ol>
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
      ${latest.action
        ? html`<div class="small">
            <strong>${latest.action.plan.refusal ? 'Refused' : latest.action.outcome ? 'Ran' : 'Planned'}:</strong> ${stepLabel(latest.action.step)}
            ${latest.action.plan.refusal ? html`<p>${latest.action.plan.refusal}</p>` : nothing}
            <ul class="ops">
              ${latest.action.plan.operations.map((op) => html`<li>${op.description}</li>`)}
            </ul>
            ${latest.action.outcome ? html`<p>${latest.action.outcome.ok ? '✓' : '✕'} ${latest.action.outcome.message}</p>` : nothing}
          </div>`
        : nothing}
    </div>`;
  }

  private _renderWhatIf(): TemplateResult {
    const state = this._whatIf;
    const result = state.result;
    return html`<form part="what-if" class="panel what-if" novalidate aria-labelledby="what-if-heading" @submit=${(e: SubmitEvent) => this._submitWhatIf(e)}>
      <h4 class="section-title" id="what-if-heading">What if?</h4>
      <p class="muted small">Edit the signals (pre-filled from the latest evaluation) and score them with the same model. Nothing is changed.</p>
      <div class="what-if__fields">
        ${this._featureNames().map((name) => {
          const unit = this._info?.features[name]?.unit;
          const error = state.fieldErrors[name];
          const id = `what-if-${name}`;
          return html`<div class="field ${error ? 'field--error' : ''}">
            <label for=${id}>${this._breakable(name)}${unit ? html` <span class="muted small">(${unit})</span>` : nothing}</label>
            <input
              id=${id}
              name=${name}
              type="number"
              step="any"
              inputmode="decimal"
              placeholder="missing"
              .value=${state.values[name] ?? ''}
              aria-invalid=${error ? 'true' : 'false'}
              aria-describedby=${error ? `${id}-error` : nothing}
              @input=${(e: Event) => this._onWhatIfInput(name, (e.target as HTMLInputElement).value)}
            />
            ${error ? html`<span class="field__error" id=${`${id}-error`}><span aria-hidden="true">✕ </span>${error}</span>` : nothing}
          </div>`;
        })}
      </div>
      <div class="what-if__actions">
        <button type="submit" class="button button--primary" ?disabled=${state.busy}>${state.busy ? 'Scoring…' : 'Predict'}</button>
        <button type="button" class="button" @click=${() => this._prefillWhatIf()}>Reset to latest values</button>
      </div>
      ${state.error ? html`<p class="check__error" role="alert">${state.error}</p>` : nothing}
      ${result
        ? html`<div class="what-if__result" role="status">
            <span class="big">${formatPercent(result.probability)}</span> ${this._renderVerdict(result.verdict)}
            <span class="muted small">threshold ${formatPercent(result.threshold)} · model ${result.model.name} ${result.model.version}</span>
            <ul class="what-if__contributions">
              ${[...result.contributions]
                .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution))
                .map((c) => html`<li>${c.feature}: ${c.contribution >= 0 ? '+' : '−'}${Math.abs(c.contribution).toFixed(2)}</li>`)}
            </ul>
          </div>`
        : nothing}
    </form>`;
  }

  private _renderLog(): TemplateResult {
    const rows = this._log.slice(0, this._logShown);
    return html`<section part="log" class="panel log" aria-labelledby="log-heading">
      <h3 class="section-title" id="log-heading">Decision log <span class="muted small">(${this._log.length}, newest first)</span></h3>
      ${rows.length === 0 ? html`<p class="muted">No decisions yet.</p>` : nothing}
      <ul class="log__list" @keydown=${(e: KeyboardEvent) => this._onLogKeydown(e)}>
        ${rows.map((record) => {
          const expanded = this._expanded.has(record.id);
          const verdict = record.assessment.verdict;
          return html`<li part="log-row" class="log__row log__row--${verdict}" data-id=${record.id}>
            <button
              type="button"
              class="log__toggle"
              @click=${() => this._toggleLogRow(record.id)}
              aria-expanded=${expanded ? 'true' : 'false'} aria-controls=${`log-${record.id}`}>
              <span class="log__chevron" aria-hidden="true">${expanded ? '▾' : '▸'}</span>
              <span class="log__time">${formatTime(record.time)}</span>
              <span class="log__key">${keyOf(record.target)}</span>
              ${this._renderVerdict(verdict)}
              <span class="log__prob">${formatPercent(record.assessment.probability)}</span>
              <span class="log__decision">${decisionLabel(record)}</span>
            </button>
            ${expanded ? this._renderRecord(record) : nothing}
          </li>`;
        })}
      </ul>
      ${this._log.length > rows.length
        ? html`<button type="button" class="button" @click=${() => (this._logShown += LOG_PAGE)}>Show ${Math.min(LOG_PAGE, this._log.length - rows.length)} more</button>`
        : nothing}
    </section>`;
  }

  private _renderRecord(record: DecisionRecord): TemplateResult {
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
}

declare global {
  interface HTMLElementEventMap {
    'risk-target-select': CustomEvent<RiskTargetSelectDetail>;
    'risk-evaluate': CustomEvent<RiskEvaluateDetail>;
    'risk-connection-change': CustomEvent<RiskConnectionChangeDetail>;
  }
}
