/**
 * The Slack notifier against real local HTTP receivers standing in for Slack's webhook endpoint:
 * payloads, retries on 429/5xx, giving up, 404, redaction, dedup and the severity filter.
 */
import { AdapterError, ConfigError, type DecisionRecord } from '@autoheal/core';
import { createFakeClock, describeNotifierConformance, makeDecisionRecord } from '@autoheal/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { startWebhookReceiver, WEBHOOK_PATH, type Answer, type WebhookReceiver } from '../test-support/webhook-receiver.js';
import { createSlackNotifier } from './slack-notifier.js';

const receivers: WebhookReceiver[] = [];
afterEach(async () => {
  for (const receiver of receivers.splice(0)) await receiver.close();
});

async function startReceiver(answer?: Answer): Promise<WebhookReceiver> {
  const receiver = await startWebhookReceiver(answer);
  receivers.push(receiver);
  return receiver;
}

function healRecord(overrides: Partial<DecisionRecord> = {}): DecisionRecord {
  return makeDecisionRecord({
    decision: 'heal',
    target: { namespace: 'prod', kind: 'Deployment', name: 'backend', cluster: 'eu-west-1' },
    features: { restart_count_last_5m: 4, memory_usage_bytes: 52_428_800, http_5xx_error_rate: 0.5, ready_replica_ratio: 0.5 },
    assessment: {
      probability: 0.82,
      threshold: 0.5,
      verdict: 'at-risk',
      model: { name: 'onnx', version: 'risk-gbdt-2026.11.1' },
      contributions: [
        { feature: 'cpu_usage_pct', value: 20, contribution: 0.05 },
        { feature: 'restart_count_last_5m', value: 4, contribution: 1.2 },
        { feature: 'ready_replica_ratio', value: 0.5, contribution: -0.9 },
        { feature: 'memory_usage_bytes', value: 52_428_800, contribution: 0.1 },
        { feature: 'http_5xx_error_rate', value: 0.5, contribution: 0.7 },
      ],
      missingFeatures: [],
    },
    ladder: { attempt: 1, maxAttempts: 3, nextStep: 'cache' },
    action: {
      step: 'restart',
      plan: {
        step: { kind: 'restart', scaleUp: { by: 1, maxReplicas: 10 } },
        attempt: 1,
        operations: [
          { op: 'restart', description: 'rollout restart deployment prod/backend' },
          { op: 'scale', description: 'scale prod/backend from 2 to 3 replicas', details: { from: 2, to: 3, ceiling: 10 } },
        ],
      },
      outcome: {
        ok: false,
        dryRun: false,
        message: 'scale failed',
        results: [
          { op: 'restart', ok: true, message: 'restarted (restartedAt annotation set)' },
          { op: 'scale', ok: false, message: 'scale refused: <forbidden>' },
        ],
      },
    },
    summary: 'prod/backend: at risk (0.82 ≥ 0.50), restart + scale (attempt 1 of 3)',
    ...overrides,
  });
}

function blockTexts(payload: Record<string, unknown>): string {
  return JSON.stringify(payload.blocks);
}

