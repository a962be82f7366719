/**
 * The zod schemas of the simulation's public inputs: workloads, faults and load changes. The
 * sandbox's options, its control API and its CLI validate with these, so a bad value is always
 * answered with the field's path and what to do about it.
 */
import { z } from 'zod';
import { sandboxRequestMetrics } from '../metrics/request-metrics.js';
import { availabilityObjectiveSchema } from './availability-objective.js';

export { availabilityObjectiveSchema, type AvailabilityObjective } from './availability-objective.js';

/** DNS-1123 label, what Kubernetes requires of namespace and Deployment names. */
const dnsLabel = z
  .string()
  .min(1, 'must not be empty')
  .max(63, 'must be at most 63 characters')
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be lowercase letters, digits and "-", starting and ending with a letter or digit (e.g. "backend")');

/** Horizontal Pod Autoscaler settings of a simulated Deployment. */
export const hpaSpecSchema = z
  .object({
    minReplicas: z.number().int().min(1, 'must be at least 1'),
    maxReplicas: z.number().int().min(1, 'must be at least 1'),
    targetCpuUtilization: z.number().int().min(1).max(1000).describe('percent of the CPU request'),
  })
  .refine((hpa) => hpa.minReplicas <= hpa.maxReplicas, {
    message: 'minReplicas must not exceed maxReplicas',
    path: ['maxReplicas'],
  });

/** One simulated Deployment. */
export const workloadSpecSchema = z.object({
  namespace: dnsLabel,
  name: dnsLabel,
  replicas: z.number().int().min(0, 'must be 0 or more').max(500, 'must be at most 500'),
  /** @default `registry.local/<name>:1.0.0` */
  image: z.string().min(1).optional(),
  /** Extra pod labels; `app: <name>` is always set and is the selector. */
  labels: z.record(z.string(), z.string()).optional(),
  hpa: hpaSpecSchema.optional(),
  /** Mean requests per second over a day; @default a per-Deployment value drawn from the seed. */
  requestsPerSecond: z.number().min(0, 'must be 0 or more').max(100_000).optional(),
  /**
   * Which metrics the application (or its mesh sidecar) exposes for its requests: a request preset of
   * the Prometheus adapter, or `none`. The ingress series exist for every workload. @default 'flask'
   */
  requestMetrics: z.enum(sandboxRequestMetrics, { message: `must be one of ${sandboxRequestMetrics.join(', ')}` }).optional(),
});
export type WorkloadSpec = z.infer<typeof workloadSpecSchema>;

/**
 * The fault types the simulation can inject (`faults.ts` has one model per type). New types go at
 * the end: the order is part of every catalogue and dataset that picks from this list.
 */
export const faultTypes = ['memory-leak', 'cache-bloat', 'cpu-saturation', 'bad-release', 'bad-config', 'oom-crash-loop', 'failing-dependency'] as const;
export type FaultType = (typeof faultTypes)[number];

/**
 * What a cpu-saturation fault's strength sizes (its `peak`):
 * - `cpu-limit`: the surge's peak is set by the workload's own CPU: at the peak, the traffic asks
 *   each replica the Deployment had at onset for (1 + strength) × its CPU limit. A surge then
 *   saturates whatever the workload's size and profile, which is what the fault's name promises.
 * - `load-multiplier`: the sandbox's first definition, the load times 1 + 4 × strength at the peak,
 *   which a pod sized well under its limit often absorbs; model v1's frozen scenarios keep it.
 */
export const saturationPeaks = ['cpu-limit', 'load-multiplier'] as const;
export type SaturationPeak = (typeof saturationPeaks)[number];

