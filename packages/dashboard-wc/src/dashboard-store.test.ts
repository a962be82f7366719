/** The store's reducers in plain Node: no browser, no server. */
import { describe, expect, it } from 'vitest';
import { AutohealApiError } from './api-client.js';
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
  parseTargetFilter,
  recordReceived,
  selectedTarget,
  targetSelected,
  type DashboardState,
  type ServerSnapshot,
} from './dashboard-store.js';
import { keyOf } from './format.js';
import { CART, CHECKOUT, FAILING_FEATURES, HEALTHY_FEATURES, LEDGER, LEDGER_US, MODEL, THRESHOLD, makeRecord } from './test/fixture-server.js';
import type { DecisionRecord, ServerInfo, TargetDetail, TargetRef } from './types.js';

const NOW = Date.parse('2026-11-27T12:00:00Z');
const MINUTE = 60_000;

const info: ServerInfo = {
  name: 'autoheal',
  version: '0.1.0',
  readOnly: false,
  dryRun: false,
  mode: 'full',
  leaderElection: false,
  model: { ...MODEL, threshold: THRESHOLD },
  featureNames: Object.keys(HEALTHY_FEATURES),
  features: { cpu_usage_pct: { unit: 'percent of one core', description: 'CPU' } },
  policy: { threshold: THRESHOLD, ladder: [{ kind: 'restart' }, { kind: 'rollback' }], recheckDelayMs: 1, cooldownMs: 1, healthyResetMs: 1, circuitBreaker: { maxActions: 1, windowMs: 1 } },
};

const detail = (target: TargetRef, history: DecisionRecord[]): TargetDetail => ({ key: keyOf(target), target, threshold: THRESHOLD, latest: history.at(-1) ?? null, history });
const healthy = (target: TargetRef, time: number, cpu = 20) => makeRecord(target, time, { ...HEALTHY_FEATURES, cpu_usage_pct: cpu });
const failing = (target: TargetRef, time: number) => makeRecord(target, time, FAILING_FEATURES);

function loaded(details: TargetDetail[], state: DashboardState = initialState()): DashboardState {
  const snapshot: ServerSnapshot = { info, details };
  return loadSucceeded(loadStarted(state), snapshot, NOW);
}

describe('loading', () => {
  it('shows the targets, their histories and one log newest first, selects the first and fills the form', () => {
    const checkout = [healthy(CHECKOUT, NOW - 2 * MINUTE, 11), healthy(CHECKOUT, NOW - MINUTE, 12)];
    const cart = [healthy(CART, NOW - 90_000)];

    const state = loaded([detail(CHECKOUT, checkout), detail(CART, cart)]);

    expect(state.targets.map((t) => t.key)).toEqual(['shop/checkout', 'shop/cart']);
    expect(state.log.map((r) => r.id)).toEqual([checkout[1]!.id, cart[0]!.id, checkout[0]!.id]);
    expect(state.selectedKey).toBe('shop/checkout');
    expect(state.whatIf.values.cpu_usage_pct).toBe('12');
    expect(state).toMatchObject({ loading: false, loadError: null, lastLoadedAt: NOW, info });
  });

  it('keeps a live record that arrived while the load was in flight and is newer than the snapshot', () => {
    const first = healthy(CART, NOW - 2 * MINUTE);
    const before = loaded([detail(CART, [first])]);
    const live = failing(CART, NOW);
    const during = recordReceived(loadStarted(before), live);

    const after = loadSucceeded(during, { info, details: [detail(CART, [first, healthy(CART, NOW - MINUTE)])] }, NOW);

    expect(selectedTarget(after)!.latest!.id).toBe(live.id);
    expect(after.histories.get('shop/cart')!.map((r) => r.time)).toEqual([NOW - 2 * MINUTE, NOW - MINUTE, NOW].map((t) => new Date(t).toISOString()));
    expect(after.log[0]!.id).toBe(live.id);
    expect(after.log).toHaveLength(3);
  });

  it('shows what the last load said was not evaluated, and nothing once a load lists none', () => {
    const ledger = { key: 'pay/ledger', target: { namespace: 'pay', kind: 'Deployment' as const, name: 'ledger' }, reason: 'invalid-overrides' as const, message: 'bad annotation', origin: 'kubernetes-discovery' };
    const withSkipped = loadSucceeded(initialState(), { info, details: [detail(CART, [healthy(CART, NOW)])], skipped: [ledger] }, NOW);
    expect(withSkipped.skipped).toEqual([ledger]);
    expect(loadSucceeded(withSkipped, { info, details: [detail(CART, [healthy(CART, NOW)])] }, NOW).skipped).toEqual([]);
  });

  it('keeps the selection across reloads, and moves it to the first target when its target went away', () => {
    const two = [detail(CHECKOUT, [healthy(CHECKOUT, NOW)]), detail(CART, [healthy(CART, NOW)])];
    const selected = targetSelected(loaded(two), 'shop/cart');

    expect(loaded(two, selected).selectedKey).toBe('shop/cart');
    expect(loaded([detail(CHECKOUT, [healthy(CHECKOUT, NOW)])], selected).selectedKey).toBe('shop/checkout');
  });

  it('keeps what it showed when a load fails, and clears the error on the next good one', () => {
    const good = loaded([detail(CART, [healthy(CART, NOW)])]);

    const failed = loadFailed(loadStarted(good), 'cannot reach the autoheal server');

    expect(failed).toMatchObject({ loading: false, loadError: 'cannot reach the autoheal server', lastLoadedAt: NOW });
    expect(failed.targets).toEqual(good.targets);
    expect(loaded([detail(CART, [healthy(CART, NOW)])], failed).loadError).toBeNull();
  });
});