describe('createSlackNotifier against a local webhook receiver', () => {
  it('posts Block Kit blocks and a text fallback describing the decision', async () => {
    const receiver = await startReceiver();
    const notifier = createSlackNotifier({ webhookUrl: receiver.url });
    await notifier.notify(healRecord());

    expect(receiver.paths).toEqual([WEBHOOK_PATH]);
    const [payload] = receiver.payloads;
    if (!payload) throw new Error('nothing received');
    expect(Object.keys(payload).sort()).toEqual(['blocks', 'text']);
    expect(payload.text).toBe(
      '[autoheal] Healing prod/backend: restart (attempt 1 of 3) — cluster eu-west-1 — risk 0.82 / threshold 0.50 — prod/backend: at risk (0.82 ≥ 0.50), restart + scale (attempt 1 of 3)',
    );
    const blocks = payload.blocks as Array<{ type: string }>;
    expect(blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: ':adhesive_bandage: Healing prod/backend: restart (attempt 1 of 3)', emoji: true } });
    const text = blockTexts(payload);
    expect(text).toContain('in cluster `eu-west-1`');
    expect(text).toContain('0.82 ≥ threshold 0.50 → *at-risk*');
    expect(text).toContain('attempt 1 of 3, next step: cache');
    expect(text).toContain('onnx risk-gbdt-2026.11.1');
    // Top 3 by |contribution|: restarts (+1.2), ready ratio (−0.9), 5xx (+0.7); not memory or CPU.
    expect(text).toContain('`restart_count_last_5m` = 4 restarts (+1.20)');
    expect(text).toContain('`ready_replica_ratio` = 0.5 (50%) (−0.90)');
    expect(text).toContain('`http_5xx_error_rate` = 0.5 responses per second (+0.70)');
    expect(text).not.toContain('`cpu_usage_pct`');
    expect(text).toContain(':white_check_mark: restart: restarted');
    expect(text).toContain(':x: scale: scale refused: &lt;forbidden&gt;');
    expect(text).toContain('*Step failed:* scale failed');
    expect(text).not.toContain('DRY-RUN');
  });

  it('marks dry-run and lists the planned operations and missing signals', async () => {
    const receiver = await startReceiver();
    const notifier = createSlackNotifier({ webhookUrl: receiver.url });
    const record = healRecord({ dryRun: true, missing: [{ feature: 'http_5xx_error_rate', reason: 'too few requests for prod/backend: 1.0 in the rate window < minRequests 5' }] });
    if (record.action) delete record.action.outcome;
    await notifier.notify(record);

    const payload = receiver.payloads[0] ?? {};
    expect(payload.text).toMatch(/^\[autoheal\] \[dry-run\] Would heal prod\/backend: restart \(attempt 1 of 3\) — /);
    const text = blockTexts(payload);
    expect(text).toContain(':test_tube: *DRY-RUN*');
    expect(text).toContain(':memo: scale (planned): scale prod/backend from 2 to 3 replicas');
    expect(text).toContain('*Missing signals*\\n• `http_5xx_error_rate`: too few requests for prod/backend: 1.0 in the rate window &lt; minRequests 5');
  });

  it('writes one message per decision kind, saying a human is needed on handoff', async () => {
    const receiver = await startReceiver();
    const notifier = createSlackNotifier({ webhookUrl: receiver.url, dedupWindowMs: 0 });
    await notifier.notify(makeDecisionRecord({ decision: 'handoff', summary: 'still at risk after rollback' }));
    await notifier.notify(makeDecisionRecord({ decision: 'kept', summary: 'healthy after restart' }));
    await notifier.notify(makeDecisionRecord({ decision: 'reset', summary: 'healthy for 30m' }));
    await notifier.notify(makeDecisionRecord({ decision: 'suppressed', suppressedReason: 'unknown', summary: 'signal missing' }));
    expect(receiver.payloads.map((payload) => payload.text)).toEqual([
      '[autoheal] prod/backend is still at risk after the last step: a human is needed — risk 0.05 / threshold 0.50 — still at risk after rollback',
      '[autoheal] prod/backend is healthy again: keeping the rollout — risk 0.05 / threshold 0.50 — healthy after restart',
      '[autoheal] prod/backend stayed healthy: healing attempts reset — risk 0.05 / threshold 0.50 — healthy for 30m',
      '[autoheal] Healing prod/backend suppressed (unknown) — risk 0.05 / threshold 0.50 — signal missing',
    ]);
    expect(blockTexts(receiver.payloads[3] ?? {})).toContain('autoheal will not act on what it cannot see');
  });

  it('does not send none, awaiting-recheck or routine suppressions by default', async () => {
    const receiver = await startReceiver();
    const notifier = createSlackNotifier({ webhookUrl: receiver.url });
    await notifier.notify(makeDecisionRecord({ decision: 'none' }));
    expect(notifier.lastResult).toEqual({ sent: false, skipped: 'decision-not-sent' });
    await notifier.notify(makeDecisionRecord({ decision: 'awaiting-recheck' }));
    await notifier.notify(makeDecisionRecord({ decision: 'suppressed', suppressedReason: 'cooldown' }));
    expect(notifier.lastResult).toEqual({ sent: false, skipped: 'reason-not-sent' });
    expect(receiver.payloads).toHaveLength(0);
  });

  it('filters by minSeverity', async () => {
    const receiver = await startReceiver();
    const notifier = createSlackNotifier({ webhookUrl: receiver.url, minSeverity: 'critical' });
    await notifier.notify(healRecord()); // warning
    expect(notifier.lastResult).toEqual({ sent: false, skipped: 'below-min-severity' });
    await notifier.notify(makeDecisionRecord({ decision: 'kept' })); // info
    await notifier.notify(makeDecisionRecord({ decision: 'handoff' })); // critical
    await notifier.notify(makeDecisionRecord({ decision: 'suppressed', suppressedReason: 'circuit-open' })); // critical
    expect(receiver.payloads.map((payload) => (payload.text as string).split(' — ')[0])).toEqual([
      '[autoheal] prod/backend is still at risk after the last step: a human is needed',
      '[autoheal] Healing prod/backend suppressed (circuit-open)',
    ]);
  });

  it('sends a repeated state once per dedup window, and another state, target or step at once', async () => {
    const receiver = await startReceiver();
    const clock = createFakeClock();
    const notifier = createSlackNotifier({ webhookUrl: receiver.url, clock, dedupWindowMs: 600_000 });
    const unknown = makeDecisionRecord({ decision: 'suppressed', suppressedReason: 'unknown' });
    await notifier.notify(unknown);
    await notifier.notify({ ...unknown, id: 'a-later-evaluation' });
    expect(notifier.lastResult).toEqual({ sent: false, skipped: 'duplicate' });
    await notifier.notify(makeDecisionRecord({ decision: 'suppressed', suppressedReason: 'refused' }));
    await notifier.notify(makeDecisionRecord({ decision: 'suppressed', suppressedReason: 'unknown', target: { namespace: 'prod', kind: 'Deployment', name: 'frontend' } }));
    const refusedRollback = healRecord({ id: 'refused-rollback', decision: 'suppressed', suppressedReason: 'refused' });
    if (refusedRollback.action) refusedRollback.action.step = 'rollback';
    await notifier.notify(refusedRollback);
    expect(receiver.payloads).toHaveLength(4);
    await clock.advance(599_999);
    await notifier.notify(unknown);
    expect(receiver.payloads).toHaveLength(4);
    await clock.advance(1);
    await notifier.notify(unknown);
    expect(receiver.payloads).toHaveLength(5);
  });

  it('never holds back a transition: two kept records of one target in the window are two messages', async () => {
    const receiver = await startReceiver();
    const clock = createFakeClock();
    const notifier = createSlackNotifier({ webhookUrl: receiver.url, clock });
    await notifier.notify(makeDecisionRecord({ id: 'kept-after-cache', decision: 'kept', summary: 'kept after cache' }));
    await clock.advance(60_000);
    await notifier.notify(makeDecisionRecord({ id: 'kept-after-rollback', decision: 'kept', summary: 'kept after rollback' }));
    expect(receiver.texts().map((text) => text.split(' — ').at(-1))).toEqual(['kept after cache', 'kept after rollback']);
  });

  it('sends a state again after a transition of its target, even inside the window', async () => {
    const receiver = await startReceiver();
    const notifier = createSlackNotifier({ webhookUrl: receiver.url });
    const circuitOpen = makeDecisionRecord({ decision: 'suppressed', suppressedReason: 'circuit-open' });
    await notifier.notify({ ...circuitOpen, id: 'first' });
    await notifier.notify(healRecord({ id: 'heal', target: { namespace: 'prod', kind: 'Deployment', name: 'backend' } }));
    await notifier.notify({ ...circuitOpen, id: 'second' });
    await notifier.notify({ ...circuitOpen, id: 'third' });
    expect(receiver.texts().map((text) => text.split(' — ')[0])).toEqual([
      '[autoheal] Healing prod/backend suppressed (circuit-open)',
      '[autoheal] Healing prod/backend: restart (attempt 1 of 3)',
      '[autoheal] Healing prod/backend suppressed (circuit-open)',
    ]);
  });

  it('counts a transition that is filtered out as the start of a new episode too', async () => {
    const receiver = await startReceiver();
    const notifier = createSlackNotifier({ webhookUrl: receiver.url, decisions: ['suppressed'] });
    const unknown = makeDecisionRecord({ decision: 'suppressed', suppressedReason: 'unknown' });
    await notifier.notify({ ...unknown, id: 'first' });
    await notifier.notify(makeDecisionRecord({ id: 'kept', decision: 'kept' }));
    expect(notifier.lastResult).toEqual({ sent: false, skipped: 'decision-not-sent' });
    await notifier.notify({ ...unknown, id: 'second' });
    expect(receiver.payloads).toHaveLength(2);
  });

  it('treats the ceiling-reached suppressions after a handoff as the state the handoff announced', async () => {
    const receiver = await startReceiver();
    const notifier = createSlackNotifier({ webhookUrl: receiver.url });
    await notifier.notify(makeDecisionRecord({ id: 'handoff', decision: 'handoff' }));
    await notifier.notify(makeDecisionRecord({ id: 'ceiling-1', decision: 'suppressed', suppressedReason: 'ceiling-reached' }));
    expect(notifier.lastResult).toEqual({ sent: false, skipped: 'duplicate' });
    expect(receiver.texts().map((text) => text.split(' — ')[0])).toEqual(['[autoheal] prod/backend is still at risk after the last step: a human is needed']);
  });

  it('sends one message when the same decision is notified twice at once', async () => {
    const receiver = await startReceiver();
    const notifier = createSlackNotifier({ webhookUrl: receiver.url });
    await Promise.all([notifier.notify(healRecord()), notifier.notify(healRecord())]);
    expect(receiver.payloads).toHaveLength(1);
  });

  it('retries a 429 after the Retry-After delay, then delivers', async () => {
    const receiver = await startReceiver((index, res) => {
      if (index === 0) res.writeHead(429, { 'retry-after': '1' }).end('rate_limited');
      else res.writeHead(200).end('ok');
    });
    const notifier = createSlackNotifier({ webhookUrl: receiver.url, retryBaseDelayMs: 10 });
    await notifier.notify(healRecord());
    expect(receiver.payloads).toHaveLength(2);
    const waited = (receiver.times[1] ?? 0) - (receiver.times[0] ?? 0);
    expect(waited).toBeGreaterThanOrEqual(950); // Retry-After: 1 s, not the 10 ms backoff
    expect(notifier.lastResult).toEqual({ sent: true, attempts: 2 });
  });

  it('gives up on a receiver that always fails, after maxRetries, without the URL in the error', async () => {
    const receiver = await startReceiver((_index, res) => res.writeHead(500).end(`internal error at ${WEBHOOK_PATH}`));
    const notifier = createSlackNotifier({ webhookUrl: receiver.url, maxRetries: 3, retryBaseDelayMs: 5 });
    const error = await notifier.notify(healRecord()).catch((caught: unknown) => caught);
    expect(receiver.payloads).toHaveLength(4);
    expect(AdapterError.isInstance(error)).toBe(true);
    const message = (error as Error).message;
    expect(message).toMatch(/^\[autoheal\] \[slack\] posting to the Slack webhook failed after 4 attempt\(s\): HTTP 500/);
    expect(message).not.toContain('sup3rs3cretT0ken');
    expect(message).toContain('[webhook path redacted]');
    expect(JSON.stringify((error as AdapterError).details)).not.toContain('sup3rs3cretT0ken');
    expect((error as Error).cause).toBeUndefined();
  });

  it('explains a 404 (no_service) as a wrong webhook URL, without retrying', async () => {
    const receiver = await startReceiver((_index, res) => res.writeHead(404).end('no_service'));
    const notifier = createSlackNotifier({ webhookUrl: receiver.url });
    const error = await notifier.notify(healRecord()).catch((caught: unknown) => caught);
    expect(receiver.payloads).toHaveLength(1);
    expect((error as Error).message).toMatch(/HTTP 404 no_service.*check the webhook URL \(webhookUrl option or SLACK_WEBHOOK_URL/);
    expect((error as Error).message).not.toContain('sup3rs3cretT0ken');
  });

  it('retries when nothing listens and reports it without the URL', async () => {
    const receiver = await startReceiver();
    const url = receiver.url;
    await receiver.close();
    const notifier = createSlackNotifier({ webhookUrl: url, maxRetries: 1, retryBaseDelayMs: 5 });
    const error = await notifier.notify(healRecord()).catch((caught: unknown) => caught);
    expect((error as Error).message).toMatch(/failed after 2 attempt\(s\): network error ECONNREFUSED/);
    expect((error as Error).message).not.toContain('sup3rs3cretT0ken');
  });

  it('honours timeoutMs on a receiver that never answers', async () => {
    const receiver = await startReceiver(() => {
      // never answers
    });
    const notifier = createSlackNotifier({ webhookUrl: receiver.url, timeoutMs: 200, maxRetries: 0 });
    const started = Date.now();
    const error = await notifier.notify(healRecord()).catch((caught: unknown) => caught);
    expect(Date.now() - started).toBeLessThan(2000);
    expect((error as Error).message).toMatch(/failed after 1 attempt\(s\): the request timed out/);
  });

  it('stops when the caller aborts', async () => {
    const receiver = await startReceiver(() => {
      // never answers
    });
    const notifier = createSlackNotifier({ webhookUrl: receiver.url });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await notifier.notify(healRecord(), { signal: controller.signal }).catch((caught: unknown) => caught);
    expect((error as { code?: string }).code).toBe('ABORTED');
  });

  it('delivers again after a failure (a failed message does not start the dedup window)', async () => {
    const receiver = await startReceiver((index, res) => (index === 0 ? res.writeHead(404).end('no_service') : res.writeHead(200).end('ok')));
    const notifier = createSlackNotifier({ webhookUrl: receiver.url });
    await expect(notifier.notify(healRecord())).rejects.toThrow(AdapterError);
    await notifier.notify(healRecord());
    expect(notifier.lastResult).toEqual({ sent: true, attempts: 1 });
  });

  it('reads SLACK_WEBHOOK_URL, and names both ways when neither is set', async () => {
    const receiver = await startReceiver();
    const saved = process.env.SLACK_WEBHOOK_URL;
    try {
      delete process.env.SLACK_WEBHOOK_URL;
      expect(() => createSlackNotifier()).toThrow(ConfigError);
      expect(() => createSlackNotifier()).toThrow(/pass the webhookUrl option .* or set the SLACK_WEBHOOK_URL environment variable/);
      process.env.SLACK_WEBHOOK_URL = receiver.url;
      await createSlackNotifier().notify(healRecord());
      expect(receiver.payloads).toHaveLength(1);
      process.env.SLACK_WEBHOOK_URL = `not a url ${WEBHOOK_PATH}`;
      expect(() => createSlackNotifier()).toThrow(/SLACK_WEBHOOK_URL is not an http\(s\) URL/);
      expect(() => createSlackNotifier()).not.toThrow(/sup3rs3cret/);
    } finally {
      if (saved === undefined) delete process.env.SLACK_WEBHOOK_URL;
      else process.env.SLACK_WEBHOOK_URL = saved;
    }
  });

  it('rejects invalid options naming the field', () => {
    expect(() => createSlackNotifier({ webhookUrl: 'http://127.0.0.1:1/x', minSeverity: 'loud' as 'info' })).toThrow(/^\[autoheal\] \[slack\] invalid Slack notifier options: minSeverity/);
  });
});

describeNotifierConformance('slack', async () => {
  const receiver = await startReceiver();
  const notifier = createSlackNotifier({ webhookUrl: receiver.url });
  return { notifier };
});
