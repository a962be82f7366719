/**
 * The option schemas of the Prometheus and Kubernetes adapters, imported only when a configuration
 * names their sections: both adapters load the Kubernetes client when imported, and a predict-only
 * server (no Prometheus, no targets) stays ~65 MB smaller without it (BENCHMARKS.md, server memory).
 */
import { ADAPTER_SECTIONS, createConfigSchema, type AdapterOptionSchemas, type ConfigSchema } from './config-schema.js';

type AdapterSection = keyof AdapterOptionSchemas;

const loaded: Partial<AdapterOptionSchemas> = {};
const schemas = new Map<string, ConfigSchema>();

/** The adapter sections `raw` (a config object before validation) has. */
export function adapterSectionsIn(raw: unknown): AdapterSection[] {
  if (typeof raw !== 'object' || raw === null) return [];
  return ADAPTER_SECTIONS.filter((section) => (raw as Record<string, unknown>)[section] !== undefined);
}

/**
 * Imports the option schemas of `sections` (all of them by default), once per process. Call it
 * before a synchronous `validateConfig` of a config with a `prometheus`, `kubernetes` or
 * `leaderElection` or `discovery` section; `loadConfig` does it for you.
 *
 * @example
 * await loadAdapterSchemas();
 * const config = validateConfig({ prometheus: { url: 'http://127.0.0.1:9090' } });
 */
export async function loadAdapterSchemas(sections: readonly AdapterSection[] = ADAPTER_SECTIONS): Promise<void> {
  if (sections.includes('prometheus') && !loaded.prometheus) {
    loaded.prometheus = (await import('@autoheal/adapter-prometheus')).prometheusFeatureSourceOptionsSchema;
  }
  if ((sections.includes('kubernetes') || sections.includes('leaderElection') || sections.includes('discovery')) && (!loaded.kubernetes || !loaded.leaderElection || !loaded.discovery)) {
    const kubernetes = await import('@autoheal/adapter-kubernetes');
    loaded.kubernetes = kubernetes.kubernetesHealerOptionsSchema;
    loaded.leaderElection = kubernetes.leaderElectorOptionsSchema;
    loaded.discovery = kubernetes.kubernetesTargetDiscoveryOptionsSchema;
  }
}

/** The sections of `raw` whose adapter schema has not been imported yet. */
export function missingAdapterSchemas(raw: unknown): AdapterSection[] {
  return adapterSectionsIn(raw).filter((section) => !loaded[section]);
}

/** The config schema with every adapter schema imported so far (built once per set). */
export function currentConfigSchema(): ConfigSchema {
  const key = ADAPTER_SECTIONS.filter((section) => loaded[section]).join(',');
  let schema = schemas.get(key);
  if (!schema) {
    schema = createConfigSchema({ ...loaded });
    schemas.set(key, schema);
  }
  return schema;
}