describe('live records', () => {
  it('updates the card with a newer record but only files an older one in the history', () => {
    const state = loaded([detail(CART, [healthy(CART, NOW - MINUTE)])]);
    const newer = healthy(CART, NOW, 55);
    const older = healthy(CART, NOW - 5 * MINUTE, 5);

    const next = recordReceived(recordReceived(state, newer), older);

    expect(next.targets[0]!.latest!.id).toBe(newer.id);
    expect(next.histories.get('shop/cart')!.map((r) => r.id)).toEqual([older.id, state.log[0]!.id, newer.id]);
  });

  it('keeps a record sent twice (stream and "Check now") once', () => {
    const record = healthy(CART, NOW);
    const state = recordReceived(recordReceived(loaded([detail(CART, [])]), record), record);

    expect(state.log.filter((r) => r.id === record.id)).toHaveLength(1);
    expect(state.histories.get('shop/cart')!.filter((r) => r.id === record.id)).toHaveLength(1);
  });

  it('announces only the transition into at-risk', () => {
    const state = loaded([detail(CART, [healthy(CART, NOW - 2 * MINUTE)])]);

    const atRisk = recordReceived(state, failing(CART, NOW - MINUTE));
    const stillAtRisk = recordReceived({ ...atRisk, announcement: '' }, failing(CART, NOW));

    expect(atRisk.announcement).toMatch(/^shop\/cart is at risk: \d+% against a threshold of 70%\./);
    expect(stillAtRisk.announcement).toBe('');
  });

  it('keeps targets that differ only by cluster apart: each record goes to its own card and history', () => {
    const state = loaded([detail(LEDGER, [healthy(LEDGER, NOW - MINUTE)]), detail(LEDGER_US, [healthy(LEDGER_US, NOW - MINUTE)])]);
    const record = failing(LEDGER_US, NOW);

    const next = recordReceived(state, record);

    expect(next.targets.map((t) => t.key)).toEqual(['eu-1/payments/ledger', 'us-1/payments/ledger']);
    expect(next.targets.map((t) => t.latest?.assessment.verdict)).toEqual(['healthy', 'at-risk']);
    expect(next.histories.get('eu-1/payments/ledger')).toHaveLength(1);
    expect(next.histories.get('us-1/payments/ledger')!.at(-1)).toBe(record);
    expect(next.announcement).toMatch(/^us-1\/payments\/ledger is at risk/);
  });

  it('adds a target it did not know, and selects it when nothing was selected', () => {
    const record = healthy(LEDGER, NOW);

    const state = recordReceived(initialState(), record);

    expect(state.targets).toEqual([{ key: 'eu-1/payments/ledger', target: LEDGER, threshold: THRESHOLD, latest: record, hold: null }]);
    expect(state.selectedKey).toBe('eu-1/payments/ledger');
  });
});

