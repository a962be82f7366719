/**
 * Test support (outside src/, never shipped): autoheal's safety invariants, judged from what reached
 * the cluster — the sandbox's request log and the Deployments' Events — never from autoheal's own
 * view. Each function returns the violations in words (an empty list when the invariant holds), so a
 * failing test says exactly which request broke which rule.
 */
import type { RequestLogEntry } from '@autoheal/sandbox';
import type { CoreV1Event } from '@kubernetes/client-node';

const STATE_ANNOTATION = 'autoheal.dev/healing-state';
const ATTEMPT_ANNOTATION = 'healing.attempt';
const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';

/** A write that changes a workload (part of applying a step). */
export interface StepWrite {
  seq: number;
  at: number;
  user: string;
  /** `namespace/name` of the Deployment. */
  target: string;
  kind: 'restart' | 'rollback' | 'scale' | 'exec' | 'hpa';
}

/** A claim on an attempt: a state write carrying an intent. */
export interface Claim {
  seq: number;
  at: number;
  user: string;
  target: string;
  attempt: number;
  step: string;
  holder: string;
}

const ok = (entry: RequestLogEntry) => entry.status >= 200 && entry.status < 300;
const dryRun = (entry: RequestLogEntry) => new URLSearchParams(entry.query).get('dryRun') === 'All';
const annotationsOf = (body: unknown): Record<string, string | null> | undefined =>
  (body as { metadata?: { annotations?: Record<string, string | null> } } | undefined)?.metadata?.annotations;

/** Which Deployment a pod belongs to: `<deployment>-<rs hash>-<suffix>`. */
function deploymentOfPod(pod: string): string {
  return pod.split('-').slice(0, -2).join('-');
}

/** Every write of the log that applied part of a step (answered 2xx, or 101 for an exec; not dry-run). */
export function stepWrites(log: readonly RequestLogEntry[]): StepWrite[] {
  const writes: StepWrite[] = [];
  for (const entry of log) {
    if (dryRun(entry)) continue;
    const base = { seq: entry.seq, at: entry.at, user: entry.user, target: `${entry.namespace}/${entry.name}` };
    if (entry.resource === 'deployments' && entry.verb === 'patch' && ok(entry) && !entry.subresource) {
      const body = entry.body as { spec?: { template?: { metadata?: { annotations?: Record<string, string> } } } } | Array<{ path?: string }>;
      if (Array.isArray(body)) {
        if (body.some((operation) => operation.path === '/spec/template')) writes.push({ ...base, kind: 'rollback' });
      } else if (body?.spec?.template?.metadata?.annotations?.[RESTARTED_AT]) writes.push({ ...base, kind: 'restart' });
    } else if (entry.resource === 'deployments' && entry.subresource === 'scale' && entry.verb === 'patch' && ok(entry)) {
      writes.push({ ...base, kind: 'scale' });
    } else if (entry.resource === 'pods' && entry.subresource === 'exec' && entry.status === 101) {
      writes.push({ ...base, target: `${entry.namespace}/${deploymentOfPod(entry.name ?? '')}`, kind: 'exec' });
    } else if (entry.resource === 'horizontalpodautoscalers' && entry.verb === 'update' && ok(entry)) {
      writes.push({ ...base, kind: 'hpa' });
    }
  }
  return writes;
}

/** Every claim that was written (a state patch with an intent, answered 2xx). */
export function claims(log: readonly RequestLogEntry[]): Claim[] {
  const found: Claim[] = [];
  for (const entry of log) {
    if (entry.resource !== 'deployments' || entry.verb !== 'patch' || entry.subresource || !ok(entry) || dryRun(entry)) continue;
    const state = annotationsOf(entry.body)?.[STATE_ANNOTATION];
    if (typeof state !== 'string') continue;
    const intent = (JSON.parse(state) as { intent?: { attempt: number; step: string; holder: string } }).intent;
    if (intent) found.push({ seq: entry.seq, at: entry.at, user: entry.user, target: `${entry.namespace}/${entry.name}`, ...intent });
  }
  return found;
}

/** At most one claim (so at most one application) per attempt of a target. */
export function oneClaimPerAttempt(log: readonly RequestLogEntry[]): string[] {
  const seen = new Map<string, Claim>();
  const violations: string[] = [];
  for (const claim of claims(log)) {
    const key = `${claim.target}#${claim.attempt}`;
    const earlier = seen.get(key);
    if (earlier) violations.push(`attempt ${claim.attempt} of ${claim.target} claimed twice: by ${earlier.user} (request ${earlier.seq}) and by ${claim.user} (request ${claim.seq})`);
    else seen.set(key, claim);
  }
  return violations;
}

/**
 * Every step write is made under its writer's own claim (the latest claim on the target is its own),
 * and a claim sees at most one restart, one rollback and one scale-up.
 */
