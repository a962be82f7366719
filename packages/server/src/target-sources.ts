/**
 * Where the server's watch loop gets its targets: the config's `targets:` and, with a `discovery:`
 * section, the Kubernetes adapter's discovery, merged by core's `createTargetCatalog` (the static
 * list first). The catalog's overrides judge discovered targets in every entry point (the pipeline's
 * `targetOverrides`), and `status` and `doctor` read the same listing.
 */
import { createStaticTargetSource, createTargetCatalog, errorMessage, targetKey, type Policy, type TargetCatalog, type TargetListing, type TargetSource } from '@autoheal/core';
import type { KubernetesTargetDiscovery, KubernetesTargetDiscoveryOptions } from '@autoheal/adapter-kubernetes';
import type { Logger } from 'pino';
import { discoveryOptionsFromConfig } from './config/adapter-options.js';
import type { AutohealConfig } from './config/config-schema.js';

/** The server's targets. */
export interface ServerTargets {
  catalog: TargetCatalog;
  /** The discovery, once it started (at the first `catalog.targets()`); `undefined` without `discovery:`. */
  discovery(): KubernetesTargetDiscovery | undefined;
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
        return (await discovery).targets(callOptions);
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
