/** `watch` over a TargetSource: the current set each round, the catalog's overrides, a failing source. */
import { describe, expect, it } from 'vitest';
import type { TargetSource } from '../interfaces/target-source.js';
import { createStaticTargetSource, createTargetCatalog } from '../target-catalog.js';
import type { ListedTarget, TargetListing } from '../target-listing.js';
import { createInMemoryFeatureSource } from '../testing/in-memory-feature-source.js';
import { createInMemoryHealer } from '../testing/in-memory-healer.js';
import { createInMemoryRiskModel } from '../testing/in-memory-risk-model.js';
import { createFakeClock } from '../testing/fake-clock.js';
import { HEALTHY_FEATURES } from '../testing/fixtures.js';
import { createPipeline } from './create-pipeline.js';
import { policySchema, type Policy } from './policy.js';
import { advanceOnceSleeping, backend, frontend, T0, waitUntil, worker } from './pipeline.test-setup.js';

/** A source whose answer the test changes between rounds (what discovery does when the cluster changes). */
function mutableSource(name = 'discovery') {
  let listing: TargetListing | Error = { targets: [], skipped: [] };
  const source: TargetSource & { set(next: TargetListing | Error): void } = {
    name,
    targets: async () => {
      if (listing instanceof Error) throw listing;
      return listing;
    },
    set: (next) => void (listing = next),
  };
  return source;
}

const listed = (entry: Omit<ListedTarget, 'origin'>): ListedTarget => ({ origin: 'discovery', ...entry });
const policy: Policy = { ...policySchema.parse({}), threshold: 0.5 };

describe('watch over a TargetSource', () => {
  it('evaluates the set the source lists at each round: an added target from the next round, a removed one no more', async () => {
    const clock = createFakeClock(T0);
    const discovery = mutableSource();
    const catalog = createTargetCatalog({ sources: [createStaticTargetSource([backend]), discovery] });
    const pipeline = createPipeline({
      featureSource: createInMemoryFeatureSource({ clock, values: () => ({ ...HEALTHY_FEATURES }) }),
      riskModel: createInMemoryRiskModel(),
      healer: createInMemoryHealer(),
      clock,
      targetOverrides: catalog.overridesOf,
    });
    const rounds: string[][] = [[]];
    pipeline.subscribe((record) => rounds.at(-1)!.push(record.target.name));
    const controller = new AbortController();

    const endOfRound = async () => {
      await waitUntil(() => clock.pendingSleeps() > 0, 'the round to end');
      rounds.push([]);
    };

    const watching = pipeline.watch(catalog, { intervalMs: 1_000, signal: controller.signal });
    await endOfRound();
    discovery.set({ targets: [listed({ target: frontend })], skipped: [] });
    await clock.advance(1_000);
    await endOfRound();
    discovery.set({ targets: [listed({ target: worker })], skipped: [] });
    await clock.advance(1_000);
    await endOfRound();
    controller.abort();
    await watching;
    rounds.pop();

    expect(rounds.map((round) => round.sort())).toEqual([['backend'], ['backend', 'frontend'], ['backend', 'worker']]);
  });

  it("judges a listed target with the overrides it came with (the catalog's overridesOf)", async () => {
    const clock = createFakeClock(T0);
    const discovery = mutableSource();
    discovery.set({ targets: [listed({ target: frontend, overrides: { threshold: 0.8 } })], skipped: [] });
    const catalog = createTargetCatalog({ sources: [discovery] });
    const pipeline = createPipeline({
      featureSource: createInMemoryFeatureSource({ clock, values: () => ({ ...HEALTHY_FEATURES }) }),
      riskModel: createInMemoryRiskModel(),
      healer: createInMemoryHealer(),
      clock,
      policy: { threshold: 0.5 },
      targetOverrides: catalog.overridesOf,
    });
    const thresholds: number[] = [];
    pipeline.subscribe((record) => thresholds.push(record.assessment.threshold));
    const controller = new AbortController();

    const watching = pipeline.watch(catalog, { signal: controller.signal });
    await advanceOnceSleeping(clock, 0);
    controller.abort();
    await watching;

    expect(thresholds[0]).toBe(0.8);
  });
});

describe('createTargetCatalog', () => {
  it('keeps the last answer of a source that fails and reports the failure', async () => {
    const discovery = mutableSource();
    discovery.set({ targets: [listed({ target: frontend })], skipped: [] });
    const errors: string[] = [];
    const catalog = createTargetCatalog({ sources: [discovery], onError: (error, source) => errors.push(`${source}: ${(error as Error).message}`) });
    await catalog.targets();

    discovery.set(new Error('watch connection lost'));
    const listing = await catalog.targets();

    expect(listing.targets.map((entry) => entry.target.name)).toEqual(['frontend']);
    expect(errors).toEqual(['discovery: watch connection lost']);
  });

  it('rejects when no source has ever answered', async () => {
    const discovery = mutableSource();
    discovery.set(new Error('not synced yet'));

    await expect(createTargetCatalog({ sources: [discovery] }).targets()).rejects.toThrow(/no target source has answered yet \(discovery\)/);
  });

  it('keeps the first source’s entry for a target listed twice and does not call it skipped', async () => {
    const discovery = mutableSource();
    discovery.set({
      targets: [listed({ target: backend, overrides: { threshold: 0.9 } })],
      skipped: [{ target: backend, reason: 'invalid-overrides', message: 'x', origin: 'discovery' }, { target: worker, reason: 'not-opted-in', message: 'y', origin: 'discovery' }],
    });
    const catalog = createTargetCatalog({ sources: [createStaticTargetSource([backend]), discovery] });

    const listing = await catalog.targets();

    expect(listing.targets).toEqual([{ target: backend, origin: 'config' }]);
    expect(listing.skipped.map((entry) => entry.target.name)).toEqual(['worker']);
    expect(catalog.overridesOf(backend)).toBeUndefined();
  });

  it('skips a target whose allowed steps leave no rung of the policy’s ladder, saying which', async () => {
    const discovery = mutableSource();
    discovery.set({ targets: [listed({ target: frontend, overrides: { steps: ['scale'] } })], skipped: [] });
    const catalog = createTargetCatalog({ sources: [discovery], policy });

    const listing = await catalog.targets();

    expect(listing.targets).toEqual([]);
    expect(listing.skipped).toEqual([expect.objectContaining({ target: frontend, reason: 'invalid-overrides', message: expect.stringMatching(/allowed steps \(scale\) leave no step of the ladder/) })]);
  });

  it('refuses a bad static target naming its index and field', () => {
    expect(() => createStaticTargetSource([backend, { namespace: 'Prod', name: 'x' }])).toThrow(/targets\[1\]\.namespace must be a DNS label/);
  });
});
