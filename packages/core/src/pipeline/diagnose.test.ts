import { describe, expect, it } from 'vitest';
import { HEALTHY_FEATURES, HEALTHY_FEATURES_V2 } from '../testing/fixtures.js';
import { backend, setup } from './pipeline.test-setup.js';
import { diagnose } from './diagnose.js';
import { decide, diagnosableKinds, nextStep } from './ladder.js';
import { policySchema } from './policy.js';

/** A healthy, old release with limits and traffic (core's healthy v2 vector at 120 req/s): what each case changes. */
const calm = { ...HEALTHY_FEATURES_V2, http_requests_per_second: 120 };
const freshRelease = { release_age_minutes: 3, previous_release_error_ratio: 0, previous_release_ready_ratio: 1 };

describe('diagnose: each rule, and its near misses', () => {
  const cases: Array<{ name: string; values: Record<string, number | null>; cause: string; step?: string; evidence?: RegExp }> = [
    { name: 'a fresh release that fails where the one before did not → rollback', values: { ...calm, ...freshRelease, http_error_ratio: 0.42 }, cause: 'bad-release', step: 'rollback', evidence: /release is 3 min old.*before it: 0\.0% errors, 100% ready.*42% of requests fail/ },
    // Seen in the outcome benchmark: the model flags a weak bad release 18 s in, its errors still climbing.
    { name: 'a fresh release already failing beyond the healthy bound its predecessor met (2.6% vs 0.05%) → rollback', values: { ...calm, ...freshRelease, previous_release_error_ratio: 0.0005, http_error_ratio: 0.026 }, cause: 'bad-release', step: 'rollback' },
    { name: 'near miss: a fresh release within the healthy bound (1.5%) → nothing to blame', values: { ...calm, ...freshRelease, http_error_ratio: 0.015 }, cause: 'unclear' },
    { name: 'a fresh release whose pods crash → rollback', values: { ...calm, ...freshRelease, error_exit_pod_ratio: 0.5 }, cause: 'bad-release', step: 'rollback' },
    { name: 'a fresh release whose rollout stalled → rollback', values: { ...calm, ...freshRelease, rollout_stalled: 1 }, cause: 'bad-release', step: 'rollback' },
    { name: 'near miss: the release is old → not the release (the pods are calm: outside them)', values: { ...calm, ...freshRelease, release_age_minutes: 40, http_error_ratio: 0.42 }, cause: 'outside-pods' },
    { name: 'a fresh release failing 9% where its predecessor always failed 1.9% (a dependency) → rollback', values: { ...calm, ...freshRelease, previous_release_error_ratio: 0.019, http_error_ratio: 0.09 }, cause: 'bad-release', step: 'rollback' },
    { name: 'near miss: a fresh release at 2.8% where its predecessor served 1.9% (within a point) → not the release', values: { ...calm, ...freshRelease, previous_release_error_ratio: 0.019, http_error_ratio: 0.028 }, cause: 'unclear' },
    { name: 'near miss: the window before the release was failing too → not the release', values: { ...calm, ...freshRelease, previous_release_error_ratio: 0.2, http_error_ratio: 0.42 }, cause: 'unclear' },
    { name: 'near miss: a fresh, healthy-looking release → nothing to blame', values: { ...calm, ...freshRelease }, cause: 'unclear' },
    {
      // What a Deployment younger than the 30 min look-back (or a fresh Prometheus) reports: the
      // outcome benchmark's workloads were, so no bad release was ever rolled back first there.
      name: 'near miss: a fresh failing release without the history before it → no evidence, the ladder',
      values: { ...calm, release_age_minutes: 0.5, previous_release_error_ratio: null, previous_release_ready_ratio: null, http_error_ratio: 0.1 },
      cause: 'unclear',
    },
    // Seen in CI's end-to-end run: a quiet workload (4 requests in the window before the release) whose new pods crash.
    {
      name: 'a quiet workload: no error ratio before the release, but it was ready and the new pods crash → rollback',
      values: { ...calm, ...freshRelease, previous_release_error_ratio: null, http_requests_per_second: 0.06, http_error_ratio: 0, error_exit_pod_ratio: 1, unavailable_excess_ratio: 1 },
      cause: 'bad-release',
      step: 'rollback',
      evidence: /before it: errors not measured \(too little traffic\), 100% ready.*100% of pods exit with errors/,
    },
    {
      name: 'near miss: a quiet workload with no error ratio before the release, and only errors now → nothing to compare them with',
      values: { ...calm, ...freshRelease, previous_release_error_ratio: null, http_error_ratio: 0.3 },
      cause: 'unclear',
    },
    // Seen in npm run demo: a fresh crash-looping release (no history before it) read as a leak, then as CPU saturation.
    { name: 'near miss: pods crash, and the restarts make a steep memory slope at 39% of the limit → not a leak', values: { ...calm, http_error_ratio: 0.26, error_exit_pod_ratio: 0.33, memory_limit_ratio: 0.39, memory_minutes_to_limit: 1 }, cause: 'unclear' },
    { name: 'near miss: crash-looping pods throttled by their start-up bursts → not CPU saturation', values: { ...calm, http_error_ratio: 0.67, error_exit_pod_ratio: 1, cpu_limit_ratio: 0.3, cpu_throttled_ratio: 0.33 }, cause: 'unclear' },
    { name: 'pods crash and are OOM-killed → still memory', values: { ...calm, error_exit_pod_ratio: 0.3, oomkilled_pod_ratio: 0.3 }, cause: 'memory', step: 'restart' },
    { name: 'near miss: errors with memory held high, but the pods crash → not the cache', values: { ...calm, http_error_ratio: 0.3, memory_limit_ratio: 0.8, error_exit_pod_ratio: 0.5 }, cause: 'unclear' },
    { name: 'OOM kills → restart', values: { ...calm, oomkilled_pod_ratio: 0.34 }, cause: 'memory', step: 'restart', evidence: /34% of pods were OOM-killed/ },
    { name: 'a leak minutes from its limit → restart before the OOM', values: { ...calm, memory_limit_ratio: 0.8, memory_minutes_to_limit: 6 }, cause: 'memory', step: 'restart', evidence: /limit is reached in 6 min/ },
    { name: 'near miss: a slow climb far from the limit → not yet memory', values: { ...calm, memory_limit_ratio: 0.7, memory_minutes_to_limit: 45 }, cause: 'unclear' },
    { name: 'CPU pegged at its limit → scale out', values: { ...calm, cpu_limit_ratio: 0.98, cpu_throttled_ratio: 0.6 }, cause: 'cpu-saturation', step: 'scale', evidence: /CPU at 98% of its limit; throttled in 60%/ },
    { name: 'errors with memory held high and no OOM kill → clear the cache', values: { ...calm, http_error_ratio: 0.12, memory_limit_ratio: 0.82 }, cause: 'cache', step: 'cache' },
    // The trends (feature set v2's appended two), as the outcome benchmark's building surges and filling caches show them.
    { name: 'CPU at 80% and climbing to its limit in 3 min → scale out before it saturates', values: { ...calm, cpu_limit_ratio: 0.8, cpu_minutes_to_limit: 3 }, cause: 'cpu-saturation', step: 'scale', evidence: /CPU at 80% of its limit and climbing: the limit is reached in 3 min/ },
    { name: 'near miss: CPU climbing from 30% → not a surge yet', values: { ...calm, cpu_limit_ratio: 0.3, cpu_minutes_to_limit: 4 }, cause: 'unclear' },
    { name: 'near miss: CPU at 80% climbing slowly (25 min) → not a surge yet', values: { ...calm, cpu_limit_ratio: 0.8, cpu_minutes_to_limit: 25 }, cause: 'unclear' },
    { name: 'near miss: crash-looping pods whose CPU climbs → not CPU saturation', values: { ...calm, error_exit_pod_ratio: 0.5, cpu_limit_ratio: 0.8, cpu_minutes_to_limit: 2 }, cause: 'unclear' },
    {
      name: 'errors rising above their baseline while memory grows at 45% of its limit → clear the cache (it is filling up)',
      values: { ...calm, http_error_ratio: 0.03, http_error_ratio_rise: 0.029, memory_limit_ratio: 0.45, memory_minutes_to_limit: 14 },
      cause: 'cache',
      step: 'cache',
      evidence: /3\.0% of requests fail, 2\.9% more than 15–30 min ago; memory growing at 45% of its limit/,
    },
    { name: 'a cache filling fast enough to project the limit in 8 min → still the cache, not a leak (errors rise; a leak fails nothing)', values: { ...calm, http_error_ratio: 0.04, http_error_ratio_rise: 0.035, memory_limit_ratio: 0.55, memory_minutes_to_limit: 8 }, cause: 'cache', step: 'cache' },
    // Seen in the outcome benchmark: the weakest caches flagged at under 1% errors got a restart first.
    { name: 'errors 0.8% and rising (0.6 points beyond noise) while memory grows slowly → the cache, before errors reach 2%', values: { ...calm, http_error_ratio: 0.008, http_error_ratio_rise: 0.006, memory_limit_ratio: 0.47, memory_minutes_to_limit: 38 }, cause: 'cache', step: 'cache' },
    { name: 'near miss: errors rising by 0.3 points beyond noise → not yet the cache', values: { ...calm, http_error_ratio: 0.005, http_error_ratio_rise: 0.003, memory_limit_ratio: 0.47, memory_minutes_to_limit: 38 }, cause: 'unclear' },
    // Seen in the outcome benchmark: a leak relapsing after autoheal's restart, its errors up from the restart itself.
    { name: 'near miss: errors rising and memory growing after a restart in the last 5 min → a leak again, not the cache', values: { ...calm, http_error_ratio: 0.02, http_error_ratio_rise: 0.015, restarts_per_pod: 1, memory_limit_ratio: 0.7, memory_minutes_to_limit: 4 }, cause: 'memory', step: 'restart' },
    { name: 'near miss: errors rising and memory growing 3 min after a rollout restart (fresh pods, no container restarts) → a leak again, not the cache', values: { ...calm, http_error_ratio: 0.02, http_error_ratio_rise: 0.015, release_age_minutes: 3, memory_limit_ratio: 0.7, memory_minutes_to_limit: 4 }, cause: 'memory', step: 'restart' },
    { name: 'near miss: the same growth without errors rising → a leak', values: { ...calm, http_error_ratio: 0.001, memory_limit_ratio: 0.55, memory_minutes_to_limit: 8 }, cause: 'memory', step: 'restart' },
    { name: 'near miss: errors always at 3% (no rise) while memory grows slowly → unclear', values: { ...calm, http_error_ratio: 0.03, http_error_ratio_rise: 0, memory_limit_ratio: 0.45, memory_minutes_to_limit: 30 }, cause: 'unclear' },
    { name: 'near miss: errors rising with memory flat → not the cache (outside the pods, when above the objective)', values: { ...calm, http_error_ratio: 0.08, http_error_ratio_rise: 0.079, memory_limit_ratio: 0.45 }, cause: 'outside-pods' },
    { name: 'near miss: errors with memory low and flat → not the cache (outside the pods, below)', values: { ...calm, http_error_ratio: 0.12, memory_limit_ratio: 0.4 }, cause: 'outside-pods' },
    // Seen in the outcome benchmark: a failing dependency got restart, cache clear and rollback, all wrong.
    {
      name: 'requests fail while every pod is ready and calm, on an old release → outside the pods: no step',
      values: { ...calm, http_error_ratio: 0.09, memory_limit_ratio: 0.42, cpu_limit_ratio: 0.19, release_age_minutes: 34.5 },
      cause: 'outside-pods',
      evidence: /9\.0% of requests fail while 100% of replicas are ready; no pod restarts, exits or is OOM-killed; CPU at 19% of its limit, memory flat at 42%; the release is 35 min old/,
    },
    { name: 'near miss: errors within the objective (4%) → unclear', values: { ...calm, http_error_ratio: 0.04 }, cause: 'unclear' },
    { name: 'near miss: errors while memory grows (a cache filling up) → unclear', values: { ...calm, http_error_ratio: 0.09, memory_minutes_to_limit: 33 }, cause: 'unclear' },
    { name: 'near miss: errors with pods not ready → unclear', values: { ...calm, http_error_ratio: 0.09, ready_replica_ratio: 0.7 }, cause: 'unclear' },
    // Seen in the outcome benchmark: 12 s into a CPU saturation, overloaded 503s and one pod not ready while the CPU rate still lags.
    { name: 'near miss: errors with one replica of eleven not ready and CPU still low (a saturation beginning) → unclear', values: { ...calm, http_error_ratio: 0.06, ready_replica_ratio: 0.91, cpu_limit_ratio: 0.32, cpu_throttled_ratio: 0.11 }, cause: 'unclear' },
    { name: 'near miss: errors on a release minutes old (history unknown) → unclear, the ladder keeps its rollback', values: { ...calm, http_error_ratio: 0.09, release_age_minutes: 3 }, cause: 'unclear' },
    { name: 'near miss: a signal missing → no evidence that the pods are fine', values: { ...calm, http_error_ratio: 0.09, memory_minutes_to_limit: null }, cause: 'unclear' },
    { name: 'the seven seed signals only → unclear (the ladder runs as before)', values: { ...HEALTHY_FEATURES, http_5xx_error_rate: 40 }, cause: 'unclear' },
    { name: 'explained-missing values never match a rule', values: { ...calm, memory_limit_ratio: null, memory_minutes_to_limit: null, cpu_limit_ratio: null }, cause: 'unclear' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const diagnosis = diagnose(c.values, { attempt: 0 });
      expect(diagnosis.cause).toBe(c.cause);
      expect(diagnosis.step).toBe(c.step);
      if (c.evidence) expect(diagnosis.evidence.join('; ')).toMatch(c.evidence);
      if (c.step) expect(diagnosis.summary).toMatch(new RegExp(`^${c.step} first: `));
    });
  }

  it('never blames a release on the ReplicaSet of a restart this episode took', () => {
    // A rollout restart is a new ReplicaSet: minutes old, the window before it healthy, errors now
    // (a leak that came back). Rolling it back would undo the restart, not a release.
    const values = { ...calm, ...freshRelease, http_error_ratio: 0.3, unavailable_excess_ratio: 0.5 };

    expect(diagnose(values, { attempt: 1, steps: ['restart'] }).cause).toBe('unclear');
    expect(diagnose(values, { attempt: 1, steps: ['cache'] }).cause).toBe('bad-release');
  });

  it('marks a look whose pods exit with errors as a crash loop, whatever the cause, and no other', () => {
    expect(diagnose({ ...calm, http_error_ratio: 0.3, error_exit_pod_ratio: 0.5 }, { attempt: 1, steps: ['restart'] })).toMatchObject({ cause: 'unclear', crashLoop: true });
    expect(diagnose({ ...calm, error_exit_pod_ratio: 0.3, oomkilled_pod_ratio: 0.3 }, { attempt: 0 })).toMatchObject({ cause: 'memory', crashLoop: true });
    expect(diagnose({ ...calm, oomkilled_pod_ratio: 0.3 }, { attempt: 0 }).crashLoop).toBeUndefined();
  });

  it('a bad release wins over the memory it also burns', () => {
    expect(diagnose({ ...calm, ...freshRelease, http_error_ratio: 0.3, oomkilled_pod_ratio: 0.5 }, { attempt: 0 }).cause).toBe('bad-release');
  });

  it('rules the release out after a rollback this episode (whose ReplicaSet is minutes old), not after a restart', () => {
    const values = { ...calm, http_error_ratio: 0.3, release_age_minutes: 2 };
    expect(diagnose(values, { attempt: 1, steps: ['restart'] }).cause).toBe('unclear');
    const afterRollback = diagnose(values, { attempt: 2, steps: ['restart', 'rollback'] });
    expect(afterRollback).toMatchObject({ cause: 'outside-pods', summary: expect.stringMatching(/^no step can help, a human is needed: .*the rollback this episode did not help$/) });
    expect(afterRollback.step).toBeUndefined();
    expect(diagnose(values, { attempt: 1, steps: ['restart'], skipped: ['rollback'] }).cause).toBe('outside-pods');
  });

  it('says when a restart this episode did not bring a bloated cache\'s memory down', () => {
    const diagnosis = diagnose({ ...calm, http_error_ratio: 0.12, memory_limit_ratio: 0.82 }, { attempt: 1, steps: ['restart'] });
    expect(diagnosis.evidence).toContain('a restart this episode did not bring memory down');
  });
});

