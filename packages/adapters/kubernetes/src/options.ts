/** Options of {@link createKubernetesHealer}, validated with {@link kubernetesHealerOptionsSchema}. */
import { hostname } from 'node:os';
import { KubeConfig } from '@kubernetes/client-node';
import { z } from 'zod';

/** Schema of {@link KubernetesHealerOptions}. Exported so callers (the server, the CLI) can validate config files with it. */
export const kubernetesHealerOptionsSchema = z
  .object({
    /** Path of a kubeconfig file. */
    kubeconfigPath: z.string().min(1).optional(),
    /** A whole kubeconfig as a YAML (or JSON) string. */
    kubeconfigYaml: z.string().min(1).optional(),
    /** Use the in-cluster service account (token and CA mounted into the pod). */
    inCluster: z.boolean().optional(),
    /** An already loaded `KubeConfig` (tests, or callers that build their own). */
    kubeConfig: z.custom<KubeConfig>((value) => value instanceof KubeConfig, 'must be a KubeConfig from @kubernetes/client-node').optional(),
    /** Context to use from the kubeconfig; its current context when unset. */
    context: z.string().min(1).optional(),
    /**
     * `fieldManager` sent with every write, so `kubectl get -o yaml --show-managed-fields` shows who changed what.
     * @default 'autoheal'
     */
    fieldManager: z.string().min(1).max(128).default('autoheal'),
    /**
     * `source.component` and `reportingComponent` of the Events this healer records (`kubectl describe` shows it under "From").
     * @default 'autoheal'
     */
    eventSource: z.string().min(1).default('autoheal'),
    /**
     * `reportingInstance` of the Events (which replica of autoheal wrote them).
     * @default the host name
     */
    reportingInstance: z.string().min(1).default(() => hostname()),
    /**
     * When a HorizontalPodAutoscaler (autoscaling/v2) targets the Deployment, scale up by raising the HPA's
     * `minReplicas` (and restore it on reset) instead of writing `spec.replicas`, which the HPA would undo.
     * @default true
     */
    hpaAware: z.boolean().default(true),
    /**
     * Time limit of every API request, in ms.
     * @default 10000
     */
    requestTimeoutMs: z.number().int().positive().default(10_000),
    /**
     * How many times a state write is retried after a 409 Conflict (another writer changed the Deployment).
     * @default 5
     */
    conflictRetries: z.number().int().min(0).max(50).default(5),
    /**
     * Keep at most this many characters of each pod's stdout and stderr in exec results.
     * @default 2048
     */
    execOutputLimit: z.number().int().min(0).default(2048),
    /**
     * At most one `AutohealCircuitOpen` Event per Deployment in this time, in ms.
     * @default 600000 (10 min)
     */
    circuitEventIntervalMs: z.number().int().min(0).default(600_000),
    /**
     * How many recent Events `getDeploymentSummary` returns.
     * @default 10
     */
    summaryEventLimit: z.number().int().min(0).default(10),
    /**
     * Namespace of the pause ConfigMap that pauses every target (`autoheal pause --all`): autoheal's own, where its Lease is.
     * @default 'autoheal'
     */
    pauseNamespace: z.string().min(1).default('autoheal'),
    /**
     * Name of the pause ConfigMap (its `autoheal.dev/paused` annotation pauses every target).
     * @default 'autoheal-pause'
     */
    pauseConfigMapName: z.string().min(1).default('autoheal-pause'),
    /**
     * A read of the pause ConfigMap is reused for every target for this long, in ms (another process's `autoheal pause --all` is seen within it).
     * @default 5000
     */
    globalPauseCacheMs: z.number().int().min(0).default(5_000),
  })
  .superRefine((value, ctx) => {
    const sources = (['kubeconfigPath', 'kubeconfigYaml', 'inCluster', 'kubeConfig'] as const).filter(
      (key) => value[key] !== undefined && value[key] !== false,
    );
    if (sources.length > 1) {
      ctx.addIssue({
        code: 'custom',
        path: [sources[1] as string],
        message: `set only one of kubeconfigPath, kubeconfigYaml, inCluster and kubeConfig (got ${sources.join(' and ')})`,
      });
    }
  });

/** What {@link createKubernetesHealer} accepts (defaults applied by the schema). */
export type KubernetesHealerOptions = z.input<typeof kubernetesHealerOptionsSchema>;
/** {@link KubernetesHealerOptions} after validation, with every default filled in. */
export type ResolvedKubernetesHealerOptions = z.output<typeof kubernetesHealerOptionsSchema>;
