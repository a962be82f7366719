/**
 * The `<risk-dashboard>` class (not registered: `risk-dashboard.ts` registers the tag). It only
 * wires three parts together: the live connection (`live-connection.ts`, a reactive controller)
 * feeds the store (`dashboard-store.ts`, pure reducers), and the panels (`panels/`, pure render
 * functions) draw the store's state; user actions go back through the client and the reducers.
 */
import { LitElement, html, type TemplateResult } from 'lit';
import {
  checkFailed,
  checkStarted,
  checkSucceeded,
  featureNames,
  initialState,
  isReadOnly,
  ladderKinds,
  loadFailed,
  loadStarted,
  loadSucceeded,
  recordReceived,
  selectedTarget,
  targetSelected,
  whatIfChanged,
  withPrefilledWhatIf,
  type DashboardState,
} from './dashboard-store.js';
import { LiveConnectionController, type ConnectionState } from './live-connection.js';
import { renderDecisionLog, LOG_PAGE } from './panels/decision-log.js';
import { renderHeader, renderLoadError } from './panels/header.js';
import { renderLadder } from './panels/ladder.js';
import { renderSignals } from './panels/signals.js';
import { renderSkippedNotice } from './panels/skipped-notice.js';
import { renderTargetList } from './panels/target-list.js';
import { renderCheckNow, renderEmptyDetail, renderTargetDetail } from './panels/target-detail.js';
import { renderWhatIfForm } from './panels/what-if-form.js';
import { riskDashboardStyles } from './risk-dashboard.styles.js';
import type { RiskConnectionChangeDetail, RiskEvaluateDetail, RiskTargetSelectDetail } from './types.js';
import { whatIfEdited, whatIfFailed, whatIfRequest, whatIfScored, whatIfSubmitted } from './what-if-state.js';