/** A fault to inject into one Deployment. */
export const faultSpecSchema = z
  .object({
    namespace: dnsLabel,
    deployment: dnsLabel,
    type: z.enum(faultTypes, { message: `must be one of ${faultTypes.join(', ')}` }),
    /** How severe, in (0, 1]. @default 1 */
    strength: z.number().gt(0, 'must be greater than 0').max(1, 'must be at most 1').default(1),
    /** When the fault starts (epoch ms of the sandbox clock). @default now */
    startAt: z.number().int().min(0).optional(),
    /**
     * cpu-saturation only: milliseconds the traffic surge takes to grow to its peak; 0 jumps there at
     * once (the step model v1 was trained on). @default 600000 (ten minutes, `defaultSaturationRampMs`)
     */
    rampMs: z.number().int('must be an integer').min(0, 'must be 0 or more').max(3_600_000, 'must be at most 3600000 (an hour)').optional(),
    /**
     * cpu-saturation only: what the strength sizes (`saturationPeaks`). `cpu-limit`: at the peak the
     * traffic asks each replica the Deployment had at onset for (1 + strength) × its CPU limit;
     * `load-multiplier`: the load times 1 + 4 × strength (what model v1 was trained on).
     * @default 'cpu-limit'
     */
    peak: z.enum(saturationPeaks, { message: `must be one of ${saturationPeaks.join(', ')}` }).optional(),
  })
  .refine((spec) => spec.rampMs === undefined || spec.type === 'cpu-saturation', {
    message: 'only a cpu-saturation fault ramps up: leave rampMs out for this type',
    path: ['rampMs'],
  })
  .refine((spec) => spec.peak === undefined || spec.type === 'cpu-saturation', {
    message: 'only a cpu-saturation fault has a peak: leave peak out for this type',
    path: ['peak'],
  });
export type FaultSpec = z.input<typeof faultSpecSchema>;

/** Identifies one Deployment. */
export const deploymentRefSchema = z.object({ namespace: dnsLabel, deployment: dnsLabel });
export type DeploymentRef = z.infer<typeof deploymentRefSchema>;

/** A new mean load for one Deployment. */
export const loadSpecSchema = deploymentRefSchema.extend({
  requestsPerSecond: z.number().min(0, 'must be 0 or more').max(100_000),
});
export type LoadSpec = z.infer<typeof loadSpecSchema>;

/** The demo workloads: the original project's two Deployments in `prod`. */
export const demoWorkloads: WorkloadSpec[] = [
  { namespace: 'prod', name: 'backend', replicas: 3, requestsPerSecond: 120 },
  { namespace: 'prod', name: 'frontend', replicas: 2, requestsPerSecond: 40 },
];

/** Options of `createSimulation`. */
export const simulationOptionsSchema = z.object({
  /** Seed of every random choice. @default 1 */
  seed: z.number().int('must be an integer').default(1),
  /** Simulated step in milliseconds. @default 1000 */
  tickMs: z.number().int().min(100, 'must be at least 100 ms').max(60_000, 'must be at most 60000 ms').default(1000),
  /** Workloads created at start. @default prod/backend (3) and prod/frontend (2) */
  deployments: z.array(workloadSpecSchema).default(demoWorkloads),
  /** Start of virtual time (epoch ms). @default 2025-01-01T00:00:00Z */
  startTime: z.number().int().min(0).optional(),
  /** The objective the ground truth judges. @default the trainer's: 0.5 ready, 5% failed, 60 s */
  objective: availabilityObjectiveSchema.prefault({}),
});
export type SimulationOptions = z.input<typeof simulationOptionsSchema>;
export type ResolvedSimulationOptions = z.output<typeof simulationOptionsSchema>;

/** An invalid option or request body; `message` names each bad field and the fix. */
export class SandboxValidationError extends Error {
  readonly issues: Array<{ path: string; message: string }>;
  constructor(what: string, issues: Array<{ path: string; message: string }>) {
    super(`[autoheal] [sandbox] invalid ${what}: ${issues.map((issue) => `${issue.path || '(root)'}: ${issue.message}`).join('; ')}`);
    this.name = 'SandboxValidationError';
    this.issues = issues;
  }
}

/** Parses `input` with `schema`, throwing a `SandboxValidationError` that names the fields. */
export function parseOrThrow<Schema extends z.ZodType>(schema: Schema, input: unknown, what: string): z.output<Schema> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new SandboxValidationError(
    what,
    result.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message })),
  );
}