describe('the ladder with a diagnosis', () => {
  const policy = policySchema.parse({});
  const rollbackFirst = diagnose({ ...calm, ...freshRelease, http_error_ratio: 0.42 }, { attempt: 0 });
  const scaleOut = diagnose({ ...calm, cpu_limit_ratio: 0.99 }, { attempt: 0 });

  it('takes the diagnosed step first, out of the ladder\'s order', () => {
    expect(nextStep({ attempt: 0 }, policy, rollbackFirst)?.kind).toBe('rollback');
  });

  it('may scale alone when a ladder step scales up, with that step\'s scale-up', () => {
    expect(diagnosableKinds(policy)).toContain('scale');
    expect(nextStep({ attempt: 0 }, policy, scaleOut)).toEqual({ kind: 'scale', by: 1, maxReplicas: 10 });
  });

  it('never picks a step the policy does not allow', () => {
    const noRollback = policySchema.parse({ ladder: [{ kind: 'restart', scaleUp: false }, { kind: 'cache', scaleUp: false }] });
    expect(nextStep({ attempt: 0 }, noRollback, rollbackFirst)?.kind).toBe('restart');
    expect(nextStep({ attempt: 0 }, noRollback, scaleOut)?.kind).toBe('restart');
  });

  it('with strategy ladder, ignores the diagnosis: the original order exactly', () => {
    expect(nextStep({ attempt: 0 }, policySchema.parse({ strategy: 'ladder' }), rollbackFirst)?.kind).toBe('restart');
  });

  it('does not repeat a diagnosed step taken this episode (unless it worked), nor a refused one', () => {
    expect(nextStep({ attempt: 1, steps: ['rollback'] }, policy, rollbackFirst)?.kind).toBe('restart');
    expect(nextStep({ attempt: 0, skipped: ['rollback'] }, policy, rollbackFirst)?.kind).toBe('restart');
    expect(nextStep({ attempt: 1, steps: ['scale'], worked: 'scale' }, policy, scaleOut)?.kind).toBe('scale');
  });

  describe('a diagnosis that names no step', () => {
    const outside = diagnose({ ...calm, http_error_ratio: 0.3 }, { attempt: 0 });
    const atRisk = { verdict: 'at-risk' as const, probability: 0.9, threshold: 0.5 };
    const healthy = { verdict: 'healthy' as const, probability: 0.1, threshold: 0.5 };
    const closed = { open: false, actionsInWindow: 0, maxActions: 5 };
    const loop = { kind: 'evaluate' as const };

    it('hands off at once, with its evidence, instead of steps that cannot help', () => {
      const next = decide({ state: { attempt: 0 }, assessment: atRisk, now: 0, policy, circuit: closed, request: loop, diagnosis: outside });
      expect(next).toMatchObject({ kind: 'settle', decided: { decision: 'handoff', state: { attempt: 0, handoffNotified: true }, note: expect.stringMatching(/^no step of the ladder can help: 30% of requests fail/) }, save: 'write' });
    });

    it('hands off after the steps already taken, before the ceiling', () => {
      const next = decide({ state: { attempt: 1, steps: ['restart'], lastStep: 'restart', lastActionAt: -600_000 }, assessment: atRisk, now: 0, policy, circuit: closed, request: loop, diagnosis: outside });
      expect(next).toMatchObject({ kind: 'settle', decided: { decision: 'handoff', state: { attempt: 1 } } });
    });

    it('then stays handed off, saying why, and never steps', () => {
      const next = decide({ state: { attempt: 0, handoffNotified: true }, assessment: atRisk, now: 0, policy, circuit: closed, request: loop, diagnosis: outside });
      expect(next).toMatchObject({ kind: 'settle', decided: { decision: 'suppressed', suppressedReason: 'ceiling-reached', note: 'no step of the ladder can help (outside-pods); waiting for a human' } });
    });

    it('stays handed off when a later look names no step (a pod not ready for a moment), resumes for a diagnosed one', () => {
      const handedOff = { attempt: 0, handoffNotified: true };
      const unclear = diagnose({ ...calm, http_error_ratio: 0.3, ready_replica_ratio: 0.88 }, handedOff);
      const memory = diagnose({ ...calm, oomkilled_pod_ratio: 0.5 }, handedOff);
      expect(unclear.cause).toBe('unclear');
      expect(decide({ state: handedOff, assessment: atRisk, now: 0, policy, circuit: closed, request: loop, diagnosis: unclear })).toMatchObject({ kind: 'settle', decided: { decision: 'suppressed', suppressedReason: 'ceiling-reached' } });
      expect(decide({ state: handedOff, assessment: atRisk, now: 0, policy, circuit: closed, request: loop, diagnosis: memory })).toMatchObject({ kind: 'step', due: { step: { kind: 'restart' }, attempt: 1 } });
    });

    it('is cleared after healthyResetMs of health, so the next trouble is judged afresh', () => {
      const quiet = decide({ state: { attempt: 0, handoffNotified: true }, assessment: healthy, now: 0, policy, circuit: closed, request: loop });
      expect(quiet).toMatchObject({ kind: 'settle', decided: { decision: 'none', state: { healthySince: 0 } }, save: 'write' });
      const later = decide({ state: { attempt: 0, handoffNotified: true, healthySince: 0 }, assessment: healthy, now: policy.healthyResetMs, policy, circuit: closed, request: loop });
      expect(later).toMatchObject({ kind: 'settle', decided: { decision: 'reset', state: { attempt: 0 } }, save: 'clear' });
    });

    it('with strategy ladder, is ignored: the original order exactly', () => {
      expect(nextStep({ attempt: 0 }, policySchema.parse({ strategy: 'ladder' }), outside)?.kind).toBe('restart');
    });

    it('does not stand in the way of an operator\'s heal-now: the ladder\'s next rung', () => {
      const next = decide({ state: { attempt: 0 }, assessment: atRisk, now: 0, policy, circuit: closed, request: { kind: 'heal-now', force: false, dryRun: false }, diagnosis: outside });
      expect(next).toMatchObject({ kind: 'step', due: { step: { kind: 'restart' } } });
    });
  });

  it('marks the due step as diagnosed so the record says why', () => {
    const next = decide({ state: { attempt: 0 }, assessment: { verdict: 'at-risk', probability: 0.9, threshold: 0.5 }, now: 0, policy, circuit: { open: false, actionsInWindow: 0, maxActions: 5 }, request: { kind: 'evaluate' }, diagnosis: rollbackFirst });
    expect(next).toMatchObject({ kind: 'step', due: { step: { kind: 'rollback' }, diagnosis: { cause: 'bad-release' } } });
  });
});

