/** Options of {@link createKubernetesTargetDiscovery}, validated with {@link kubernetesTargetDiscoveryOptionsSchema}. */
import { KubeConfig } from '@kubernetes/client-node';
import type { SkippedTarget } from '@autoheal/core';
import { z } from 'zod';
import { invalidSelectorTerm } from './label-selector.js';

const SELECTOR_FORMS = 'key=value, key!=value, key in (a,b), key notin (a,b), key or !key, comma-separated';

/** A label selector, checked for syntax (see `label-selector.ts`). */
export const labelSelectorSchema = z
  .string()
  .trim()
  .min(1, `must not be empty: write a label selector (${SELECTOR_FORMS}), e.g. "team=payments"`)
  .superRefine((selector, ctx) => {
    const term = invalidSelectorTerm(selector);
    if (term !== undefined) ctx.addIssue({ code: 'custom', message: `"${term}" is not a label selector term: write ${SELECTOR_FORMS}, e.g. "team=payments"` });
  });

/** An annotation key with a prefix: `prefix/name`, where the overrides live under the same prefix. */
const annotationKeySchema = z
  .string()
  .regex(
    /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?\/[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/,
    'must be a prefixed annotation key such as "autoheal.dev/enabled" (the overrides are read from the same prefix: autoheal.dev/threshold, autoheal.dev/steps, autoheal.dev/strategy)',
  );

/** Schema of {@link KubernetesTargetDiscoveryOptions}. */
export const kubernetesTargetDiscoveryOptionsSchema = z.object({
  /** An already loaded `KubeConfig` (e.g. `healer.kubeConfig`). */
  kubeConfig: z.custom<KubeConfig>((value) => value instanceof KubeConfig, 'must be a KubeConfig from @kubernetes/client-node').optional(),
  kubeconfigPath: z.string().min(1).optional(),
  kubeconfigYaml: z.string().min(1).optional(),
  inCluster: z.boolean().optional(),
  context: z.string().min(1).optional(),
  /** Namespaces whose Deployments are candidates, by label (e.g. `team=payments`). */
  namespaceSelector: labelSelectorSchema,
  /** Narrows the Deployments watched, by label, on the server side. @default every Deployment of the selected namespaces */
  deploymentSelector: labelSelectorSchema.optional(),
  /**
   * The opt-in annotation; only `"true"` opts in. Overrides are read under its prefix:
   * `<prefix>/threshold`, `<prefix>/steps` (comma-separated), `<prefix>/strategy`. @default 'autoheal.dev/enabled'
   */
  annotation: annotationKeySchema.default('autoheal.dev/enabled'),
  /** Set on every discovered target (multi-cluster set-ups). */
  cluster: z.string().min(1).optional(),
  /**
   * Record a Warning Event (`AutohealInvalidAnnotation`) on a Deployment whose annotations are
   * invalid, once per distinct problem. Off in dry-run, which writes nothing. @default true
   */
  recordEvents: z.boolean().default(true),
  /** `source.component` and `reportingComponent` of those Events. @default 'autoheal' */
  eventSource: z.string().min(1).default('autoheal'),
  /** How long `targets()` waits for the first list of both resources before it rejects. @default 30000 */
  syncTimeoutMs: z.number().int().min(1).default(30_000),
  /** First wait before re-connecting a watch that failed; doubled per failure up to 30 s. @default 1000 */
  reconnectDelayMs: z.number().int().min(1).default(1_000),
  /** Time limit of the list requests, in ms. @default 30000 */
  requestTimeoutMs: z.number().int().positive().default(30_000),
  /** Hears a workload skipped for invalid annotations (once per distinct problem). */
  onInvalid: z.custom<(skipped: SkippedTarget) => void>((value) => typeof value === 'function', 'must be a function (skipped) => void').optional(),
  /** Hears background failures (a watch that dropped, an Event that could not be written); they are retried, never thrown. */
  onError: z.custom<(error: unknown) => void>((value) => typeof value === 'function', 'must be a function (error) => void').optional(),
});

/** What {@link createKubernetesTargetDiscovery} accepts. */
export type KubernetesTargetDiscoveryOptions = z.input<typeof kubernetesTargetDiscoveryOptionsSchema>;
