/**
 * `createTargetCatalog`: several {@link TargetSource}s (the config's static list, discovery) as one,
 * remembering the last answer so the pipeline's `targetOverrides`, `status` and `doctor` read the
 * same target set the loop evaluates.
 */
import { ConfigError, errorMessage } from './errors.js';
import type { CallOptions } from './interfaces/call-options.js';
import type { TargetSource } from './interfaces/target-source.js';
import { policyForTarget, type Policy, type TargetOverrides } from './pipeline/policy.js';
import { targetKey, targetRefSchema, type TargetRef, type TargetRefInput } from './target.js';
import type { ListedTarget, SkippedTarget, TargetListing } from './target-listing.js';

/** Options of {@link createTargetCatalog}. */
export interface TargetCatalogOptions {
  /** Asked in this order; a target listed by two sources keeps the first one's entry (put the static list first). */
  sources: readonly TargetSource[];
  /**
   * The policy the overrides are applied to: a target whose overrides leave it no step of the ladder
   * is skipped (`invalid-overrides`) instead of failing at every evaluation. @default not checked
   */
  policy?: Policy;
  /** Hears a source that failed (its last answer is used meanwhile). @default ignored */
  onError?: (error: unknown, source: string) => void;
}

/** A {@link TargetSource} over several, with what it answered last. */
export interface TargetCatalog extends TargetSource {
  /** The overrides of `target` in the last answer; `undefined` when it has none or was not listed. */
  overridesOf(target: Pick<TargetRef, 'namespace' | 'name' | 'cluster'>): TargetOverrides | undefined;
  /** The last answer; `undefined` before the first. */
  lastListing(): TargetListing | undefined;
}

/**
 * Merges target sources. A source that fails answers with its last listing (a discovery that lost its
 * connection must not make the loop forget its targets); one that never answered adds nothing, and
 * the failure goes to `onError`. Rejects only when every source failed and none ever answered.
 *
 * @example
 * const catalog = createTargetCatalog({ sources: [createStaticTargetSource(config.targets), discovery] });
 * await pipeline.watch(catalog, { intervalMs: 15_000 });
 */
export function createTargetCatalog(options: TargetCatalogOptions): TargetCatalog {
  const { sources, policy, onError } = options;
  const lastBySource = new Map<TargetSource, TargetListing>();
  let last: TargetListing | undefined;
  let overrides = new Map<string, TargetOverrides>();

  /** Moves a target whose overrides the policy cannot apply to the skipped list. */
  function checked(entry: ListedTarget, skipped: SkippedTarget[]): boolean {
    if (!policy || !entry.overrides) return true;
    try {
      policyForTarget(policy, entry.target, entry.overrides);
      return true;
    } catch (error) {
      skipped.push({ target: entry.target, reason: 'invalid-overrides', message: errorMessage(error), origin: entry.origin });
      return false;
    }
  }

  return {
    name: `catalog(${sources.map((source) => source.name).join(', ')})`,
    async targets(callOptions: CallOptions = {}) {
      const answers = await Promise.all(
        sources.map(async (source) => {
          try {
            const listing = await source.targets(callOptions);
            lastBySource.set(source, listing);
            return listing;
          } catch (error) {
            onError?.(error, source.name);
            return lastBySource.get(source);
          }
        }),
      );
      if (answers.every((answer) => answer === undefined) && sources.length > 0) {
        throw new Error(`no target source has answered yet (${sources.map((source) => source.name).join(', ')}); see the errors reported before`);
      }
      const listed = new Map<string, ListedTarget>();
      const skipped: SkippedTarget[] = [];
      for (const answer of answers) {
        for (const entry of answer?.targets ?? []) {
          const key = targetKey(entry.target);
          if (!listed.has(key) && checked(entry, skipped)) listed.set(key, entry);
        }
      }
      const skippedKeys = new Set<string>();
      for (const answer of answers) {
        for (const entry of answer?.skipped ?? []) {
          const key = targetKey(entry.target);
          // Listed by another source (the static list): it is evaluated, so not "skipped".
          if (!listed.has(key) && !skippedKeys.has(key)) (skippedKeys.add(key), skipped.push(entry));
        }
      }
      last = { targets: [...listed.values()], skipped: skipped.filter((entry) => !listed.has(targetKey(entry.target))) };
      overrides = new Map(last.targets.filter((entry) => entry.overrides).map((entry) => [targetKey(entry.target), entry.overrides!]));
      return last;
    },
    overridesOf: (target) => overrides.get(targetKey(target)),
    lastListing: () => last,
    async close() {
      await Promise.all(sources.map((source) => source.close?.()));
    },
  };
}

/**
 * The config's static targets as a {@link TargetSource} (origin `config`). Validates them at once:
 * throws the schema's error naming the bad entry.
 */
export function createStaticTargetSource(targets: readonly TargetRefInput[], origin = 'config'): TargetSource {
  const listing: TargetListing = {
    targets: targets.map((input, index) => {
      const parsed = targetRefSchema.safeParse(input);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new ConfigError(`targets[${index}].${issue?.path.join('.')} ${issue?.message}`, { component: origin });
      }
      return { target: parsed.data, origin };
    }),
    skipped: [],
  };
  return { name: origin, targets: async () => listing };
}
