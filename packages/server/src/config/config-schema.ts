/**
 * The schema of autoheal's configuration (a YAML/JSON file plus `AUTOHEAL_*` environment overrides
 * and CLI flags), composed from the option schemas of core and the adapters: a section that maps
 * onto an adapter's options reuses that adapter's field schemas, so the limits and defaults are
 * declared once, where they are used. What stays here is the server's own: its sections (`server`,
 * `model`, `watch`, `log`, `targets`), file conveniences (durations such as `2m`, `namespace/name`
 * strings) and the names the config file has always used (`kubeconfig` for `kubeconfigPath`).
 *
 * The Prometheus and Kubernetes adapters load the Kubernetes client (~65 MB) when imported, which a
 * predict-only server never needs; their schemas are therefore passed in
 * ({@link createConfigSchema}) and imported only when a config names their sections
 * (`adapter-schemas.ts`).
 */
import { parseTargetString, policySchema, targetRefSchema } from '@autoheal/core';
import { slackNotifierOptionsSchema } from '@autoheal/adapter-slack';
import type { prometheusFeatureSourceOptionsSchema } from '@autoheal/adapter-prometheus';
import type { kubernetesHealerOptionsSchema, kubernetesTargetDiscoveryOptionsSchema, leaderElectorOptionsSchema } from '@autoheal/adapter-kubernetes';
import { z } from 'zod';
import { durationField, durationSchema } from './duration.js';

/** The option schemas of the adapters that load the Kubernetes client (see the module comment). */
export interface AdapterOptionSchemas {
  prometheus: typeof prometheusFeatureSourceOptionsSchema;
  kubernetes: typeof kubernetesHealerOptionsSchema;
  leaderElection: typeof leaderElectorOptionsSchema;
  discovery: typeof kubernetesTargetDiscoveryOptionsSchema;
}

/** The config sections whose schemas come from {@link AdapterOptionSchemas}. */
export const ADAPTER_SECTIONS = ['prometheus', 'kubernetes', 'leaderElection', 'discovery'] as const satisfies ReadonlyArray<keyof AdapterOptionSchemas>;

