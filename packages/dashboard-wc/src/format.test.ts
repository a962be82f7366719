/** Text rules that must agree with the server's. */
import { suppressedReasonSchema, targetKey } from '@autoheal/core';
import { describe, expect, it } from 'vitest';
import { SUPPRESSED_LABELS, formatDiagnosis, keyOf } from './format.js';

describe('keyOf', () => {
  it.each([
    { namespace: 'shop', name: 'cart' },
    { namespace: 'payments', name: 'ledger', cluster: 'eu-1' },
    { namespace: 'payments', name: 'ledger', cluster: 'us/east 1' },
    { namespace: 'payments', name: 'ledger', cluster: undefined },
  ])('keys $namespace/$name (cluster $cluster) as the server does (core targetKey)', (target) => {
    expect(keyOf(target)).toBe(targetKey(target));
  });
});

describe('formatDiagnosis', () => {
  it('is the cause then the summary, as the Event, Slack and `autoheal status` say it', () => {
    expect(formatDiagnosis({ cause: 'memory', step: 'restart', evidence: ['memory at 95% of its limit'], summary: 'restart first: memory at 95% of its limit' })).toBe(
      'memory: restart first: memory at 95% of its limit',
    );
    expect(formatDiagnosis({ cause: 'unclear', evidence: [], summary: 'no confident diagnosis: the ladder in its order' })).toBe('unclear: no confident diagnosis: the ladder in its order');
  });
});

describe('SUPPRESSED_LABELS', () => {
  it("has words for every suppressed reason core declares (the loop's holds and the reliability work's alike)", () => {
    expect(Object.keys(SUPPRESSED_LABELS).sort()).toEqual([...suppressedReasonSchema.options].sort());
  });
});
