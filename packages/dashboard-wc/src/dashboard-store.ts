/**
 * The dashboard's state and the reducers that change it: what the server said (info, targets,
 * histories, the decision log), what is selected, and the outcome of the user's requests. No DOM, no
 * Lit, no I/O: every reducer takes a state and returns a new one, so the component re-renders on
 * assignment and the rules (merging a reload with live records, the at-risk announcement, keeping
 * the selection) are tested in plain Node.
 */
import { decisionLabel, describeRequestError, formatPercent, formatTime, holdOfRecord, keyOf } from './format.js';
import type { DecisionRecord, ServerInfo, SkippedWorkload, TargetDetail, TargetSummary } from './types.js';
import { prefilledWhatIf, type WhatIfState } from './what-if-state.js';

/** How many records per target the chart keeps (the server sends up to 500). */
export const HISTORY_LIMIT = 500;
/** How many records the log keeps in memory. */
export const LOG_LIMIT = 1000;

/** The state of "Check now" for the selected target. */
export interface CheckState {
  busy: boolean;
  error: string | null;
  message: string | null;
}

/** Everything the dashboard shows. Replace, never mutate: the component re-renders on assignment. */
export interface DashboardState {
  /** `GET /api/info`, once loaded. */
  readonly info: ServerInfo | null;
  /** Watched targets in the server's order, each with its newest record. */
  readonly targets: readonly TargetSummary[];
  /** Discovered Deployments that opted in but are not evaluated (a bad annotation), from the last load. */
  readonly skipped: readonly SkippedWorkload[];
  /** Per target key, oldest first, at most {@link HISTORY_LIMIT}. */
  readonly histories: ReadonlyMap<string, readonly DecisionRecord[]>;
  /** Every record of every shown target, newest first, at most {@link LOG_LIMIT}. */
  readonly log: readonly DecisionRecord[];
  readonly selectedKey: string | null;
  readonly loading: boolean;
  /** Why the last load failed; `null` after a good one. */
  readonly loadError: string | null;
  /** When the last good load finished (epoch ms). */
  readonly lastLoadedAt: number | null;
  /** Text for the `aria-live` region: the last transition into at-risk. */
  readonly announcement: string;
  readonly check: CheckState;
  readonly whatIf: WhatIfState;
}

/** What one full load brought back. */
export interface ServerSnapshot {
  info: ServerInfo;
  /** The shown targets, each with its history. */
  details: readonly TargetDetail[];
  /** The opted-in Deployments the server does not evaluate. @default none */
  skipped?: readonly SkippedWorkload[];
}

const IDLE_CHECK: CheckState = { busy: false, error: null, message: null };

/** The state before anything was loaded (also after switching to another server). */
export function initialState(): DashboardState {
  return {
    info: null,
    targets: [],
    skipped: [],
    histories: new Map(),
    log: [],
    selectedKey: null,
    loading: false,
    loadError: null,
    lastLoadedAt: null,
    announcement: '',
    check: IDLE_CHECK,
    whatIf: prefilledWhatIf([], null),
  };
}

// ---------------------------------------------------------------- selectors

/** The selected target, or `null`. */
export function selectedTarget(state: DashboardState): TargetSummary | null {
  return state.targets.find((t) => t.key === state.selectedKey) ?? null;
}

/**
 * The model's feature names, from the server's `/api/info`. Until it has answered, the names in the
 * selected target's newest record; before any record, none.
 */
export function featureNames(state: DashboardState): readonly string[] {
  if (state.info?.featureNames?.length) return state.info.featureNames;
  const features = selectedTarget(state)?.latest?.features;
  return features ? Object.keys(features) : [];
}

/**
 * The ladder's step kinds, from the server's policy; `null` when the server does not describe its
 * policy (a server older than the `/api/info` contract), so the dashboard shows no step list rather
 * than guess one.
 */
export function ladderKinds(state: DashboardState): readonly string[] | null {
  // The wire type says policy is always there; an older server may still leave it out.
  return state.info?.policy?.ladder?.map((step) => step.kind) ?? null;
}

/** The server's read-only mode or the element's own. */
export function isReadOnly(state: DashboardState, readOnlyAttribute: boolean): boolean {
  return readOnlyAttribute || state.info?.readOnly === true;
}

/** Parses the `targets` attribute: `null` shows every target. */
export function parseTargetFilter(text: string): ReadonlySet<string> | null {
  const keys = text
    .split(',')
    .map((key) => key.trim())
    .filter((key) => key.length > 0);
  return keys.length > 0 ? new Set(keys) : null;
}

// ---------------------------------------------------------------- loading

/** A load began. */
export function loadStarted(state: DashboardState): DashboardState {
  return { ...state, loading: true };
}

/** A load failed: the data shown so far stays (the banner says it may be out of date). */
export function loadFailed(state: DashboardState, message: string): DashboardState {
  return { ...state, loading: false, loadError: message };
}

const byTime = (a: DecisionRecord, b: DecisionRecord) => Date.parse(a.time) - Date.parse(b.time);

/**
 * A load succeeded. Its histories are merged with what is shown rather than replacing it: a live
 * record that arrived while the requests were in flight may be newer than the server's snapshot and
 * must not disappear.
 */
