/**
 * What an on-call engineer receives in Slack over whole healing episodes: the real core pipeline
 * (in-memory feature source, model and healer, a fake clock) notifying the real Slack notifier,
 * which posts to a real local HTTP receiver. Every transition (each step, kept, handoff) arrives
 * exactly once, in order, and repeated states stay quiet: the final "kept" after a rollback must
 * not be mistaken for the "kept" after the cache clear a few minutes earlier.
 */
import { createPipeline, type FeatureVector } from '@autoheal/core';
import { AT_RISK_FEATURES, HEALTHY_FEATURES, createFakeClock, createInMemoryFeatureSource, createInMemoryHealer, createInMemoryRiskModel } from '@autoheal/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { startWebhookReceiver, type WebhookReceiver } from '../test-support/webhook-receiver.js';
import { createSlackNotifier } from './slack-notifier.js';

const T0 = Date.parse('2026-03-01T09:00:00.000Z');
const backend = { namespace: 'prod', name: 'backend' };
/** A Prometheus gap: one signal has no value, so the target cannot be judged. */
const GAP: FeatureVector = { ...AT_RISK_FEATURES, http_5xx_error_rate: null };

const receivers: WebhookReceiver[] = [];
afterEach(async () => {
  for (const receiver of receivers.splice(0)) await receiver.close();
});

/**
 * The pipeline with the production defaults: 120 s re-check and cooldown, kept after 3 healthy
 * evaluations over at least 60 s, a 10 min dedup window in Slack — and the fixed ladder (strategy
 * `ladder`), so a relapse after a kept cache clear climbs to the rollback. (With `diagnose`, the
 * default, it repeats the kept step; the ladder's rules are core's tests. Here the point is which
 * Slack messages a whole climb sends.)
 */
async function episode() {
  const receiver = await startWebhookReceiver();
  receivers.push(receiver);
  const clock = createFakeClock(T0);
  const source = createInMemoryFeatureSource({ clock, values: { 'prod/backend': { ...HEALTHY_FEATURES } } });
  const healer = createInMemoryHealer();
  const errors: unknown[] = [];
  const pipeline = createPipeline({
    featureSource: source,
    riskModel: createInMemoryRiskModel(),
    healer,
    notifiers: [createSlackNotifier({ webhookUrl: receiver.url, clock })],
    policy: { strategy: 'ladder' },
    clock,
    onError: (error) => errors.push(error),
  });
  /** Moves the fake clock to `seconds` after T0, sets the signals, evaluates once; returns `decision[:reason]`. */
  const at = async (seconds: number, features: FeatureVector): Promise<string> => {
    await clock.advance(T0 + seconds * 1000 - clock.now());
    source.setValues(backend, { ...features });
    const record = await pipeline.evaluate(backend);
    return record.suppressedReason ? `${record.decision}:${record.suppressedReason}` : record.decision;
  };
  /** Notifications are queued off the evaluation: wait for the queue before reading the receiver. */
  const delivered = async () => {
    await pipeline.flush();
    return receiver;
  };
  return { receiver, healer, errors, at, delivered };
}

/** The title of each message received (the text fallback up to its first " — "). */
function titles(receiver: WebhookReceiver): string[] {
  return receiver.texts().map((text) => text.split(' — ')[0]!);
}

