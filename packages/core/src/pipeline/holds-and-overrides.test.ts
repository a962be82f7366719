/**
 * Pauses, maintenance windows and per-target overrides through the whole pipeline (in-memory
 * doubles, fake clock): what the evaluation reads, what the record shows, what the healer sees.
 */
import { describe, expect, it } from 'vitest';
import type { PauseSource } from '../interfaces/pause-source.js';
import type { PauseStatus } from '../pause.js';
import { targetKey, type TargetRef } from '../target.js';
import { createPipeline } from './create-pipeline.js';
import type { TargetOverrides } from './policy.js';
import { advanceOnceSleeping, backend, frontend, setup, T0, waitUntil } from './pipeline.test-setup.js';

function pauseSource(byKey: Record<string, PauseStatus>, fail?: Error): PauseSource & { asked: string[] } {
  const asked: string[] = [];
  return {
    name: 'test-pauses',
    asked,
    async pauseOf(target: TargetRef) {
      asked.push(targetKey(target));
      if (fail) throw fail;
      return byKey[targetKey(target)] ?? { pauses: [] };
    },
  };
}

function pipelineWith(extra: { pauses?: PauseSource; targetOverrides?: (target: TargetRef) => TargetOverrides | undefined; policy?: Parameters<typeof setup>[0] extends infer O ? (O extends { policy?: infer P } ? P : never) : never }) {
  const base = setup({ policy: extra.policy });
  const pipeline = createPipeline({ featureSource: base.source, riskModel: base.model, healer: base.healer, clock: base.clock, policy: extra.policy, ...(extra.pauses ? { pauses: extra.pauses } : {}), ...(extra.targetOverrides ? { targetOverrides: extra.targetOverrides } : {}) });
  return { ...base, pipeline };
}

describe('pauses through the pipeline', () => {
  const webPaused: PauseStatus = { pauses: [{ scope: 'target', source: 'annotation autoheal.dev/paused on deployment prod/backend', reason: 'migration' }] };

  it('a paused at-risk target is recorded, not healed; the record carries the pause', async () => {
    const { pipeline, healer, makeAtRisk } = pipelineWith({ pauses: pauseSource({ 'prod/backend': webPaused }) });
    makeAtRisk();

    const record = await pipeline.evaluate(backend);

    expect(record).toMatchObject({ decision: 'suppressed', suppressedReason: 'paused', holds: [{ kind: 'paused', scope: 'target', reason: 'migration' }] });
    expect(record.summary).toMatch(/suppressed \(paused\); paused \(annotation autoheal\.dev\/paused on deployment prod\/backend; reason: migration\); would have taken step 1\/3 \(restart\)/);
    expect(healer.applied).toEqual([]);
    expect((await healer.readState(backend)).attempt).toBe(0);
  });

  it('a paused healthy target is none, and its record still shows the pause', async () => {
    const { pipeline } = pipelineWith({ pauses: pauseSource({ 'prod/backend': webPaused }) });

    const record = await pipeline.evaluate(backend);

    expect(record.decision).toBe('none');
    expect(record.holds).toHaveLength(1);
  });

  it('resumed: the next evaluation heals as if the pause never was', async () => {
    const pauses: Record<string, PauseStatus> = { 'prod/backend': webPaused };
    const { pipeline, healer, makeAtRisk } = pipelineWith({ pauses: pauseSource(pauses) });
    makeAtRisk();
    await pipeline.evaluate(backend);

    delete pauses['prod/backend'];
    const record = await pipeline.evaluate(backend);

    expect(record.decision).toBe('heal');
    expect(record.holds).toBeUndefined();
    expect(healer.applied).toHaveLength(1);
  });

  it('a failing pause source holds the target (pause-unknown), never frees it', async () => {
    const { pipeline, healer, makeAtRisk } = pipelineWith({ pauses: pauseSource({}, new Error('403 forbidden')) });
    makeAtRisk();

    const record = await pipeline.evaluate(backend);

    expect(record).toMatchObject({ decision: 'suppressed', suppressedReason: 'paused', holds: [{ kind: 'pause-unknown', reason: 'pause source "test-pauses" failed: 403 forbidden' }] });
    expect(healer.applied).toEqual([]);
  });

  it('policy.pause holds every target; an operator heal --force passes it and says so', async () => {
    const { pipeline, healer, makeAtRisk } = pipelineWith({ policy: { pause: { all: true, reason: 'freeze' } } });
    makeAtRisk();

    const held = await pipeline.evaluate(backend);
    const refused = await pipeline.healNow(backend);
    const forced = await pipeline.healNow(backend, { force: true });

    expect(held).toMatchObject({ suppressedReason: 'paused', holds: [{ kind: 'paused', scope: 'global', source: 'config policy.pause', reason: 'freeze' }] });
    expect(refused).toMatchObject({ decision: 'suppressed', suppressedReason: 'paused' });
    expect(forced.decision).toBe('heal');
    expect(forced.summary).toMatch(/forced past: paused/);
    expect(healer.applied).toHaveLength(1);
  });

  it('a maintenance window holds the loop; inspect shows it', async () => {
    // T0 is 2026-01-01T00:00Z, a Thursday.
    const { pipeline, healer, makeAtRisk } = pipelineWith({ policy: { maintenanceWindows: [{ name: 'new year', from: '2025-12-31T22:00:00Z', until: '2026-01-01T02:00:00Z' }] } });
    makeAtRisk();

    const record = await pipeline.evaluate(backend);
    const inspection = await pipeline.inspect(backend);

    expect(record).toMatchObject({ decision: 'suppressed', suppressedReason: 'maintenance' });
    expect(inspection.holds).toEqual([{ kind: 'maintenance', window: 'new year', until: T0 + 2 * 3_600_000 }]);
    expect(healer.applied).toEqual([]);
  });

  it('a reset goes through a pause', async () => {
    const { pipeline, healer } = pipelineWith({ pauses: pauseSource({ 'prod/backend': webPaused }) });
    await healer.writeState(backend, { attempt: 2, lastStep: 'cache', lastActionAt: T0 - 1_000 });

    const record = await pipeline.resetTarget(backend);

    expect(record.decision).toBe('reset');
    expect((await healer.readState(backend)).attempt).toBe(0);
  });
});

