/**
 * The Notifier contract as vitest tests. Every Notifier adapter runs it, and so does the in-memory
 * notifier.
 */
import { describe, expect, it } from 'vitest';
import type { DecisionKind } from '../../decision.js';
import type { Notifier } from '../../interfaces/notifier.js';
import { makeDecisionRecord } from '../fixtures.js';
import { withFixture } from './with-fixture.js';

/** What the factory of {@link describeNotifierConformance} returns. */
export interface NotifierFixture {
  notifier: Notifier;
  cleanup?: () => Promise<void> | void;
}

const KINDS: DecisionKind[] = ['none', 'heal', 'suppressed', 'awaiting-recheck', 'kept', 'reset', 'handoff'];

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
    it('has a non-empty name', async () => {
      await withFixture(factory, async ({ notifier }) => {
        expect(typeof notifier.name).toBe('string');
        expect(notifier.name.length).toBeGreaterThan(0);
      });
    });

    it('notify resolves for a valid record of every decision kind', async () => {
      await withFixture(factory, async ({ notifier }) => {
        for (const decision of KINDS) {
          const record = makeDecisionRecord({ decision, ...(decision === 'suppressed' ? { suppressedReason: 'cooldown' as const } : {}) });

          await expect(notifier.notify(record)).resolves.toBeUndefined();
        }
      });
    });

    it('close, when present, resolves', async () => {
      await withFixture(factory, async ({ notifier }) => {
        await expect(notifier.close?.() ?? Promise.resolve()).resolves.toBeUndefined();
      });
    });
  });
}
