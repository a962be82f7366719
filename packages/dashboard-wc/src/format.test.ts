/** Text rules that must agree with the server's. */
import { suppressedReasonSchema, targetHoldOf, targetKey, type Hold } from '@autoheal/core';
import { describe, expect, it } from 'vitest';
import { SUPPRESSED_LABELS, formatDiagnosis, holdLabel, holdOfRecord, keyOf } from './format.js';
import { CART, HEALTHY_FEATURES, makeRecord } from './test/fixture-server.js';

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

describe('holdOfRecord', () => {
  const paused: Hold = { kind: 'paused', scope: 'target', source: 'annotation autoheal.dev/paused on deployment shop/cart', by: 'alice', since: 1, until: 2, reason: 'db migration' };
  const global: Hold = { kind: 'paused', scope: 'global', source: 'config policy.pause' };
  const records = [
    makeRecord(CART, 0, HEALTHY_FEATURES),
    makeRecord(CART, 0, HEALTHY_FEATURES, { decision: 'suppressed', suppressedReason: 'paused', holds: [paused, global] }),
    makeRecord(CART, 0, HEALTHY_FEATURES, { holds: [global] }),
    makeRecord(CART, 0, HEALTHY_FEATURES, { holds: [{ kind: 'maintenance', window: 'nightly', until: 5 }] }),
    makeRecord(CART, 0, HEALTHY_FEATURES, { holds: [{ kind: 'pause-unknown', reason: 'forbidden' }] }),
    makeRecord(CART, 0, HEALTHY_FEATURES, { decision: 'suppressed', suppressedReason: 'rolling-out' }),
    makeRecord(CART, 0, HEALTHY_FEATURES, { decision: 'suppressed', suppressedReason: 'cooldown' }),
  ];

  it("is the server's rule (core targetHoldOf) for every kind of hold, and for none", () => {
    for (const record of records) expect(holdOfRecord(record)).toEqual(targetHoldOf(record));
    expect(holdOfRecord(null)).toBeNull();
  });

  it('names who paused and until when in a few words', () => {
    expect(holdLabel(holdOfRecord(records[1]!)!)).toMatch(/^Paused by alice until \d\d:\d\d:\d\d$/);
    expect(holdLabel(holdOfRecord(records[2]!)!)).toBe('Paused (all targets)');
    expect(holdLabel(holdOfRecord(records[3]!)!)).toMatch(/^Maintenance "nightly" until /);
    expect(holdLabel(holdOfRecord(records[5]!)!)).toBe('Rolling out');
  });
});
