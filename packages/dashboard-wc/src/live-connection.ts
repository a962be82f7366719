/**
 * The dashboard's connection to the server, as a Lit reactive controller: the API client, the live
 * event stream (the client reconnects with backoff), a full load on start, on reconnect and by
 * polling while the stream is down, and a clock tick so relative times stay true. It holds no data:
 * what it fetches and receives goes to its host's callbacks (which feed the store).
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { createAutohealClient, type AutohealClient } from './api-client.js';
import { parseTargetFilter, type ServerSnapshot } from './dashboard-store.js';
import { keyOf } from './format.js';
import type { DecisionRecord } from './types.js';

/** The state of the live event stream. */
export type ConnectionState = 'connecting' | 'live' | 'retrying';

/** Time limit of one full load (info, targets and their histories). */
const LOAD_TIMEOUT_MS = 20_000;
/** Re-render this often so "in 4 min" (cooldown, re-check) stays true between records. */
const CLOCK_TICK_MS = 15_000;

/** What the controller reads from its host's properties on every update. */
export interface LiveConnectionSettings {
  /** Origin (and path prefix) of the server; empty = the page's origin. */
  apiBase: string;
  /** Bearer token for every request (reads on a closed server, "check now"); empty = none. */
  token: string;
  /** Polling interval in seconds while the stream is down; 0 or less disables polling. */
  refreshSeconds: number;
  /** The `targets` attribute: comma-separated keys to show, empty = all. */
  targets: string;
}

/** Where the controller delivers what happens. */
export interface LiveConnectionCallbacks {
  settings(): LiveConnectionSettings;
  loadStarted(): void;
  loaded(snapshot: ServerSnapshot): void;
  loadFailed(message: string): void;
  /** A live record of a shown target. */
  record(record: DecisionRecord): void;
  /** The stream opened (`true`) or dropped (`false`); called on changes only. */
  connectedChanged(connected: boolean): void;
  /** `api-base` changed: nothing of the old server's data may be merged into the new one's. */
  serverChanged(): void;
}

/** The host: a Lit element (it knows whether it is connected and has rendered once). */
export type LiveConnectionHost = ReactiveControllerHost & { readonly isConnected: boolean; readonly hasUpdated: boolean };

/** Fetches info, the target list and the history of every shown target. */
export async function fetchSnapshot(client: AutohealClient, filter: ReadonlySet<string> | null, signal: AbortSignal): Promise<ServerSnapshot> {
  const [info, list] = await Promise.all([client.info(signal), client.targetList(signal)]);
  const shown = filter ? list.targets.filter((summary) => filter.has(summary.key)) : list.targets;
  const details = await Promise.all(shown.map((summary) => client.target(summary.target, signal)));
  return { info, details, skipped: filter ? list.skipped.filter((entry) => filter.has(entry.key)) : list.skipped };
}

/**
 * Keeps the dashboard connected. It starts on the host's first update (so properties set right
 * after creation are in) or when a rendered host is re-attached, follows changes of the settings,
 * and stops when the host is detached.
 */
export class LiveConnectionController implements ReactiveController {
  /** The stream's state. */
  state: ConnectionState = 'connecting';
  /** The wait before the next reconnect attempt while `retrying`. */
  retryInMs = 0;

  private _client: AutohealClient | null = null;
  /** The settings the current client, polling and filter were made with. */
  private _applied: LiveConnectionSettings | null = null;
  private _unsubscribe: (() => void) | null = null;
  private _pollTimer: ReturnType<typeof setInterval> | undefined;
  private _clockTimer: ReturnType<typeof setInterval> | undefined;
  private _loadGeneration = 0;
  private _loading = false;
  private _lastLoadFailed = false;
  private _everConnected = false;

  constructor(
    private readonly host: LiveConnectionHost,
    private readonly callbacks: LiveConnectionCallbacks,
  ) {
    host.addController(this);
  }

