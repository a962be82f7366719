/**
 * The Healer contract as vitest tests. Every Healer adapter runs it, and so does the in-memory
 * healer.
 */
import { describe, expect, it } from 'vitest';
import { AutohealError } from '../../errors.js';
import { healOutcomeSchema, healPlanSchema, healStepKindSchema, healStepSchema, type HealingIntent, type HealingState } from '../../healing.js';
import type { Healer } from '../../interfaces/healer.js';
import type { TargetRef } from '../../target.js';
import { makeDecisionRecord } from '../fixtures.js';
import { runConformanceCheck, type ConformanceCheck } from './conformance-check.js';

/** What the factory of {@link describeHealerConformance} returns. */
export interface HealerFixture {
  healer: Healer;
  /** A target that exists and has no ladder state yet. */
  target: TargetRef;
  cleanup?: () => Promise<void> | void;
}

const SOME_STATE: HealingState = { attempt: 2, lastActionAt: 1_767_225_600_000, lastStep: 'cache', keptNotified: false, handoffNotified: false };
const CLAIM: HealingIntent = { attempt: 1, step: 'restart', holder: 'conformance', startedAt: 1_767_225_600_000, deadline: 1_767_225_960_000 };

/**
 * The Healer contract, one check per entry; each check receives a fresh fixture. Exported so that
 * tests can show a broken implementation fails them.
 */