/** A target as `namespace/name` or as an object. */
export const targetEntrySchema = z.union([
  z.string().transform((text, ctx) => {
    try {
      return parseTargetString(text);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  }),
  targetRefSchema,
]);

/** `namespace/name:port` (as in `--prometheus-service monitoring/prometheus-operated:9090`) as a service reference; `undefined` when it is not one. */
export function parseServiceReference(text: string): { namespace: string; name: string; port: number | string } | undefined {
  const match = /^([a-z0-9-]+)\/([a-z0-9.-]+):([a-z0-9-]+)$/.exec(text);
  if (!match) return undefined;
  return { namespace: match[1]!, name: match[2]!, port: /^\d+$/.test(match[3]!) ? Number(match[3]) : match[3]! };
}

// ---- sections that map onto an adapter's options ------------------------------------------------

/** `prometheus:` — the Prometheus feature source's options, with `timeout` as a duration and `bearerToken` for `auth`. */
export function prometheusSection(options: AdapterOptionSchemas['prometheus']) {
  const o = options.shape;
  return z
    .strictObject({
      url: o.url,
      /** An in-cluster service reached through the Kubernetes API's service proxy, instead of `url`. */
      service: z.preprocess((value, ctx) => {
        if (typeof value !== 'string') return value;
        const reference = parseServiceReference(value);
        if (!reference) ctx.addIssue({ code: 'custom', message: `"${value}" is not a service reference: write namespace/service:port, e.g. monitoring/prometheus-operated:9090` });
        return reference ?? value;
      }, o.service),
      queries: o.queries,
      /** Where request and error signals come from: a preset, `{ preset, labels }` or a custom pair (the adapter's requestMetrics). */
      requestMetrics: o.requestMetrics,
      /** Per-target request preset, keyed by `namespace/name`. */
      targetRequestMetrics: o.targetRequestMetrics,
      rateWindow: o.rateWindow,
      trendWindow: o.trendWindow,
      priorWindow: o.priorWindow,
      priorOffset: o.priorOffset,
      /** `queries` (computed at every collection) or `recording-rules` (read autoheal:signals:* recorded by Prometheus). */
      signalSource: o.signalSource,
      minRequests: o.minRequests,
      timeout: durationField(o.timeoutMs),
      /** Sent as `Authorization: Bearer …`. Prefer a secret mounted as a file or the environment. */
      bearerToken: z.string().min(1).optional(),
      headers: o.headers,
    })
    .superRefine((section, ctx) => {
      if (section.url && section.service) {
        ctx.addIssue({ code: 'custom', path: ['service'], message: 'cannot be set with url: keep url for a Prometheus autoheal can reach directly, or service to read an in-cluster one through the Kubernetes API' });
      }
      if (section.service && section.bearerToken) {
        ctx.addIssue({
          code: 'custom',
          path: ['bearerToken'],
          message: 'cannot be used with service: the Kubernetes API server consumes the Authorization header, and the kubeconfig (kubernetes.kubeconfig, kubernetes.context, kubernetes.inCluster) supplies the credentials',
        });
      }
    });
}

/** `kubernetes:` — where the healer (and a proxied Prometheus) find the cluster. */
export function kubernetesSection(options: AdapterOptionSchemas['kubernetes']) {
  const o = options.shape;
  return z.strictObject({
    /** Path of a kubeconfig file; the default loading rules (KUBECONFIG, ~/.kube/config, in-cluster) when unset. Wins over `inCluster` (a `--kubeconfig` flag over the file's `inCluster: true`). */
    kubeconfig: o.kubeconfigPath,
    context: o.context,
    inCluster: o.inCluster,
  });
}

/** `leaderElection:` — the Lease the replicas compete for; the names are the server's defaults. */
export function leaderElectionSection(options: AdapterOptionSchemas['leaderElection']) {
  const o = options.shape;
  return z.strictObject({
    /** With 2+ replicas: only the Lease holder evaluates and acts. */
    enabled: z.boolean().default(false),
    namespace: o.namespace.default('autoheal'),
    leaseName: o.name.default('autoheal-leader'),
    /** @default the POD_NAME environment variable, else host name and process id */
    identity: o.identity.optional(),
    /**
     * How long `autoheal run` waits to lead before it gives up acting (another process, e.g. the
     * in-cluster server, holds the Lease and heals these targets). Twice the Lease's 15 s: enough to
     * take over from a holder that crashed or just released it. @default 30s
     */
    waitForLease: durationSchema.default(30_000),
  });
}

/**
 * `discovery:` — targets found in the cluster besides `targets:` (the Kubernetes adapter's discovery):
 * the Deployments of the namespaces `namespaceSelector` chooses that carry `annotation: "true"`,
 * with their overrides from annotations under the same prefix. The cluster is `kubernetes:`'s.
 */
export function discoverySection(options: AdapterOptionSchemas['discovery']) {
  const o = options.shape;
  return z.strictObject({
    /** Label selector of the Namespaces whose Deployments are candidates, e.g. `team=payments`. */
    namespaceSelector: o.namespaceSelector,
    /** Label selector narrowing the Deployments watched (on the server side). */
    deploymentSelector: o.deploymentSelector,
    /** The opt-in annotation; overrides are read under its prefix. @default autoheal.dev/enabled */
    annotation: o.annotation,
  });
}

// ---- sections that map onto core's policy and the Slack notifier (light: always loaded) --------

const policyOptions = policySchema.shape;
const circuitBreakerOptions = policyOptions.circuitBreaker.unwrap().shape;
const keepOptions = policyOptions.keep.unwrap().shape;

/** `policy:` — core's policy with durations instead of milliseconds. */
export const policySection = z
  .strictObject({
    /** Unset: the threshold the model was tuned for, else 0.50 (core's `resolveThreshold`). */
    threshold: policyOptions.threshold,
    targetThresholds: policyOptions.targetThresholds,
    /** `diagnose` (default): the diagnosed step first when confident; `ladder`: the ladder in its order (the original behaviour). */
    strategy: policyOptions.strategy,
    ladder: policyOptions.ladder,
    recheckDelay: durationField(policyOptions.recheckDelayMs),
    /** Minimum time between two steps on a target; the re-check delay when unset (so escalation is never slower than the re-check). */
    cooldown: durationField(policyOptions.cooldownMs.unwrap().optional()),
    /** When a step counts as having worked: healthy at this many evaluations in a row, spanning at least `minHealthy` (core's `keep`). */
    keep: z.strictObject({ healthyEvaluations: keepOptions.healthyEvaluations, minHealthy: durationField(keepOptions.minHealthyMs) }).prefault({}),
    healthyReset: durationField(policyOptions.healthyResetMs),
    circuitBreaker: z.strictObject({ maxActions: circuitBreakerOptions.maxActions, window: durationField(circuitBreakerOptions.windowMs) }).prefault({}),
    dryRun: policyOptions.dryRun,
    /** Longest a step may run; a claimed step whose holder vanished stops counting as in flight this long (plus 30 s) after it started. */
    actionTimeout: durationField(policyOptions.actionTimeoutMs),
    /** `{ all: true, reason? }` holds every target: look and record only (`suppressed`/`paused`). */
    pause: policyOptions.pause,
    /** Weekly `{ days?, start, end, timeZone? }` or one-off `{ from, until }` windows of look-and-record only (`suppressed`/`maintenance`). */
    maintenanceWindows: policyOptions.maintenanceWindows,
  })
  .prefault({});

const slackOptions = slackNotifierOptionsSchema.shape;

/** `slack:` — the Slack notifier; without a webhook nothing is posted. */
export const slackSection = z
  .strictObject({
    /** Prefer the SLACK_WEBHOOK_URL environment variable. */
    webhookUrl: slackOptions.webhookUrl,
    minSeverity: slackOptions.minSeverity,
  })
  .prefault({});

// ---- the server's own sections ----------------------------------------------------------------

const timeout = (fallbackMs: number) => durationSchema.default(fallbackMs).pipe(z.number().int().min(100, 'must be at least 100ms'));

/** `server.timeouts:` — the limits for slow clients (Node's headersTimeout, requestTimeout and keepAliveTimeout). */
export const timeoutsSection = z
  .strictObject({
    /** The request line and headers must arrive within this. @default 10s */
    headers: timeout(10_000),
    /** The whole request, headers and body, must arrive within this. @default 30s */
    request: timeout(30_000),
    /** An idle kept-alive connection is closed after this. Raise it above a load balancer's idle timeout. @default 5s */
    keepAlive: timeout(5_000),
  })
  .superRefine((section, ctx) => {
    if (section.headers > section.request) ctx.addIssue({ code: 'custom', path: ['headers'], message: `must not be longer than request (${section.request} ms): the headers are part of the request` });
  })
  .prefault({});

const token = z.string().min(16, 'must be at least 16 characters (use a random token)');

export const serverSection = z
  .strictObject({
    host: z.string().default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(5000),
    /** Turns off every mutating route (evaluate now); the dashboard hides its buttons. */
    readOnly: z.boolean().default(false),
    /** Bearer token for mutating routes (it grants reads too). Prefer the AUTOHEAL_API_TOKEN environment variable. */
    apiToken: token.optional(),
    /**
     * `token`: the dashboard page, `/api/*` reads and the event stream need a token (the viewer token
     * or the API token; the page signs in once and keeps a session cookie). `open`: anyone who can
     * reach the port reads. @default token when a viewer token is set, else open
     */
    readAccess: z.enum(['open', 'token']).optional(),
    /** Bearer token that grants reads only (the dashboard, `/api/*` GETs, the event stream). Prefer AUTOHEAL_VIEWER_TOKEN. */
    viewerToken: token.optional(),
    /** Bearer token `/metrics` needs (a read token works too); without one `/metrics` stays open. Prefer AUTOHEAL_METRICS_TOKEN. */
    metricsToken: token.optional(),
    /** Origins allowed to call the API from a browser (the dashboard on another origin). */
    corsOrigins: z.array(z.string().min(1)).default([]),
    /** Largest accepted request body, in bytes. */
    bodyLimitBytes: z.number().int().min(256).max(10 * 1024 * 1024).default(64 * 1024),
    /** How long a client may take to send a request; a slower one (slowloris) gets 408 and is disconnected. */
    timeouts: timeoutsSection,
    /** Decision records kept per target for the API and the dashboard. */
    historySize: z.number().int().min(1).max(10_000).default(500),
    /** Decision records kept over all targets; with many targets each keeps an even share (at least 2). */
    historyTotal: z.number().int().min(100).max(1_000_000).default(20_000),
    /** Serve the dashboard bundle at `/`. */
    dashboard: z.boolean().default(true),
  })
  .superRefine((section, ctx) => {
    if (section.readAccess === 'open' && section.viewerToken) {
      ctx.addIssue({ code: 'custom', path: ['readAccess'], message: 'is "open" but a viewerToken is set, which would grant nothing: set readAccess to "token" (or leave it unset) to close reads, or remove the viewer token' });
    }
    if (section.readAccess === 'token' && !section.viewerToken && !section.apiToken) {
      ctx.addIssue({ code: 'custom', path: ['readAccess'], message: 'is "token" but no token is set: set viewerToken (AUTOHEAL_VIEWER_TOKEN) or apiToken (AUTOHEAL_API_TOKEN)' });
    }
  })
  .transform((section) => ({ ...section, readAccess: section.readAccess ?? (section.viewerToken ? ('token' as const) : ('open' as const)) }))
  .prefault({});

/** The model that judges by default: model v2, on feature set v2. */
export const DEFAULT_MODEL_PATH = 'models/risk-v2.onnx';
/** The model that answers `POST /predict` bodies of the original seven fields by default: model v1. */
export const DEFAULT_COMPATIBILITY_MODEL_PATH = 'models/risk-v1.onnx';

export const modelSection = z
  .strictObject({
    /** The model that judges: the loop, `run`, `predict`, the operator commands, the dashboard, and `/predict` bodies of its own features. */
    path: z.string().min(1).default(DEFAULT_MODEL_PATH),
    /**
     * Feature names the model must declare, in order. Unset: the names of the feature set its
     * `feature_set` metadata declares (v2's eighteen — the first sixteen for a v2 model trained before the trend features — or the seven seed signals for a model without it).
     */
    featureNames: z.array(z.string().min(1)).min(1).optional(),
    /**
     * The model that answers `POST /predict` bodies with the original project's seven fields, when
     * `path`'s model takes other features (model v2). `false`: no such model; seven-field bodies are
     * refused with the fields `path`'s model takes. Ignored when `path`'s model takes the seven itself.
     */
    compatibilityPath: z.union([z.string().min(1), z.literal(false)]).default(DEFAULT_COMPATIBILITY_MODEL_PATH),
  })
  .prefault({});

export const watchSection = z
  .strictObject({
    interval: durationSchema.default(15_000),
    concurrency: z.number().int().min(1).max(256).default(8),
  })
  .prefault({});

export const logSection = z.strictObject({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') }).prefault({});

/**
 * The whole schema. An adapter section is optional: absent, it is `undefined` in the result and the
 * adapter applies its own defaults when it is created. A section can only be validated with its
 * adapter's schema, so `adapters` must hold the schema of every section present in the input
 * (`loadAdapterSchemas` imports them).
 */
export function createConfigSchema(adapters: Partial<AdapterOptionSchemas>) {
  return z.strictObject({
    server: serverSection,
    prometheus: adapterSection(adapters.prometheus, prometheusSection),
    model: modelSection,
    kubernetes: adapterSection(adapters.kubernetes, kubernetesSection),
    /** Workloads to watch, as `namespace/name` or objects. */
    targets: z.array(targetEntrySchema).default([]),
    /** Workloads found in the cluster and opted in by annotation, besides `targets`. */
    discovery: adapterSection(adapters.discovery, discoverySection),
    policy: policySection,
    watch: watchSection,
    slack: slackSection,
    leaderElection: adapterSection(adapters.leaderElection, leaderElectionSection),
    log: logSection,
  });
}

/** The section built from the adapter's schema, or one that accepts only its absence when the schema was not loaded. */
function adapterSection<A, S extends z.ZodType>(adapterSchema: A | undefined, build: (schema: A) => S) {
  // Without the adapter's schema only an absent section is valid; loadAdapterSchemas loads it whenever the input has the section.
  const section = adapterSchema ? build(adapterSchema) : (z.never({ error: 'internal: this section was given without its adapter schema (load it with loadAdapterSchemas)' }) as unknown as S);
  return section.optional();
}

export type ConfigSchema = ReturnType<typeof createConfigSchema>;
/** The validated configuration (defaults applied, durations in milliseconds). */
export type AutohealConfig = z.output<ConfigSchema>;
/** What a config file (or object) may hold. */
export type AutohealConfigInput = z.input<ConfigSchema>;
