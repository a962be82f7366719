/**
 * The Notifier contract as vitest tests. Every Notifier adapter runs it, and so does the in-memory
 * notifier.
 */
import { describe, expect, it } from 'vitest';
import type { DecisionKind } from '../../decision.js';
import type { Notifier } from '../../interfaces/notifier.js';
import { makeDecisionRecord } from '../fixtures.js';
import { runConformanceCheck, type ConformanceCheck } from './conformance-check.js';

/** What the factory of {@link describeNotifierConformance} returns. */
export interface NotifierFixture {
  notifier: Notifier;
  cleanup?: () => Promise<void> | void;
}

const KINDS: DecisionKind[] = ['none', 'heal', 'suppressed', 'awaiting-recheck', 'kept', 'reset', 'handoff'];

/**
 * The Notifier contract, one check per entry; each check receives a fresh fixture. Exported so that
 * tests can show a broken implementation fails them.
 */
export const notifierConformanceChecks: ReadonlyArray<ConformanceCheck<NotifierFixture>> = [
  {
    name: 'has a non-empty name',
    run: async ({ notifier }) => {
      expect(typeof notifier.name).toBe('string');
      expect(notifier.name.length).toBeGreaterThan(0);
    },
  },
  {
    name: 'notify resolves for a valid record of every decision kind',
    run: async ({ notifier }) => {
      for (const decision of KINDS) {
        const record = makeDecisionRecord({ decision, ...(decision === 'suppressed' ? { suppressedReason: 'cooldown' as const } : {}) });

        await expect(notifier.notify(record)).resolves.toBeUndefined();
      }
    },
  },
  {
    name: 'close, when present, resolves',
    run: async ({ notifier }) => {
      await expect(notifier.close?.() ?? Promise.resolve()).resolves.toBeUndefined();
    },
  },
];

/**
 * Registers the Notifier conformance tests. The factory is called once per test; point the
 * notifier at a local fake of its backend.
 *
 * @example
 * describeNotifierConformance('slack', async () => {
 *   const server = await startFakeSlack();
 *   return { notifier: createSlackNotifier({ webhookUrl: server.url }), cleanup: () => server.close() };
 * });
 */
export function describeNotifierConformance(name: string, factory: () => Promise<NotifierFixture>): void {
  describe(`Notifier conformance: ${name}`, () => {
    for (const check of notifierConformanceChecks) it(check.name, () => runConformanceCheck(factory, check));
  });
}