export const healerConformanceChecks: ReadonlyArray<ConformanceCheck<HealerFixture>> = [
  {
    name: 'has a non-empty name',
    run: async ({ healer }) => {
      expect(typeof healer.name).toBe('string');
      expect(healer.name.length).toBeGreaterThan(0);
    },
  },
  {
    name: 'readState of a fresh target is attempt 0',
    run: async ({ healer, target }) => {
      await expect(healer.readState(target)).resolves.toMatchObject({ attempt: 0 });
    },
  },
  {
    name: 'writeState round-trips through readState',
    run: async ({ healer, target }) => {
      await healer.writeState(target, SOME_STATE);

      await expect(healer.readState(target)).resolves.toMatchObject(SOME_STATE);
    },
  },
  {
    name: 'writeState(null) clears the state back to attempt 0',
    run: async ({ healer, target }) => {
      await healer.writeState(target, SOME_STATE);

      await healer.writeState(target, null);

      const state = await healer.readState(target);
      expect(state.attempt).toBe(0);
      expect(state.lastActionAt).toBeUndefined();
    },
  },
  {
    name: 'plan returns a valid plan (operations or a refusal) for every step kind',
    run: async ({ healer, target }) => {
      for (const kind of healStepKindSchema.options) {
        const step = healStepSchema.parse({ kind });

        const plan = await healer.plan(target, step, 1);

        expect(healPlanSchema.safeParse(plan).success).toBe(true);
        expect(plan.step.kind).toBe(kind);
        expect(plan.attempt).toBe(1);
        expect(plan.operations.length > 0 || (plan.refusal ?? '').length > 0, `plan for ${kind} needs operations or a refusal reason`).toBe(true);
      }
    },
  },
  {
    name: 'plan writes nothing: the state is unchanged',
    run: async ({ healer, target }) => {
      await healer.writeState(target, SOME_STATE);

      await healer.plan(target, healStepSchema.parse({ kind: 'restart' }), 3);

      await expect(healer.readState(target)).resolves.toMatchObject(SOME_STATE);
    },
  },
  {
    name: 'apply with dryRun returns a valid outcome marked dryRun and leaves the state unchanged',
    run: async ({ healer, target }) => {
      await healer.writeState(target, SOME_STATE);
      const plan = await healer.plan(target, healStepSchema.parse({ kind: 'restart' }), 3);

      const outcome = await healer.apply(target, plan, { dryRun: true });

      expect(healOutcomeSchema.safeParse(outcome).success).toBe(true);
      expect(outcome.dryRun).toBe(true);
      await expect(healer.readState(target)).resolves.toMatchObject(SOME_STATE);
    },
  },
  {
    name: 'writeState with `expected` writes when the stored state is still the one expected',
    run: async ({ healer, target }) => {
      await healer.writeState(target, SOME_STATE);
      const read = await healer.readState(target);

      await healer.writeState(target, { ...SOME_STATE, attempt: 3 }, { expected: read });

      await expect(healer.readState(target)).resolves.toMatchObject({ attempt: 3 });
    },
  },
  {
    name: 'writeState with `expected` rejects with STATE_CONFLICT (and the stored state) when another writer changed it, writing nothing',
    run: async ({ healer, target }) => {
      const read = await healer.readState(target);
      await healer.writeState(target, SOME_STATE);

      const losing = healer.writeState(target, { attempt: 1, intent: CLAIM }, { expected: read });

      await expect(losing).rejects.toSatisfy((error: unknown) => AutohealError.isInstance(error) && error.code === 'STATE_CONFLICT');
      await expect(losing.catch((error: AutohealError) => (error.details as { current?: unknown }).current)).resolves.toMatchObject(SOME_STATE);
      await expect(healer.readState(target)).resolves.toMatchObject(SOME_STATE);
    },
  },
  {
    name: 'of two conditional writes made from the same read at once, exactly one wins (the claim)',
    run: async ({ healer, target }) => {
      const read = await healer.readState(target);

      const results = await Promise.allSettled([
        healer.writeState(target, { attempt: 1, intent: { ...CLAIM, holder: 'replica-a' } }, { expected: read }),
        healer.writeState(target, { attempt: 1, intent: { ...CLAIM, holder: 'replica-b' } }, { expected: read }),
      ]);

      expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
      const winner = results[0]!.status === 'fulfilled' ? 'replica-a' : 'replica-b';
      await expect(healer.readState(target)).resolves.toMatchObject({ attempt: 1, intent: { holder: winner } });
    },
  },
  {
    name: 'the state keeps a claim (intent) exactly',
    run: async ({ healer, target }) => {
      await healer.writeState(target, { ...SOME_STATE, intent: CLAIM });

      await expect(healer.readState(target)).resolves.toEqual({ ...SOME_STATE, intent: CLAIM });
    },
  },
  {
    name: 'readTarget, when present, reads the same state as readState',
    run: async ({ healer, target }) => {
      await healer.writeState(target, SOME_STATE);
      if (!healer.readTarget) return;

      const status = await healer.readTarget(target);

      expect(status.state).toEqual(await healer.readState(target));
    },
  },
  {
    name: 'apply stops before any change when the fence refuses, saying why',
    run: async ({ healer, target }) => {
      const plan = await healer.plan(target, healStepSchema.parse({ kind: 'restart' }), 1);
      if (plan.refusal) return;

      const outcome = await healer.apply(target, plan, { fence: { check: () => 'not the leader (conformance)' } });

      expect(outcome.ok).toBe(false);
      expect(outcome.message).toContain('not the leader (conformance)');
    },
  },
  {
    name: 'findStep, when present, answers `unknown` for an attempt that was never applied',
    run: async ({ healer, target }) => {
      if (!healer.findStep) return;

      await expect(healer.findStep(target, { ...CLAIM, attempt: 3, step: 'rollback' })).resolves.toMatchObject({ found: 'unknown' });
    },
  },
  {
    name: 'recordDecision, when present, resolves for a valid record',
    run: async ({ healer, target }) => {
      const record = makeDecisionRecord({ target });

      await expect(healer.recordDecision?.(record) ?? Promise.resolve()).resolves.toBeUndefined();
    },
  },
];

/**
 * Registers the Healer conformance tests. The factory is called once per test and must return a
 * fresh target (no ladder state).
 *
 * @example
 * describeHealerConformance('kubernetes', async () => {
 *   const cluster = await startSandbox();
 *   return { healer: createKubernetesHealer({ kubeconfig: cluster.kubeconfig }), target: cluster.deployment, cleanup: () => cluster.stop() };
 * });
 */
export function describeHealerConformance(name: string, factory: () => Promise<HealerFixture>): void {
  describe(`Healer conformance: ${name}`, () => {
    for (const check of healerConformanceChecks) it(check.name, () => runConformanceCheck(factory, check));
  });
}
