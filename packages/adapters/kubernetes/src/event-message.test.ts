import { makeDecisionRecord } from '@autoheal/core/testing';
import type { DecisionRecord } from '@autoheal/core';
import { describe, expect, it } from 'vitest';
import { EVENT_MESSAGE_LIMIT_BYTES, eventMessage } from './event-message.js';

const bytes = (text: string) => new TextEncoder().encode(text).length;

function atRiskRecord(overrides: Partial<DecisionRecord> = {}): DecisionRecord {
  const base = makeDecisionRecord({ id: '0mhx8k2p0-000007-3f9a1c2e', decision: 'heal' });
  return {
    ...base,
    assessment: {
      ...base.assessment,
      probability: 0.934,
      threshold: 0.6,
      verdict: 'at-risk',
      contributions: [
        { feature: 'restart_count_last_5m', value: 0, contribution: 0 },
        { feature: 'http_error_ratio', value: 0.0812, contribution: 0.7 },
        { feature: 'memory_limit_ratio', value: 0.953, contribution: 1.2 },
        { feature: 'ready_replica_ratio', value: 0.5, contribution: -0.31 },
        { feature: 'cpu_limit_ratio', value: 0.2, contribution: 0.05 },
      ],
    },
    diagnosis: { cause: 'memory', step: 'restart', evidence: ['memory at 95% of its limit'], summary: 'restart first: memory at 95% of its limit' },
    ...overrides,
  };
}

describe('eventMessage', () => {
  it('puts what happened first, then the record id, risk against threshold, diagnosis and the top three signals', () => {
    const message = eventMessage('restart step (attempt 1) on prod/backend succeeded: restarted deployment/backend', atRiskRecord());

    expect(message).toBe(
      'restart step (attempt 1) on prod/backend succeeded: restarted deployment/backend' +
        ' | record 0mhx8k2p0-000007-3f9a1c2e' +
        ' | risk 0.93 >= threshold 0.60' +
        ' | diagnosis memory: restart first: memory at 95% of its limit' +
        ' | signals memory_limit_ratio=0.953 (+1.20), http_error_ratio=0.0812 (+0.70), ready_replica_ratio=0.5 (-0.31)',
    );
  });

  it('says a healthy risk is below the threshold and an unknown one why, with the missing signals', () => {
    expect(eventMessage('kept', makeDecisionRecord({ decision: 'kept' }))).toBe('kept | record 0lx1b2c3d-000001-fixture | risk 0.05 < threshold 0.50');
    const unknown = makeDecisionRecord({ decision: 'reset', missing: [{ feature: 'cpu_usage_pct', reason: 'no series' }] });
    unknown.assessment = { ...unknown.assessment, probability: null, verdict: 'unknown', reason: 'cpu_usage_pct is missing', contributions: [] };

    expect(eventMessage('reset', unknown)).toBe('reset | record 0lx1b2c3d-000001-fixture | risk unknown (threshold 0.50: cpu_usage_pct is missing) | missing cpu_usage_pct');
  });

  it('does not repeat a diagnosis the headline already gives', () => {
    const record = atRiskRecord();
    const message = eventMessage(`prod/backend: at risk: step 1/3 (restart) applied; diagnosis: ${record.diagnosis!.summary}`, record);

    expect(message.match(/restart first/g)).toHaveLength(1);
  });

  it('keeps to one line: describe prints each Event as a row', () => {
    expect(eventMessage('cache step failed:\n  pod a: exit 2\r\n  pod b: ok', atRiskRecord())).not.toMatch(/[\r\n]/);
  });

  it('keeps 1 KiB of UTF-8, the id and risk always in, and says where it was cut', () => {
    const record = atRiskRecord({
      diagnosis: { cause: 'bad-release', step: 'rollback', evidence: [], summary: `rollback first: ${'the release → is bad; '.repeat(80)}` },
    });
    const message = eventMessage(`cache step (attempt 2) on prod/backend failed: ${'pod → exit 2; '.repeat(100)}`, record);

    expect(bytes(message)).toBeLessThanOrEqual(EVENT_MESSAGE_LIMIT_BYTES);
    expect(message).toMatch(/^cache step \(attempt 2\) on prod\/backend failed: pod → exit 2;.*… \| record 0mhx8k2p0-000007-3f9a1c2e \| risk 0\.93 >= threshold 0\.60 \| diagnosis bad-release: rollback first: /);
    expect(message).toMatch(/… \[truncated; the whole record is in the autoheal log and API under its id\]$/);
    expect(message).not.toContain('\uFFFD');
  });

  it('without a record is the headline alone, cut to 1 KiB', () => {
    expect(eventMessage('rollback step (attempt 1) succeeded')).toBe('rollback step (attempt 1) succeeded');
    const long = eventMessage('é'.repeat(2000));
    expect(bytes(long)).toBeLessThanOrEqual(EVENT_MESSAGE_LIMIT_BYTES);
    expect(long.endsWith('…')).toBe(true);
  });
});