export function writesUnderOwnClaim(log: readonly RequestLogEntry[]): string[] {
  const violations: string[] = [];
  const claimed = claims(log);
  const perClaim = new Map<Claim, Map<string, number>>();
  for (const write of stepWrites(log)) {
    const latest = claimed.filter((claim) => claim.target === write.target && claim.seq < write.seq).at(-1);
    if (!latest) {
      violations.push(`${write.kind} of ${write.target} by ${write.user} (request ${write.seq}) with no claim before it`);
      continue;
    }
    if (latest.user !== write.user) {
      violations.push(`${write.kind} of ${write.target} by ${write.user} (request ${write.seq}) while the claim (attempt ${latest.attempt}, request ${latest.seq}) is ${latest.user}'s`);
      continue;
    }
    const counts = perClaim.get(latest) ?? new Map<string, number>();
    counts.set(write.kind, (counts.get(write.kind) ?? 0) + 1);
    perClaim.set(latest, counts);
    if (write.kind !== 'exec' && write.kind !== 'hpa' && counts.get(write.kind)! > 1) {
      violations.push(`a second ${write.kind} of ${write.target} for attempt ${latest.attempt} (request ${write.seq})`);
    }
  }
  return violations;
}

/** No attempt past the ladder's length, in a claim or in any `healing.attempt` written. */
export function neverPastCeiling(log: readonly RequestLogEntry[], ladderLength = 3): string[] {
  const violations: string[] = [];
  for (const entry of log) {
    if (entry.resource !== 'deployments' || entry.verb !== 'patch' || !ok(entry)) continue;
    const attempt = annotationsOf(entry.body)?.[ATTEMPT_ANNOTATION];
    if (typeof attempt === 'string' && Number(attempt) > ladderLength) violations.push(`healing.attempt=${attempt} written by ${entry.user} (request ${entry.seq})`);
  }
  for (const claim of claims(log)) if (claim.attempt > ladderLength) violations.push(`attempt ${claim.attempt} claimed on ${claim.target} (request ${claim.seq})`);
  return violations;
}

/**
 * Every claim and step write was made by the Lease holder: the latest successful write of the Lease
 * before it names the writer, and the writer renewed it less than `leaseDurationMs` before.
 */
export function onlyTheLeaderActs(log: readonly RequestLogEntry[], leaseName: string, leaseDurationMs = 15_000): string[] {
  const violations: string[] = [];
  const leaseWrites = log.filter((entry) => entry.resource === 'leases' && entry.name === leaseName && (entry.verb === 'update' || entry.verb === 'create') && ok(entry));
  const holderOf = (entry: RequestLogEntry) => (entry.body as { spec?: { holderIdentity?: string } } | undefined)?.spec?.holderIdentity ?? '';
  const actions: Array<{ seq: number; at: number; user: string; what: string }> = [
    ...claims(log).map((claim) => ({ ...claim, what: `claim of attempt ${claim.attempt} on ${claim.target}` })),
    ...stepWrites(log).map((write) => ({ ...write, what: `${write.kind} of ${write.target}` })),
  ];
  for (const action of actions) {
    const before = leaseWrites.filter((entry) => entry.seq < action.seq);
    const latest = before.at(-1);
    if (!latest || holderOf(latest) !== action.user) {
      violations.push(`${action.what} by ${action.user} (request ${action.seq}) while the Lease was ${latest ? `held by "${holderOf(latest)}"` : 'not taken'}`);
      continue;
    }
    const renewed = before.filter((entry) => holderOf(entry) === action.user).at(-1)!;
    if (action.at - renewed.at > leaseDurationMs) violations.push(`${action.what} by ${action.user} (request ${action.seq}) ${action.at - renewed.at} ms after its last renewal`);
  }
  return violations;
}

/**
 * A dry-run process changes nothing: apart from its Lease and its Events (records of what it would
 * do), every write it sends carries dryRun=All.
 */
export function dryRunWritesNothing(log: readonly RequestLogEntry[], user: string): string[] {
  return log
    .filter((entry) => entry.user === user && !['GET', 'HEAD'].includes(entry.method) && entry.resource !== 'leases' && entry.resource !== 'events' && !dryRun(entry) && entry.resource !== 'selfsubjectaccessreviews')
    .map((entry) => `${user} (dry-run) sent ${entry.method} ${entry.path}?${entry.query} (request ${entry.seq}, status ${entry.status})`);
}

/** The step Events of one Deployment: at most one per attempt. */
export function oneStepEventPerAttempt(events: readonly CoreV1Event[]): string[] {
  const perAttempt = new Map<string, number>();
  for (const event of events) {
    if (!['AutohealRestart', 'AutohealCacheClear', 'AutohealRollback', 'AutohealScale'].includes(event.reason ?? '')) continue;
    const attempt = /\(attempt (\d+)\)/.exec(event.message ?? '')?.[1] ?? '?';
    const key = `${event.involvedObject?.name}#${attempt}`;
    perAttempt.set(key, (perAttempt.get(key) ?? 0) + (event.count ?? 1));
  }
  return [...perAttempt].filter(([, count]) => count > 1).map(([key, count]) => `${count} step Events for ${key.replace('#', ' attempt ')}`);
}
