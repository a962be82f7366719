/**
 * A FeatureSource that reads the sandbox's metrics in-process, for machines without Prometheus. It
 * records a scrape every `scrapeIntervalMs` and computes the seven features with the trainer's
 * definitions, which are the same windows and formulas as the Prometheus adapter's default queries.
 */
import { AdapterError, DEFAULT_FEATURE_NAMES, targetKey, type FeatureObservation, type FeatureSource, type TargetRef } from '@autoheal/core';
import { SeriesRecorder, computeFeatures, type ScrapedSample } from '@autoheal/trainer';

export interface SandboxFeatureSourceOptions {
  /** What `/metrics` would render now (the sandbox's `scrape()`). */
  scrape: () => ScrapedSample[];
  /** The sandbox's clock (epoch ms). */
  now: () => number;
  /** @default 2000 */
  scrapeIntervalMs?: number;
}

export interface SandboxFeatureSource extends FeatureSource {
  /** Stops scraping. */
  close(): Promise<void>;
}

export function createSandboxFeatureSource(options: SandboxFeatureSourceOptions): SandboxFeatureSource {
  const recorder = new SeriesRecorder();
  const scrapeOnce = () => recorder.ingest(options.now(), options.scrape());
  scrapeOnce();
  const timer = setInterval(scrapeOnce, options.scrapeIntervalMs ?? 2000);
  timer.unref();

  const collectMany = async (targets: readonly TargetRef[], callOptions?: { signal?: AbortSignal }): Promise<FeatureObservation[]> => {
    callOptions?.signal?.throwIfAborted();
    const at = options.now();
    const computed = new Map(computeFeatures(recorder.series(), at).map((f) => [`${f.namespace}/${f.deployment}`, f]));
    return targets.map((target) => {
      const features = computed.get(targetKey({ namespace: target.namespace, name: target.name }));
      const values: Record<string, number | null> = {};
      const missing: Array<{ feature: string; reason: string }> = [];
      for (const name of DEFAULT_FEATURE_NAMES) {
        const value = features?.values[name] ?? null;
        values[name] = value;
        if (value === null) missing.push({ feature: name, reason: features ? 'no data in the window (or too few requests)' : 'no series for this deployment in the sandbox metrics' });
      }
      return { target, observedAt: at, values, missing };
    });
  };

  return {
    name: 'sandbox-metrics',
    featureNames: DEFAULT_FEATURE_NAMES,
    collectMany,
    async collect(target, callOptions) {
      const [observation] = await collectMany([target], callOptions);
      if (!observation) throw new AdapterError('no observation produced', { component: 'sandbox-metrics' });
      return observation;
    },
    async ping() {},
    async close() {
      clearInterval(timer);
    },
  };
}
