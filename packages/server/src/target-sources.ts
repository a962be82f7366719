/**
 * Where the server's watch loop gets its targets: the config's `targets:` and, with a `discovery:`
 * section, the Kubernetes adapter's discovery, merged by core's `createTargetCatalog` (the static
 * list first). The catalog's overrides judge discovered targets in every entry point (the pipeline's
 * `targetOverrides`), and `status` and `doctor` read the same listing.
 */
import { createStaticTargetSource, createTargetCatalog, errorMessage, targetKey, type Policy, type SkippedTarget, type TargetCatalog, type TargetListing, type TargetOverrides, type TargetRef, type TargetSource } from '@autoheal/core';
import type { KubernetesTargetDiscovery, KubernetesTargetDiscoveryOptions } from '@autoheal/adapter-kubernetes';
import type { Logger } from 'pino';
import { discoveryOptionsFromConfig } from './config/adapter-options.js';
import type { AutohealConfig } from './config/config-schema.js';

/** The server's targets. */
export interface ServerTargets {
  catalog: TargetCatalog;
  /** The discovery, once it started (at the first `catalog.targets()`); `undefined` without `discovery:`. */
  discovery(): KubernetesTargetDiscovery | undefined;
  /**
   * Before a command judges targets it was given by name (`run`, `predict`, `heal`, `status
   * TARGET`): with `discovery:`, lists the targets once, so a discovered workload is judged by its
   * annotations (its threshold, its allowed steps, its strategy) as the loop judges it; without that
   * listing, `heal` would climb the default ladder on a workload whose annotation allows only a
   * restart. A named target the config file lists (`configured`) keeps the config's rules, as in
   * the loop. Answers those of `named` that discovery skips for a bad annotation (the loop does not
   * evaluate them). Without `discovery:` it lists nothing and answers `[]`.
   */
  lookUp(named: readonly TargetRef[], configured: readonly TargetRef[]): Promise<SkippedTarget[]>;
  /** The overrides a target is judged by: a looked-up named target's, else the catalog's last listing's. */
  overridesOf(target: Pick<TargetRef, 'namespace' | 'name' | 'cluster'>): TargetOverrides | undefined;
  close(): Promise<void>;
}

/**
 * The catalog of the config's targets (and discovery, when configured). The discovery is created at
 * the first listing, so a command that never lists (`predict`, `run`) opens no watch.
 * `recordEvents: false` (the operator commands, which change nothing) writes no Event about a bad
 * annotation; the loop's process does.
 */
export function createServerTargets(config: AutohealConfig, logger: Logger, options: { policy: Policy; kubeConfig?: KubernetesTargetDiscoveryOptions['kubeConfig']; recordEvents?: boolean }): ServerTargets {
  const discoveryOptions = discoveryOptionsFromConfig(config);
  let discovery: Promise<KubernetesTargetDiscovery> | undefined;
  let started: KubernetesTargetDiscovery | undefined;
  /** Discovery's own last answer (the catalog's merges it under the config's list). */
  let discovered: TargetListing | undefined;
  /** What `lookUp` found for the named targets; the loop never looks up, so it stays empty there. */
  const namedOverrides = new Map<string, TargetOverrides | undefined>();
  const sources: TargetSource[] = [createStaticTargetSource(config.targets)];
  if (discoveryOptions) {
    sources.push({
      name: 'kubernetes-discovery',
      async targets(callOptions) {
        discovery ??= import('@autoheal/adapter-kubernetes').then(({ createKubernetesTargetDiscovery }) => {
          started = createKubernetesTargetDiscovery({
            ...discoveryOptions,
            ...(options.kubeConfig ? { kubeConfig: options.kubeConfig } : {}),
            ...(options.recordEvents === false ? { recordEvents: false } : {}),
            onInvalid: (skipped) => logger.warn({ target: targetKey(skipped.target), reason: skipped.reason }, `discovery skips ${targetKey(skipped.target)}: ${skipped.message}`),
            onError: (error) => logger.warn({ err: error }, 'discovery: watch problem (retrying)'),
          });
          return started;
        });
        discovered = await (await discovery).targets(callOptions);
        return discovered;
      },
    });
  }
  const catalog = createTargetCatalog({
    sources,
    policy: options.policy,
    onError: (error, source) => logger.warn({ err: error, source }, `target source ${source} failed: ${errorMessage(error)} (its last listing is used)`),
  });
  return {
    catalog,
    discovery: () => started,
    async lookUp(named, configured) {
      if (!discoveryOptions || named.length === 0) return [];
      await catalog.targets();
      const fromConfig = new Set(configured.map((target) => targetKey(target)));
      const wanted = named.filter((target) => !fromConfig.has(targetKey(target)));
      const skipped: SkippedTarget[] = [];
      for (const target of wanted) {
        const key = targetKey(target);
        const listed = discovered?.targets.find((entry) => targetKey(entry.target) === key);
        if (listed) namedOverrides.set(key, listed.overrides);
        const skip = discovered?.skipped.find((entry) => entry.reason === 'invalid-overrides' && targetKey(entry.target) === key);
        if (skip) skipped.push(skip);
      }
      return skipped;
    },
    overridesOf(target) {
      const key = targetKey(target);
      return namedOverrides.has(key) ? namedOverrides.get(key) : catalog.overridesOf(target);
    },
    async close() {
      await started?.close();
    },
  };
}

const NOTHING: TargetListing = { targets: [], skipped: [] };

/**
 * `source` while this process leads, an empty listing otherwise: followers evaluate nothing until
 * they lead (leader election).
 */
export function whileLeading(source: TargetSource, isLeader: () => boolean): TargetSource {
  return { name: source.name, targets: async (callOptions) => (isLeader() ? source.targets(callOptions) : NOTHING) };
}
