/**
 * The one schema of autoheal's configuration: a YAML/JSON file plus `AUTOHEAL_*` environment
 * overrides. Every field has a default that gives a working local set-up, except what must come
 * from the user (where Prometheus is, which cluster). `autoheal config validate FILE` checks a file
 * against it without starting anything.
 */
import { DEFAULT_FEATURE_NAMES, healStepSchema, parseTargetString, targetRefSchema } from '@autoheal/core';
import { z } from 'zod';
import { durationSchema } from './duration.js';

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

/** `namespace/name:port`, as in `--prometheus-service monitoring/prometheus-operated:9090`. */
export const prometheusServiceSchema = z.union([
  z.string().transform((text, ctx) => {
    const match = /^([a-z0-9-]+)\/([a-z0-9.-]+):([a-z0-9-]+)$/.exec(text);
    if (!match) {
      ctx.addIssue({ code: 'custom', message: `"${text}" is not a service reference: write namespace/service:port, e.g. monitoring/prometheus-operated:9090` });
      return z.NEVER;
    }
    const port = /^\d+$/.test(match[3]!) ? Number(match[3]) : match[3]!;
    return { namespace: match[1]!, name: match[2]!, port, scheme: 'http' as const };
  }),
  z.strictObject({
    namespace: z.string().min(1),
    name: z.string().min(1),
    port: z.union([z.number().int().min(1).max(65535), z.string().min(1)]),
    scheme: z.enum(['http', 'https']).default('http'),
  }),
]);

export const configSchema = z
  .object({
    server: z
      .object({
        host: z.string().default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(5000),
        /** Turns off every mutating route (evaluate now); the dashboard hides its buttons. */
        readOnly: z.boolean().default(false),
        /** Bearer token for mutating routes. Prefer the AUTOHEAL_API_TOKEN environment variable. */
        apiToken: z.string().min(16, 'must be at least 16 characters (use a random token)').optional(),
        /** Origins allowed to call the API from a browser (the dashboard on another origin). */
        corsOrigins: z.array(z.string().min(1)).default([]),
        /** Largest accepted request body, in bytes. */
        bodyLimitBytes: z.number().int().min(256).max(10 * 1024 * 1024).default(64 * 1024),
        /** Decision records kept per target for the API and the dashboard. */
        historySize: z.number().int().min(1).max(10_000).default(500),
        /** Serve the dashboard bundle at `/`. */
        dashboard: z.boolean().default(true),
      })
      .prefault({}),
    prometheus: z
      .object({
        /** Base URL of the Prometheus HTTP API. */
        url: z.url('must be a URL such as http://127.0.0.1:9090').optional(),
        /** An in-cluster service reached through the Kubernetes API's service proxy, instead of `url`. */
        service: prometheusServiceSchema.optional(),
        /** Per-feature PromQL overrides, keyed by feature name. */
        queries: z.record(z.string(), z.string().min(1)).default({}),
        /**
         * Range of the default queries' rate()/increase() for CPU, network and HTTP (the original
         * project's `2m`). Shorter windows react faster but are noisier; the shipped model was trained
         * on 2m. The 5-minute restart window is part of the feature's definition and does not change.
         */
        rateWindow: z.string().regex(/^\d+[smh]$/, 'must be a PromQL duration such as 2m or 30s').default('2m'),
        /** 5xx rates computed from fewer requests than this are reported missing. */
        minRequests: z.number().min(0).default(5),
        timeout: durationSchema.default(10_000),
        bearerToken: z.string().optional(),
        headers: z.record(z.string(), z.string()).default({}),
      })
      .prefault({}),
    model: z
      .object({
        path: z.string().min(1).default('models/risk-v1.onnx'),
        /** Feature names the model must declare; the default seven unless changed. */
        featureNames: z.array(z.string().min(1)).min(1).default([...DEFAULT_FEATURE_NAMES]),
      })
      .prefault({}),
    kubernetes: z
      .object({
        /** Path of a kubeconfig file; the default loading rules (KUBECONFIG, ~/.kube/config, in-cluster) when unset. */
        kubeconfig: z.string().min(1).optional(),
        context: z.string().min(1).optional(),
        inCluster: z.boolean().default(false),
      })
      .prefault({}),
    /** Workloads to watch, as `namespace/name` or objects. */
    targets: z.array(targetEntrySchema).default([]),
    policy: z
      .object({
        /**
         * At-risk when probability >= threshold. Unset: the threshold the model was tuned for (its
         * `threshold` metadata), or 0.50 — the original project's RISK_THRESHOLD — when it has none.
         */
        threshold: z.number().min(0).max(1).optional(),
        targetThresholds: z.record(z.string(), z.number().min(0).max(1)).default({}),
        ladder: z.array(healStepSchema).min(1).optional(),
        recheckDelay: durationSchema.default(120_000),
        /** Minimum time between two steps on a target; the re-check delay when unset (so escalation is never slower than the re-check). */
        cooldown: durationSchema.optional(),
        healthyReset: durationSchema.default(600_000),
        circuitBreaker: z
          .object({ maxActions: z.number().int().min(1).default(5), window: durationSchema.default(3_600_000) })
          .prefault({}),
        dryRun: z.boolean().default(false),
      })
      .prefault({}),
    watch: z
      .object({
        interval: durationSchema.default(15_000),
        concurrency: z.number().int().min(1).max(256).default(8),
      })
      .prefault({}),
    slack: z
      .object({
        /** Prefer the SLACK_WEBHOOK_URL environment variable. */
        webhookUrl: z.url('must be the https URL of a Slack incoming webhook').optional(),
        minSeverity: z.enum(['info', 'warning', 'critical']).default('info'),
      })
      .prefault({}),
    leaderElection: z
      .object({
        enabled: z.boolean().default(false),
        namespace: z.string().min(1).default('autoheal'),
        leaseName: z.string().min(1).default('autoheal-leader'),
        identity: z.string().min(1).optional(),
      })
      .prefault({}),
    log: z.strictObject({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') }).prefault({}),
  })
  .strict();

export type AutohealConfig = z.output<typeof configSchema>;
export type AutohealConfigInput = z.input<typeof configSchema>;
