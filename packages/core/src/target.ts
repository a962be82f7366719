/** What autoheal watches and heals: one Deployment, optionally in a named cluster. */
import { z } from 'zod';

const dnsLabel = z
  .string()
  .min(1, 'must not be empty')
  .max(63, 'must be at most 63 characters')
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a DNS label: lower-case letters, digits and "-", e.g. "prod"');

const dnsSubdomain = z
  .string()
  .min(1, 'must not be empty')
  .max(253, 'must be at most 253 characters')
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a DNS subdomain name, e.g. "backend"');

/** Schema of {@link TargetRef}. `kind` defaults to `Deployment`, the only kind autoheal heals today. */
export const targetRefSchema = z.object({
  namespace: dnsLabel,
  kind: z.literal('Deployment').default('Deployment'),
  name: dnsSubdomain,
  /** A label for multi-cluster set-ups; shown in Slack and the dashboard. */
  cluster: z.string().min(1).optional(),
});

/** A reference to one watched workload. */
export type TargetRef = z.output<typeof targetRefSchema>;
/** What callers may pass (kind optional). */
export type TargetRefInput = z.input<typeof targetRefSchema>;

/** A stable string key for maps and logs: `namespace/name`, or `cluster/namespace/name`. */
export function targetKey(target: Pick<TargetRef, 'namespace' | 'name' | 'cluster'>): string {
  return target.cluster ? `${target.cluster}/${target.namespace}/${target.name}` : `${target.namespace}/${target.name}`;
}

/**
 * Parses the CLI's short form: `namespace/name`, `namespace/deployment/name`, or a bare `name` with
 * `defaultNamespace`. Throws an `Error` naming the accepted forms.
 */
export function parseTargetString(text: string, defaultNamespace?: string): TargetRef {
  const parts = text.split('/').filter((p) => p.length > 0);
  let namespace: string | undefined;
  let name: string | undefined;
  if (parts.length === 1) {
    namespace = defaultNamespace;
    name = parts[0];
  } else if (parts.length === 2) {
    [namespace, name] = parts;
  } else if (parts.length === 3 && (parts[1] === 'deployment' || parts[1] === 'deployments' || parts[1] === 'deploy')) {
    namespace = parts[0];
    name = parts[2];
  }
  if (!namespace || !name) {
    throw new Error(`target "${text}" is not valid: write it as "namespace/name" (e.g. "prod/backend")`);
  }
  const parsed = targetRefSchema.safeParse({ namespace, name });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`target "${text}" is not valid: ${issue?.path.join('.')} ${issue?.message}`);
  }
  return parsed.data;
}
