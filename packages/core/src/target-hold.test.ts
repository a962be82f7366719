import { describe, expect, it } from 'vitest';
import { targetHoldOf, targetHoldSchema, ROLLING_OUT_REASON } from './target-hold.js';

describe('targetHoldOf', () => {
  it('the first hold of the record, in the wire shape', () => {
    const paused = targetHoldOf({ holds: [{ kind: 'paused', scope: 'target', source: 'annotation autoheal.dev/paused on deployment prod/web', by: 'alice', until: 5, reason: 'INC-7' }, { kind: 'maintenance', window: 'w', until: 9 }] });
    const maintenance = targetHoldOf({ holds: [{ kind: 'maintenance', window: 'saturday nights', until: 9 }] });
    const unknown = targetHoldOf({ holds: [{ kind: 'pause-unknown', reason: 'forbidden' }] });

    expect(paused).toEqual({ kind: 'paused', scope: 'target', source: 'annotation autoheal.dev/paused on deployment prod/web', by: 'alice', until: 5, reason: 'INC-7' });
    expect(maintenance).toEqual({ kind: 'maintenance', reason: 'saturday nights', until: 9 });
    expect(unknown).toEqual({ kind: 'pause-unknown', reason: 'forbidden' });
    for (const hold of [paused, maintenance, unknown]) expect(targetHoldSchema.parse(hold)).toEqual(hold);
  });

  it('rolling-out when the rollout guard kept the target from being judged; null when nothing held it', () => {
    expect(targetHoldOf({ suppressedReason: 'rolling-out' })).toEqual({ kind: 'rolling-out', reason: ROLLING_OUT_REASON });
    expect(targetHoldOf({ suppressedReason: 'cooldown' })).toBeNull();
    expect(targetHoldOf({})).toBeNull();
    expect(targetHoldOf(null)).toBeNull();
  });
});