describe('Slack over a whole healing episode (core pipeline → Slack notifier → local receiver)', () => {
  it('restart → cache → kept → relapse → rollback → kept: every transition arrives once, in order', async () => {
    const { healer, errors, at, delivered } = await episode();

    const decisions = [
      await at(0, AT_RISK_FEATURES), // restart
      await at(60, AT_RISK_FEATURES), // waiting for the re-check
      await at(120, AT_RISK_FEATURES), // still at risk: cache clear
      await at(180, AT_RISK_FEATURES),
      await at(240, HEALTHY_FEATURES), // healthy: holding (kept after 3 healthy looks over 60 s)
      await at(270, HEALTHY_FEATURES),
      await at(300, HEALTHY_FEATURES), // kept (after the cache clear)
      await at(330, HEALTHY_FEATURES), // quiet while healthy
      await at(360, AT_RISK_FEATURES), // relapse: rollback
      await at(420, AT_RISK_FEATURES),
      await at(480, HEALTHY_FEATURES),
      await at(510, HEALTHY_FEATURES),
      await at(540, HEALTHY_FEATURES), // kept (after the rollback), 4 minutes after the first kept
      await at(570, HEALTHY_FEATURES),
    ];

    expect(decisions).toEqual([
      'heal',
      'awaiting-recheck',
      'heal',
      'awaiting-recheck',
      'awaiting-recheck',
      'awaiting-recheck',
      'kept',
      'none',
      'heal',
      'awaiting-recheck',
      'awaiting-recheck',
      'awaiting-recheck',
      'kept',
      'none',
    ]);
    expect(healer.applied.map((step) => step.plan.step.kind)).toEqual(['restart', 'cache', 'rollback']);
    expect((await delivered()).texts()).toEqual([
      '[autoheal] Healing prod/backend: restart (attempt 1 of 3) — risk 0.98 / threshold 0.50 — prod/backend: at risk (risk 0.98 >= 0.50): step 1/3 (restart) applied',
      '[autoheal] Healing prod/backend: cache (attempt 2 of 3) — risk 0.98 / threshold 0.50 — prod/backend: at risk (risk 0.98 >= 0.50): step 2/3 (cache) applied',
      '[autoheal] prod/backend is healthy again: keeping the rollout — risk 0.05 / threshold 0.50 — prod/backend: healthy again (risk 0.05 < 0.50) after step 2/3 (cache): keeping it; the attempt count resets at 2026-03-01T09:14:00.000Z if it stays healthy; scaled prod/backend back 4 → 2 replicas',
      '[autoheal] Healing prod/backend: rollback (attempt 3 of 3) — risk 0.98 / threshold 0.50 — prod/backend: at risk (risk 0.98 >= 0.50): step 3/3 (rollback) applied',
      '[autoheal] prod/backend is healthy again: keeping the rollout — risk 0.05 / threshold 0.50 — prod/backend: healthy again (risk 0.05 < 0.50) after step 3/3 (rollback): keeping it; the attempt count resets at 2026-03-01T09:18:00.000Z if it stays healthy',
    ]);
    expect(errors).toEqual([]);
  });

  it('to the end of the ladder: one handoff, a gap in the signals once, the quiet ceiling, then the kept', async () => {
    const { errors, at, delivered } = await episode();

    const decisions = [
      await at(0, AT_RISK_FEATURES), // restart
      await at(120, AT_RISK_FEATURES), // cache clear
      await at(240, AT_RISK_FEATURES), // rollback
      await at(360, AT_RISK_FEATURES), // handoff: a human is needed
      await at(375, AT_RISK_FEATURES), // the same state the handoff announced
      await at(390, GAP), // a signal goes missing
      await at(405, GAP), // and stays missing
      await at(420, AT_RISK_FEATURES), // still at the ceiling
      await at(435, HEALTHY_FEATURES), // healthy after all: holding
      await at(465, HEALTHY_FEATURES),
      await at(495, HEALTHY_FEATURES), // kept
    ];

    expect(decisions).toEqual([
      'heal',
      'heal',
      'heal',
      'handoff',
      'suppressed:ceiling-reached',
      'suppressed:unknown',
      'suppressed:unknown',
      'suppressed:ceiling-reached',
      'awaiting-recheck',
      'awaiting-recheck',
      'kept',
    ]);
    expect(titles(await delivered())).toEqual([
      '[autoheal] Healing prod/backend: restart (attempt 1 of 3)',
      '[autoheal] Healing prod/backend: cache (attempt 2 of 3)',
      '[autoheal] Healing prod/backend: rollback (attempt 3 of 3)',
      '[autoheal] prod/backend is still at risk after the last step: a human is needed',
      '[autoheal] Healing prod/backend suppressed (unknown)',
      '[autoheal] prod/backend is healthy again: keeping the rollout',
    ]);
    expect(errors).toEqual([]);
  });

  it('a failed step is a transition too: the failure and the escalation after it both arrive', async () => {
    const receiver = await startWebhookReceiver();
    receivers.push(receiver);
    const clock = createFakeClock(T0);
    const source = createInMemoryFeatureSource({ clock, values: { 'prod/backend': { ...AT_RISK_FEATURES } } });
    const pipeline = createPipeline({
      featureSource: source,
      riskModel: createInMemoryRiskModel(),
      healer: createInMemoryHealer({ failOn: ['restart'] }),
      notifiers: [createSlackNotifier({ webhookUrl: receiver.url, clock })],
      clock,
      onError: () => undefined,
    });

    await pipeline.evaluate(backend);
    await clock.advance(120_000);
    await pipeline.evaluate(backend);
    await pipeline.flush();

    expect(receiver.texts().map((text) => text.split(' — ').at(-1))).toEqual([
      'prod/backend: at risk (risk 0.98 >= 0.50): step 1/3 (restart) failed: restart failed on prod/backend (configured to fail)',
      'prod/backend: at risk (risk 0.98 >= 0.50): step 2/3 (cache) applied',
    ]);
  });
});