  /** The client for the current server and token (`null` while detached). */
  get client(): AutohealClient | null {
    return this._client;
  }

  hostConnected(): void {
    if (this.host.hasUpdated) this._start();
  }

  hostDisconnected(): void {
    this._stop();
  }

  hostUpdated(): void {
    if (!this.host.isConnected) return;
    const settings = this.callbacks.settings();
    const applied = this._applied;
    if (!this._client || !applied) {
      this._start();
      return;
    }
    if (settings.apiBase !== applied.apiBase) {
      this._stop();
      this.callbacks.serverChanged();
      this._start();
      return;
    }
    this._applied = settings;
    // A new token opens a new stream too: the stream's tickets are bought with the token.
    if (settings.token !== applied.token) this._restartStream(settings);
    if (settings.targets !== applied.targets) void this.load();
    if (!Object.is(settings.refreshSeconds, applied.refreshSeconds)) this._startPolling();
  }

  /** Fetches everything now; a newer load (or another server) started meanwhile wins. */
  async load(): Promise<void> {
    const client = this._client;
    if (!client) return;
    const generation = ++this._loadGeneration;
    this._loading = true;
    this.callbacks.loadStarted();
    try {
      // A server that accepts the connection but never answers must not block polling for ever.
      const snapshot = await fetchSnapshot(client, parseTargetFilter(this.callbacks.settings().targets), AbortSignal.timeout(LOAD_TIMEOUT_MS));
      if (generation !== this._loadGeneration) return;
      this._lastLoadFailed = false;
      this.callbacks.loaded(snapshot);
    } catch (error) {
      if (generation !== this._loadGeneration) return;
      this._lastLoadFailed = true;
      this.callbacks.loadFailed(error instanceof Error ? error.message : String(error));
    } finally {
      if (generation === this._loadGeneration) this._loading = false;
    }
  }

  private _createClient(settings: LiveConnectionSettings): AutohealClient {
    return createAutohealClient({ baseUrl: settings.apiBase, token: settings.token || undefined });
  }

  private _start(): void {
    const settings = this.callbacks.settings();
    this._applied = settings;
    this._client = this._createClient(settings);
    this._everConnected = false;
    this._setState('connecting');
    void this.load();
    this._subscribe(this._client);
    this._startPolling();
    this._clockTimer = setInterval(() => this.host.requestUpdate(), CLOCK_TICK_MS);
  }

  /** Replaces the client and its stream for a new token; the data already shown stays. */
  private _restartStream(settings: LiveConnectionSettings): void {
    this._unsubscribe?.();
    this._client = this._createClient(settings);
    this._subscribe(this._client);
    void this.load();
  }

  private _subscribe(client: AutohealClient): void {
    this._unsubscribe = client.subscribe({
      onRecord: (record) => {
        const filter = parseTargetFilter(this.callbacks.settings().targets);
        if (!filter || filter.has(keyOf(record.target))) this.callbacks.record(record);
      },
      onConnectionChange: (connected, retryInMs) => {
        this.retryInMs = retryInMs ?? 0;
        this._setState(connected ? 'live' : 'retrying');
        // Records sent while we were away are only in the server's history: catch up. The first
        // open needs no catch-up (the initial load runs alongside) unless that load failed.
        if (connected && (this._everConnected || this._lastLoadFailed)) void this.load();
        if (connected) this._everConnected = true;
      },
    });
  }

  private _stop(): void {
    this._client = null;
    this._applied = null;
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
    const seconds = Number(this._applied?.refreshSeconds);
    if (!Number.isFinite(seconds) || seconds <= 0) return;
    this._pollTimer = setInterval(() => {
      if (this.state !== 'live' && !this._loading) void this.load();
    }, seconds * 1000);
  }

  private _setState(state: ConnectionState): void {
    const wasConnected = this.state === 'live';
    this.state = state;
    this.host.requestUpdate();
    if ((state === 'live') !== wasConnected) this.callbacks.connectedChanged(state === 'live');
  }
}