describe('what the server describes', () => {
  it('takes feature names from /api/info, else from the newest record, else none', () => {
    const record = healthy(CART, NOW);
    const beforeInfo = recordReceived(initialState(), record);

    expect(featureNames(initialState())).toEqual([]);
    expect(featureNames(beforeInfo)).toEqual(Object.keys(record.features));
    expect(featureNames(loaded([detail(CART, [record])]))).toEqual(info.featureNames);
  });

  it("takes the ladder from the server's policy and shows none when a server does not describe it", () => {
    const state = loaded([detail(CART, [])]);
    const withoutPolicy = { ...state, info: { ...info, policy: undefined } as unknown as ServerInfo };

    expect(ladderKinds(state)).toEqual(['restart', 'rollback']);
    expect(ladderKinds(withoutPolicy)).toBeNull();
    expect(ladderKinds(initialState())).toBeNull();
  });

  it("is read-only by the attribute or by the server's mode", () => {
    const state = loaded([detail(CART, [])]);

    expect(isReadOnly(state, false)).toBe(false);
    expect(isReadOnly(state, true)).toBe(true);
    expect(isReadOnly({ ...state, info: { ...info, readOnly: true } }, false)).toBe(true);
  });
});

describe('selection and "Check now"', () => {
  it('refills the form and clears the last check when another target is selected', () => {
    const state = checkFailed(loaded([detail(CHECKOUT, [healthy(CHECKOUT, NOW, 11)]), detail(CART, [healthy(CART, NOW, 22)])]), new Error('x'));

    const next = targetSelected(state, 'shop/cart');

    expect(next.whatIf.values.cpu_usage_pct).toBe('22');
    expect(next.check).toEqual({ busy: false, error: null, message: null });
    expect(targetSelected(state, 'nope/nope')).toBe(state);
  });

  it('applies the record "Check now" returned and says so; a 403 says the server is read-only', () => {
    const state = checkStarted(loaded([detail(CART, [healthy(CART, NOW - MINUTE)])]));
    const record = healthy(CART, NOW, 31);
    expect(state.check.busy).toBe(true);

    const done = checkSucceeded(state, record);
    const refused = checkFailed(state, new AutohealApiError('the server is read-only', 403, 'read-only'));

    expect(done.targets[0]!.latest!.id).toBe(record.id);
    expect(done.check).toEqual({ busy: false, error: null, message: expect.stringContaining(record.summary) });
    expect(refused.check.error).toBe('Refused (403): the server is read-only. the server is read-only');
  });
});

describe('parseTargetFilter', () => {
  it('reads comma-separated keys; empty shows every target', () => {
    expect(parseTargetFilter(' shop/cart, payments/ledger ,')).toEqual(new Set(['shop/cart', 'payments/ledger']));
    expect(parseTargetFilter(' ')).toBeNull();
  });
});

describe('holds', () => {
  const paused = { kind: 'paused' as const, scope: 'target' as const, source: 'annotation autoheal.dev/paused on deployment shop/cart', by: 'alice', reason: 'db migration' };

  it("keeps the server's hold of its latest record at load", () => {
    const cart = [healthy(CART, NOW - MINUTE)];
    const state = loaded([{ ...detail(CART, cart), hold: paused }]);

    expect(state.targets[0]!.hold).toEqual(paused);
  });

  it('a live record brings its own hold: paused while it says so, none once a record without holds arrives', () => {
    const state = loaded([detail(CART, [healthy(CART, NOW - 2 * MINUTE)])]);

    const held = recordReceived(state, { ...healthy(CART, NOW - MINUTE), decision: 'suppressed', suppressedReason: 'paused', holds: [paused] });
    const freed = recordReceived(held, healthy(CART, NOW));

    expect(state.targets[0]!.hold).toBeNull();
    expect(held.targets[0]!.hold).toEqual(paused);
    expect(freed.targets[0]!.hold).toBeNull();
  });
});