describe('pauses in every mode', () => {
  const backendPaused: PauseStatus = { pauses: [{ scope: 'target', source: 'annotation autoheal.dev/paused on deployment prod/backend' }] };

  it('watch: a paused target is looked at and recorded each round, never healed; the others are healed; resumed, it is healed', async () => {
    const pauses: Record<string, PauseStatus> = { 'prod/backend': backendPaused };
    const source = pauseSource(pauses);
    const { pipeline, healer, clock, makeAtRisk } = pipelineWith({ pauses: source });
    makeAtRisk(backend);
    makeAtRisk(frontend);
    const records: string[] = [];
    pipeline.subscribe((record) => records.push(`${record.target.name}:${record.decision}${record.suppressedReason ? `/${record.suppressedReason}` : ''}`));
    const controller = new AbortController();

    const watching = pipeline.watch([backend, frontend], { intervalMs: 30_000, signal: controller.signal });
    await waitUntil(() => records.length === 2, 'the first round');
    const firstRound = [...records].sort();
    delete pauses['prod/backend'];
    await advanceOnceSleeping(clock, 30_000);
    await waitUntil(() => records.length === 4, 'the second round');
    controller.abort();
    await watching;

    expect(firstRound).toEqual(['backend:suppressed/paused', 'frontend:heal']);
    expect(records.slice(2)).toContain('backend:heal');
    expect(healer.applied.map((action) => `${action.target.name}:${action.plan.step.kind}`).sort()).toEqual(['backend:restart', 'frontend:restart']);
    expect(source.asked.filter((key) => key === 'prod/backend').length).toBeGreaterThanOrEqual(2);
  });

  it('runOnce: a target held by a maintenance window ends at once with the suppressed record, nothing applied', async () => {
    const { pipeline, healer, makeAtRisk } = pipelineWith({ policy: { maintenanceWindows: [{ name: 'freeze', from: '2025-12-31T00:00:00Z', until: '2026-01-02T00:00:00Z' }] } });
    makeAtRisk();

    const result = await pipeline.runOnce(backend);

    expect(result.records).toHaveLength(1);
    expect(result.final).toMatchObject({ decision: 'suppressed', suppressedReason: 'maintenance', holds: [{ kind: 'maintenance', window: 'freeze' }] });
    expect(healer.applied).toEqual([]);
  });

  it('paused in the middle of an episode: the attempt count stays where it was, and the ladder goes on from it once resumed', async () => {
    const pauses: Record<string, PauseStatus> = {};
    const { pipeline, healer, clock, makeAtRisk } = pipelineWith({ pauses: pauseSource(pauses) });
    makeAtRisk();
    await pipeline.evaluate(backend); // step 1 (restart)
    await clock.advance(10 * 60_000); // past the re-check and the cooldown, still at risk

    pauses['prod/backend'] = backendPaused;
    const held = await pipeline.evaluate(backend);
    const stateWhileHeld = await healer.readState(backend);
    delete pauses['prod/backend'];
    const resumed = await pipeline.evaluate(backend);

    expect(held).toMatchObject({ decision: 'suppressed', suppressedReason: 'paused', ladder: { attempt: 1 } });
    expect(held.summary).toMatch(/would have taken step 2\/3 \(cache\)/);
    expect(stateWhileHeld.attempt).toBe(1);
    expect(resumed).toMatchObject({ decision: 'heal', action: { step: 'cache' }, ladder: { attempt: 2 } });
    expect(healer.applied.map((action) => action.plan.step.kind)).toEqual(['restart', 'cache']);
  });
});

describe('per-target overrides through the pipeline', () => {
  it('a target allowed only rollback gets rollback as its step 1 of 1; others keep the ladder', async () => {
    const overrides = (target: TargetRef): TargetOverrides | undefined => (target.name === 'backend' ? { steps: ['rollback'], strategy: 'ladder', threshold: 0.2 } : undefined);
    const { pipeline, healer, makeAtRisk } = pipelineWith({ targetOverrides: overrides });
    makeAtRisk(backend);
    makeAtRisk(frontend);

    const own = await pipeline.evaluate(backend);
    const other = await pipeline.evaluate(frontend);

    expect(own).toMatchObject({ decision: 'heal', action: { step: 'rollback' }, ladder: { attempt: 1, maxAttempts: 1 }, assessment: { threshold: 0.2 } });
    expect(own.summary).toMatch(/step 1\/1 \(rollback\) applied/);
    expect(other).toMatchObject({ decision: 'heal', ladder: { maxAttempts: 3 }, assessment: { threshold: 0.5 } });
    expect(healer.applied.map((a) => a.plan.step.kind)).toEqual(['rollback', 'restart']);
    expect(pipeline.thresholdFor(backend)).toBe(0.2);
    expect(pipeline.policyFor(backend).ladder.map((step) => step.kind)).toEqual(['rollback']);
  });

  it('overrides that leave no step are a configuration error naming the target and the ladder', () => {
    const { pipeline } = pipelineWith({ targetOverrides: () => ({ steps: ['scale'] }) });

    expect(() => pipeline.policyFor(backend)).toThrow(/prod\/backend: the allowed steps \(scale\) leave no step of the ladder \(restart, cache, rollback\)/);
  });
});
