/** The terminal views of records: the id on every row and line, the diagnosis said once. */
import type { Diagnosis } from '@autoheal/core';
import { makeDecisionRecord } from '@autoheal/core/testing';
import { describe, expect, it } from 'vitest';
import { decisionTable, recordLines } from './format-record.js';

const diagnosis: Diagnosis = { cause: 'memory', step: 'restart', evidence: ['memory at 95% of its limit'], summary: 'restart first: memory at 95% of its limit' };

describe('decisionTable', () => {
  it('gives every record its id in a RECORD column, then the diagnosis of each diagnosed record', () => {
    const diagnosed = makeDecisionRecord({ id: '0mhx8k2p0-000007-3f9a1c2e', decision: 'heal', diagnosis });
    const plain = makeDecisionRecord({ id: '0mhx8k2p0-000008-3f9a1c2e', decision: 'none', target: { namespace: 'prod', kind: 'Deployment', name: 'frontend' } });

    const [header, first, second, blank, diagnosisLine] = decisionTable([diagnosed, plain]).split('\n');

    expect(header).toMatch(/WHY\s+RECORD$/);
    expect(first).toMatch(/^prod\/backend\s.*\s0mhx8k2p0-000007-3f9a1c2e$/);
    expect(second).toMatch(/^prod\/frontend\s.*\s0mhx8k2p0-000008-3f9a1c2e$/);
    expect(blank).toBe('');
    expect(diagnosisLine).toBe('prod/backend: diagnosis memory: restart first: memory at 95% of its limit');
  });
});

describe('recordLines', () => {
  it('is the summary with the record id, then the diagnosis', () => {
    const record = makeDecisionRecord({ id: '0mhx8k2p0-000007-3f9a1c2e', decision: 'heal', summary: 'prod/backend: at risk: step 1/3 (restart) applied', diagnosis });

    expect(recordLines(record)).toEqual([
      'prod/backend: at risk: step 1/3 (restart) applied (record 0mhx8k2p0-000007-3f9a1c2e)',
      '  diagnosis memory: restart first: memory at 95% of its limit',
    ]);
  });

  it('does not repeat a diagnosis the summary already gives', () => {
    const record = makeDecisionRecord({ decision: 'heal', summary: `prod/backend: step 1/3 (restart) applied; diagnosis: ${diagnosis.summary}`, diagnosis });

    expect(recordLines(record)).toHaveLength(1);
  });
});