export function loadSucceeded(state: DashboardState, snapshot: ServerSnapshot, now: number): DashboardState {
  const histories = new Map<string, DecisionRecord[]>();
  for (const detail of snapshot.details) {
    const byId = new Map<string, DecisionRecord>();
    for (const record of [...detail.history, ...(state.histories.get(detail.key) ?? [])]) byId.set(record.id, record);
    histories.set(detail.key, [...byId.values()].sort(byTime).slice(-HISTORY_LIMIT));
  }
  const targets = snapshot.details.map(({ history: _history, ...summary }): TargetSummary => {
    const newest = histories.get(summary.key)?.at(-1) ?? null;
    const latest = !summary.latest || (newest && Date.parse(newest.time) > Date.parse(summary.latest.time)) ? newest : summary.latest;
    // The server's hold belongs to its latest record; a newer live one brings its own.
    const hold = latest === summary.latest && summary.hold !== undefined ? summary.hold : holdOfRecord(latest);
    return { ...summary, latest, hold };
  });
  const log = [...histories.values()].flat();
  log.sort((a, b) => Date.parse(b.time) - Date.parse(a.time) || (a.id < b.id ? 1 : -1));
  const previous = state.selectedKey;
  const selectedKey = previous && targets.some((t) => t.key === previous) ? previous : (targets[0]?.key ?? null);
  const next: DashboardState = {
    ...state,
    info: snapshot.info,
    targets,
    skipped: snapshot.skipped ?? [],
    histories,
    log: log.slice(0, LOG_LIMIT),
    selectedKey,
    loading: false,
    loadError: null,
    lastLoadedAt: now,
  };
  // A new selection, or a form never filled (the names were unknown before info came): fill it.
  const refill = selectedKey !== previous || Object.keys(state.whatIf.values).length === 0;
  return refill ? withPrefilledWhatIf(next) : next;
}

// ---------------------------------------------------------------- live records

/**
 * A record arrived (live, or as the answer of "Check now"). It updates its target's card when it is
 * the newest, joins the history and the log once, and is announced when the target turns at-risk.
 */
export function recordReceived(state: DashboardState, record: DecisionRecord): DashboardState {
  const key = keyOf(record.target);
  const index = state.targets.findIndex((t) => t.key === key);
  const previous = index >= 0 ? state.targets[index]!.latest : null;
  const isNewer = !previous || Date.parse(record.time) >= Date.parse(previous.time);
  let { targets, selectedKey, histories, log, announcement } = state;
  if (index < 0) {
    targets = [...targets, { key, target: record.target, threshold: record.assessment.threshold, latest: record, hold: holdOfRecord(record) }];
    selectedKey ??= key;
  } else if (isNewer) {
    targets = targets.map((summary, i) => (i === index ? { ...summary, latest: record, threshold: record.assessment.threshold, hold: holdOfRecord(record) } : summary));
  }
  const history = histories.get(key) ?? [];
  if (!history.some((r) => r.id === record.id)) {
    histories = new Map(histories).set(key, [...history, record].sort(byTime).slice(-HISTORY_LIMIT));
  }
  if (!log.some((r) => r.id === record.id)) log = [record, ...log].slice(0, LOG_LIMIT);
  // Only the transition into at-risk, so a screen reader is not flooded every minute.
  if (isNewer && record.assessment.verdict === 'at-risk' && previous?.assessment.verdict !== 'at-risk') {
    announcement = `${key} is at risk: ${formatPercent(record.assessment.probability)} against a threshold of ${formatPercent(record.assessment.threshold)}. ${decisionLabel(record)}.`;
  }
  return { ...state, targets, selectedKey, histories, log, announcement };
}

// ---------------------------------------------------------------- selection and requests

/** The user selected `key` (unknown keys are ignored). A new selection refills the form and clears "Check now". */
export function targetSelected(state: DashboardState, key: string): DashboardState {
  if (!state.targets.some((t) => t.key === key) || key === state.selectedKey) return state;
  return withPrefilledWhatIf({ ...state, selectedKey: key, check: IDLE_CHECK });
}

/** The what-if form back to the selected target's newest values. */
export function withPrefilledWhatIf(state: DashboardState): DashboardState {
  return { ...state, whatIf: prefilledWhatIf(featureNames(state), selectedTarget(state)?.latest ?? null) };
}

/** The what-if form after `change`. */
export function whatIfChanged(state: DashboardState, change: (whatIf: WhatIfState) => WhatIfState): DashboardState {
  return { ...state, whatIf: change(state.whatIf) };
}

/** "Check now" was pressed. */
export function checkStarted(state: DashboardState): DashboardState {
  return { ...state, check: { busy: true, error: null, message: null } };
}

/** "Check now" returned `record`: it is applied like a live one (the stream may send it too; it is kept once). */
export function checkSucceeded(state: DashboardState, record: DecisionRecord): DashboardState {
  return { ...recordReceived(state, record), check: { busy: false, error: null, message: `Checked at ${formatTime(record.time)}: ${record.summary}` } };
}

/** "Check now" failed. */
export function checkFailed(state: DashboardState, error: unknown): DashboardState {
  return { ...state, check: { busy: false, error: describeRequestError(error), message: null } };
}