describe('the pipeline with a diagnosis', () => {
  const featureNames = Object.keys(calm);
  // The model reads what is always present; the previous-release window is only for the diagnosis.
  const modelFeatures = featureNames.filter((name) => !name.startsWith('previous_release'));

  it('rolls a bad release back first, and the record, its summary and the state say so', async () => {
    const { pipeline, healer, source, state } = setup({ featureNames, model: { featureNames: modelFeatures, score: (v) => ((v.http_error_ratio ?? 0) > 0.05 ? 0.95 : 0.05) } });
    source.setValues(backend, { ...calm, ...freshRelease, http_error_ratio: 0.42 });

    const record = await pipeline.evaluate(backend);

    expect(record).toMatchObject({ decision: 'heal', action: { step: 'rollback' }, diagnosis: { cause: 'bad-release', step: 'rollback' } });
    expect(record.summary).toContain('diagnosis: rollback first: the current release is 3 min old');
    expect(healer.applied.map((a) => a.plan.step.kind)).toEqual(['rollback']);
    expect(await state()).toMatchObject({ attempt: 1, steps: ['rollback'] });
  });

  it('hands a failing dependency off without a step, and the record says why', async () => {
    const { pipeline, healer, source, state } = setup({ featureNames, model: { featureNames: modelFeatures, score: (v) => ((v.http_error_ratio ?? 0) > 0.05 ? 0.95 : 0.05) } });
    source.setValues(backend, { ...calm, http_error_ratio: 0.3 });

    const record = await pipeline.evaluate(backend);

    expect(record).toMatchObject({ decision: 'handoff', diagnosis: { cause: 'outside-pods' } });
    expect(record.summary).toMatch(/^prod\/backend: at risk \(.*\), no step taken: a human is needed; no step of the ladder can help: 30% of requests fail while 100% of replicas are ready/);
    expect(healer.applied).toEqual([]);
    expect(await state()).toMatchObject({ attempt: 0, handoffNotified: true });
  });

  it('records the diagnosis of an at-risk target even when a rule stops the step', async () => {
    const { pipeline, source } = setup({ featureNames, policy: { dryRun: true }, model: { featureNames: modelFeatures, score: () => 0.95 } });
    source.setValues(backend, { ...calm, cpu_limit_ratio: 0.99 });

    const record = await pipeline.evaluate(backend);

    expect(record).toMatchObject({ decision: 'suppressed', suppressedReason: 'dry-run', action: { step: 'scale' }, diagnosis: { cause: 'cpu-saturation' } });
  });
});
