/**
 * Notifications off the hot path: an evaluation never waits for a notifier, a slow receiver delays
 * only its own messages, drops and retries are counted, and `close()` drains within a bound.
 */
import { describe, expect, it } from 'vitest';
import type { DecisionRecord } from '../decision.js';
import { AdapterError } from '../errors.js';
import type { Notifier } from '../interfaces/notifier.js';
import { createInMemoryNotifier } from '../testing/in-memory-notifier.js';
import { createInMemoryFeatureSource } from '../testing/in-memory-feature-source.js';
import { createInMemoryHealer } from '../testing/in-memory-healer.js';
import { createInMemoryRiskModel } from '../testing/in-memory-risk-model.js';
import { HEALTHY_FEATURES } from '../testing/fixtures.js';
import { createPipeline } from './create-pipeline.js';
import type { DeliveryOptions, PipelineErrorContext } from './types.js';
import { backend } from './pipeline.test-setup.js';

/** A notifier whose deliveries hang until the test opens the gate (or their signal aborts). */
function hangingNotifier(name = 'slack') {
  const started: DecisionRecord[] = [];
  const waiting: Array<() => void> = [];
  let open = false;
  let aborted = 0;
  const notifier: Notifier = {
    name,
    notify: (record, options) =>
      new Promise<void>((resolve, reject) => {
        started.push(record);
        if (open) return resolve();
        waiting.push(resolve);
        options?.signal?.addEventListener('abort', () => ((aborted += 1), reject(options.signal?.reason)), { once: true });
      }),
  };
  const openGate = () => {
    open = true;
    waiting.splice(0).forEach((resolve) => resolve());
  };
  return { notifier, started, openGate, aborted: () => aborted };
}

const slackStats = (stats: ReturnType<ReturnType<typeof createPipeline>['deliveryStats']>) => stats.find((entry) => entry.audience.startsWith('notifier:'));

function pipelineWith(notifiers: Notifier[], delivery: DeliveryOptions = {}) {
  const errors: Array<{ error: unknown; context: PipelineErrorContext }> = [];
  const pipeline = createPipeline({
    featureSource: createInMemoryFeatureSource({ values: { 'prod/backend': { ...HEALTHY_FEATURES } } }),
    riskModel: createInMemoryRiskModel(),
    healer: createInMemoryHealer(),
    notifiers,
    delivery,
    onError: (error, context) => errors.push({ error, context }),
  });
  return { pipeline, errors };
}

describe('notification queues', () => {
  it('never makes an evaluation wait for a notifier that hangs, and the other notifiers still hear at once', async () => {
    const slack = hangingNotifier();
    const log = createInMemoryNotifier({ name: 'log' });
    const { pipeline } = pipelineWith([slack.notifier, log]);

    const first = await pipeline.evaluate(backend);
    const second = await pipeline.evaluate(backend);

    expect(log.records).toEqual([first, second]);
    // Slack has the first record in hand and the second waiting behind it, in order.
    expect(slack.started).toEqual([first]);
    expect(slackStats(pipeline.deliveryStats())).toMatchObject({ depth: 2, delivered: 0 });
    slack.openGate();
    await pipeline.flush();
    expect(slack.started).toEqual([first, second]);
  });

  it('drops the newest record when a receiver\'s queue is full, counts it and reports the first drop', async () => {
    const slack = hangingNotifier();
    const { pipeline, errors } = pipelineWith([slack.notifier], { queueCapacity: 2 });

    for (let round = 0; round < 4; round++) await pipeline.evaluate(backend);

    expect(slackStats(pipeline.deliveryStats())).toEqual({ audience: 'notifier:slack', depth: 2, delivered: 0, dropped: 2, retried: 0, failed: 0 });
    expect(errors).toHaveLength(1);
    expect(String(errors[0]!.error)).toMatch(/notifier:slack: queue full \(2 waiting\): the receiver is slow or down; 1 record\(s\) dropped so far/);
    slack.openGate();
  });

  it('retries a delivery that failed with a retryable error, then delivers it', async () => {
    let calls = 0;
    const flaky: Notifier = {
      name: 'flaky',
      notify: async () => {
        calls += 1;
        if (calls === 1) throw new AdapterError('webhook answered 503', { component: 'slack', retryable: true });
      },
    };
    const { pipeline, errors } = pipelineWith([flaky], { retryDelayMs: 1 });

    await pipeline.evaluate(backend);
    await pipeline.flush();

    expect(slackStats(pipeline.deliveryStats())).toEqual({ audience: 'notifier:flaky', depth: 0, delivered: 1, dropped: 0, retried: 1, failed: 0 });
    expect(errors).toEqual([]);
  });

  it('gives up on a delivery that keeps failing after the retries, reporting it once', async () => {
    const broken = createInMemoryNotifier({ name: 'broken', failWith: new AdapterError('invalid_token', { component: 'slack' }) });
    const { pipeline, errors } = pipelineWith([broken], { retryDelayMs: 1 });

    await pipeline.evaluate(backend);
    await pipeline.flush();

    // Not retryable: one call, one report.
    expect(broken.notifyCount).toBe(1);
    expect(slackStats(pipeline.deliveryStats())).toMatchObject({ delivered: 0, failed: 1, retried: 0 });
    expect(errors.map((e) => e.context.component)).toEqual(['notifier:broken']);
  });

  it('cuts off a delivery that takes longer than its time limit and moves on to the next record', async () => {
    const slack = hangingNotifier();
    const { pipeline, errors } = pipelineWith([slack.notifier], { timeoutMs: 20, retries: 0 });

    await pipeline.evaluate(backend);
    await pipeline.evaluate(backend);
    await pipeline.flush();

    expect(slack.started).toHaveLength(2);
    expect(slack.aborted()).toBe(2);
    expect(slackStats(pipeline.deliveryStats())).toMatchObject({ depth: 0, failed: 2 });
    expect(String(errors[0]!.error)).toMatch(/notifier:slack: no answer within 20 ms/);
  });

  it('close() waits for a receiver that answers within the bound, so a CI run does not exit before Slack is told', async () => {
    let delivered = 0;
    const slow: Notifier = { name: 'slow', notify: () => new Promise((resolve) => setTimeout(() => ((delivered += 1), resolve()), 30)) };
    const { pipeline } = pipelineWith([slow], { drainTimeoutMs: 5_000 });

    await pipeline.evaluate(backend);
    await pipeline.close();

    expect(delivered).toBe(1);
    expect(slackStats(pipeline.deliveryStats())).toMatchObject({ delivered: 1, dropped: 0 });
  });

  it('close() gives up on a receiver that hangs after drainTimeoutMs: the rest is dropped and counted', async () => {
    const slack = hangingNotifier();
    const { pipeline } = pipelineWith([slack.notifier], { drainTimeoutMs: 20 });

    await pipeline.evaluate(backend);
    await pipeline.evaluate(backend);
    await pipeline.close();

    expect(slack.aborted()).toBe(1);
    expect(slackStats(pipeline.deliveryStats())).toMatchObject({ depth: 0, delivered: 0, dropped: 2 });
  });
});
