/** The decision log: the whole record on one JSON line, at a level that keeps info readable. */
import { Writable } from 'node:stream';
import { decisionRecordSchema, type DecisionRecord } from '@autoheal/core';
import { makeDecisionRecord } from '@autoheal/core/testing';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createLogNotifier } from './log-notifier.js';

/** A real pino logger at `level` writing into an array of parsed lines. */
function capturingLogger(level: string) {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level }, stream), lines };
}

const healRecord = (): DecisionRecord => {
  const base = makeDecisionRecord({ id: '0mhx8k2p0-000007-3f9a1c2e', decision: 'heal', summary: 'prod/backend: at risk (risk 0.91 >= 0.60): step 1/3 (restart) applied' });
  return {
    ...base,
    target: { ...base.target, cluster: 'eu-1' },
    features: { ...base.features, memory_limit_ratio: 0.95 },
    missing: [],
    assessment: { ...base.assessment, probability: 0.91, threshold: 0.6, verdict: 'at-risk', contributions: [{ feature: 'memory_limit_ratio', value: 0.95, contribution: 1.4 }] },
    diagnosis: { cause: 'memory', step: 'restart', evidence: ['memory at 95% of its limit'], summary: 'restart first: memory at 95% of its limit' },
    ladder: { attempt: 1, maxAttempts: 3, nextStep: 'cache', recheckAt: 1_767_225_720_000 },
    action: {
      step: 'restart',
      plan: { step: { kind: 'restart', scaleUp: false }, attempt: 1, operations: [{ op: 'restart', description: 'rollout restart deployment/backend' }] },
      outcome: { ok: true, dryRun: false, message: 'restart step (attempt 1) succeeded', results: [{ op: 'restart', ok: true, message: 'restarted' }] },
    },
  };
};

describe('createLogNotifier', () => {
  it('writes the whole record, with its id and a few flat fields to filter on, and the summary as the message', async () => {
    const { logger, lines } = capturingLogger('info');
    const record = healRecord();

    await createLogNotifier(logger).notify(record);

    expect(lines).toHaveLength(1);
    const line = lines[0]!;
    expect(line).toMatchObject({
      level: 30,
      msg: record.summary,
      recordId: record.id,
      target: 'eu-1/prod/backend',
      decision: 'heal',
      verdict: 'at-risk',
      probability: 0.91,
      threshold: 0.6,
      cause: 'memory',
      step: 'restart',
      outcome: true,
    });
    expect(decisionRecordSchema.parse(line.record)).toEqual(record);
  });

  it('logs a handoff and a failed step as warnings', async () => {
    const { logger, lines } = capturingLogger('info');
    const failed = healRecord();
    failed.action!.outcome = { ok: false, dryRun: false, message: 'restart failed', results: [] };

    await createLogNotifier(logger).notify(failed);
    await createLogNotifier(logger).notify(makeDecisionRecord({ decision: 'handoff' }));

    expect(lines.map((line) => [line.level, line.decision])).toEqual([
      [40, 'heal'],
      [40, 'handoff'],
    ]);
  });

  it('keeps routine records (nothing to do, waiting, cooldown, in flight, recovered) at debug and the rest at info', async () => {
    const info = capturingLogger('info');
    const debug = capturingLogger('debug');
    const records = [
      makeDecisionRecord({ decision: 'none' }),
      makeDecisionRecord({ decision: 'awaiting-recheck' }),
      makeDecisionRecord({ decision: 'suppressed', suppressedReason: 'cooldown' }),
      makeDecisionRecord({ decision: 'suppressed', suppressedReason: 'in-flight' }),
      makeDecisionRecord({ decision: 'suppressed', suppressedReason: 'recovered' }),
      makeDecisionRecord({ decision: 'suppressed', suppressedReason: 'unknown' }),
      makeDecisionRecord({ decision: 'kept' }),
    ];

    for (const record of records) {
      await createLogNotifier(info.logger).notify(record);
      await createLogNotifier(debug.logger).notify(record);
    }

    expect(info.lines.map((line) => [line.decision, line.suppressedReason])).toEqual([
      ['suppressed', 'unknown'],
      ['kept', undefined],
    ]);
    expect(debug.lines.filter((line) => line.level === 20)).toHaveLength(5);
    expect(debug.lines.every((line) => typeof line.record === 'object')).toBe(true);
  });
});
