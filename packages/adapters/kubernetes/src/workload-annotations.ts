/**
 * What a Deployment's annotations say to discovery: whether it opted in, and its overrides of the
 * policy (threshold, allowed steps, strategy), validated with core's `targetOverridesSchema`. Pure.
 *
 * Why a bad value skips the workload instead of judging it by the defaults: an override is how the
 * workload's owners narrow what autoheal may do (`steps: restart` to forbid a rollback, a higher
 * threshold for a noisy service). A typo there must not quietly widen it back to the full ladder at
 * the default threshold; not acting is the safe side ("unknown never heals"), and the skip is loud
 * (a Warning Event on the Deployment, the log, `status` and `doctor`).
 */
import { targetOverridesSchema, type TargetOverrides } from '@autoheal/core';

/** The annotation keys discovery reads: the opt-in key and the overrides under the same prefix. */
export interface AnnotationKeys {
  /** e.g. `autoheal.dev/enabled` */
  enabled: string;
  /** e.g. `autoheal.dev/threshold` */
  threshold: string;
  /** e.g. `autoheal.dev/steps` */
  steps: string;
  /** e.g. `autoheal.dev/strategy` */
  strategy: string;
}

/** The keys for an opt-in annotation `prefix/name`: the overrides are `prefix/threshold`, `prefix/steps`, `prefix/strategy`. */
export function annotationKeys(enabledAnnotation: string): AnnotationKeys {
  const slash = enabledAnnotation.lastIndexOf('/');
  const prefix = slash >= 0 ? enabledAnnotation.slice(0, slash + 1) : '';
  return { enabled: enabledAnnotation, threshold: `${prefix}threshold`, steps: `${prefix}steps`, strategy: `${prefix}strategy` };
}

/** What the annotations decide. */
export type OptIn =
  | { kind: 'opted-in'; overrides?: TargetOverrides }
  | { kind: 'not-opted-in'; message: string }
  | { kind: 'invalid'; message: string };

/**
 * Reads the opt-in and the overrides. Only `"true"` opts in; absent or `"false"` does not; any other
 * value of the opt-in key, or an override that does not validate, is `invalid` with a message that
 * names the annotation, what it holds and what it should hold.
 *
 * @example
 * readOptIn({ 'autoheal.dev/enabled': 'true', 'autoheal.dev/steps': 'restart,rollback' }, annotationKeys('autoheal.dev/enabled'));
 * // { kind: 'opted-in', overrides: { steps: ['restart', 'rollback'] } }
 */
export function readOptIn(annotations: Record<string, string> | undefined, keys: AnnotationKeys): OptIn {
  const value = annotations?.[keys.enabled];
  if (value === undefined || value.trim() === 'false') return { kind: 'not-opted-in', message: `no ${keys.enabled}: "true" annotation` };
  if (value.trim() !== 'true') return { kind: 'invalid', message: `annotation ${keys.enabled} is "${value}": write "true" to opt in or "false" (or remove it) to opt out` };

  const raw: Record<string, unknown> = {};
  const threshold = annotations?.[keys.threshold];
  if (threshold !== undefined) raw.threshold = threshold.trim() === '' || Number.isNaN(Number(threshold)) ? threshold : Number(threshold);
  const steps = annotations?.[keys.steps];
  if (steps !== undefined) raw.steps = steps.split(',').map((step) => step.trim()).filter((step) => step.length > 0);
  const strategy = annotations?.[keys.strategy];
  if (strategy !== undefined) raw.strategy = strategy.trim();
  if (Object.keys(raw).length === 0) return { kind: 'opted-in' };

  const parsed = targetOverridesSchema.safeParse(raw);
  if (parsed.success) return { kind: 'opted-in', overrides: parsed.data };
  const problems = parsed.error.issues.map((issue) => {
    const field = String(issue.path[0] ?? '') as 'threshold' | 'steps' | 'strategy';
    const key = keys[field] ?? field;
    return `annotation ${key} is "${annotations?.[key] ?? ''}": ${issue.message}${hint(field)}`;
  });
  return { kind: 'invalid', message: problems.join('; ') };
}

function hint(field: string): string {
  switch (field) {
    case 'threshold':
      return ' (a probability, e.g. "0.7")';
    case 'steps':
      return ' (comma-separated step kinds, e.g. "restart,rollback")';
    case 'strategy':
      return ' ("diagnose" or "ladder")';
    default:
      return '';
  }
}