export type { ConnectionState } from './live-connection.js';

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
 * @csspart hold - What holds a target (paused by whom and until when, maintenance, pause unknown, rolling out): autoheal looks but does not act.
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
    _state: { state: true, attribute: false },
    _logShown: { state: true, attribute: false },
    _expanded: { state: true, attribute: false },
  };

  /**
   * Origin (and optional path prefix) of the autoheal server, e.g. `https://autoheal.example`.
   * Empty means the page's own origin. The server must allow this page's origin (CORS).
   * @attr api-base
   */
  apiBase = '';

  /**
   * Bearer token, sent with every request: the API token enables "Check now" (without a token the
   * button is hidden); on a server with closed reads, the viewer token (with `read-only`, since it
   * cannot check) or the API token is what lets the dashboard read at all. The event stream is
   * opened with a one-time ticket, never with the token in its URL. The attribute is visible in the
   * DOM: prefer setting the property.
   * @attr token
   */
  token = '';

  /**
   * Comma-separated keys to show, as the server lists them (`namespace/name`, or
   * `cluster/namespace/name` for a target in a named cluster); empty shows every watched target.
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

  /** Everything shown; replaced by the store's reducers, never mutated. */
  private _state: DashboardState = initialState();
  /** How many log rows are rendered. */
  private _logShown = LOG_PAGE;
  /** Ids of the expanded log rows. */
  private _expanded: ReadonlySet<string> = new Set();

  private readonly _live = new LiveConnectionController(this, {
    settings: () => ({ apiBase: this.apiBase, token: this.token, refreshSeconds: Number(this.refresh), targets: this.targets }),
    loadStarted: () => (this._state = loadStarted(this._state)),
    loaded: (snapshot) => (this._state = loadSucceeded(this._state, snapshot, Date.now())),
    loadFailed: (message) => (this._state = loadFailed(this._state, message)),
    record: (record) => (this._state = recordReceived(this._state, record)),
    connectedChanged: (connected) => this._emit<RiskConnectionChangeDetail>('risk-connection-change', { connected }),
    serverChanged: () => {
      this._state = initialState();
      this._expanded = new Set();
    },
  });

  /** The key (`namespace/name`, or `cluster/namespace/name`) of the selected target, or `null`. */
  get selectedKey(): string | null {
    return this._state.selectedKey;
  }

  /** The state of the live event stream: `connecting`, `live` or `retrying`. */
  get connectionState(): ConnectionState {
    return this._live.state;
  }

  /** Reloads server info, targets and histories now. */
  async reload(): Promise<void> {
    await this._live.load();
  }

  private _emit<T>(type: string, detail: T): void {
    this.dispatchEvent(new CustomEvent<T>(type, { detail, bubbles: true, composed: true }));
  }

  private _select(key: string): void {
    const summary = this._state.targets.find((t) => t.key === key);
    if (!summary) return;
    this._state = targetSelected(this._state, key);
    this._emit<RiskTargetSelectDetail>('risk-target-select', { key, target: summary.target });
  }

  private async _checkNow(): Promise<void> {
    const summary = selectedTarget(this._state);
    const client = this._live.client;
    if (!summary || !client) return;
    this._state = checkStarted(this._state);
    try {
      const record = await client.evaluate(summary.target);
      this._state = checkSucceeded(this._state, record);
      this._emit<RiskEvaluateDetail>('risk-evaluate', { record });
    } catch (error) {
      this._state = checkFailed(this._state, error);
    }
  }

  private async _submitWhatIf(): Promise<void> {
    const client = this._live.client;
    if (!client) return;
    const body = whatIfRequest(this._state.whatIf, featureNames(this._state));
    this._state = whatIfChanged(this._state, whatIfSubmitted);
    try {
      const result = await client.predict(body);
      this._state = whatIfChanged(this._state, (whatIf) => whatIfScored(whatIf, result));
    } catch (error) {
      this._state = whatIfChanged(this._state, (whatIf) => whatIfFailed(whatIf, error));
    }
  }

  private _toggleLogRow(id: string): void {
    const expanded = new Set(this._expanded);
    if (expanded.has(id)) expanded.delete(id);
    else expanded.add(id);
    this._expanded = expanded;
  }

  override render(): TemplateResult {
    const state = this._state;
    const readOnly = isReadOnly(state, this.readOnly);
    const connection = this._live.state;
    return html`
      <div class="root">
        ${renderHeader({ info: state.info, targets: state.targets, readOnly, connection, retryInMs: this._live.retryInMs })}
        <div class="sr-only" aria-live="assertive" aria-atomic="true">${state.announcement}</div>
        ${renderLoadError({ loadError: state.loadError, connection, lastLoadedAt: state.lastLoadedAt, hasData: state.targets.length > 0 }, () => void this._live.load())}
        <div class="layout">
          ${renderTargetList(state, (key) => this._select(key))} ${this._renderDetail(readOnly)}
        </div>
        ${renderSkippedNotice(state.skipped)}
        ${renderDecisionLog(
          { log: state.log, shown: this._logShown, expanded: this._expanded },
          { toggle: (id) => this._toggleLogRow(id), showMore: () => (this._logShown += LOG_PAGE) },
        )}
      </div>
    `;
  }

  private _renderDetail(readOnly: boolean): TemplateResult {
    const state = this._state;
    const summary = selectedTarget(state);
    if (!summary) return renderEmptyDetail();
    const latest = summary.latest;
    const names = featureNames(state);
    const features = state.info?.features ?? {};
    return renderTargetDetail(summary, state.histories.get(summary.key) ?? [], {
      checkNow: renderCheckNow({ check: state.check, readOnly, hasToken: Boolean(this.token) }, () => void this._checkNow()),
      panels: [renderSignals({ latest, featureNames: names, features }), renderLadder({ latest, ladderKinds: ladderKinds(state), now: Date.now() })],
      footer: renderWhatIfForm(
        { state: state.whatIf, featureNames: names, features },
        {
          edit: (name, value) => (this._state = whatIfChanged(this._state, (whatIf) => whatIfEdited(whatIf, name, value))),
          submit: () => void this._submitWhatIf(),
          reset: () => (this._state = withPrefilledWhatIf(this._state)),
        },
      ),
    });
  }
}

declare global {
  interface HTMLElementEventMap {
    'risk-target-select': CustomEvent<RiskTargetSelectDetail>;
    'risk-evaluate': CustomEvent<RiskEvaluateDetail>;
    'risk-connection-change': CustomEvent<RiskConnectionChangeDetail>;
  }
}
